// The replay CLI: rebuilds or verifies the read models (accounts, transfers) from the event store.
//
//   tsx src/cli/replay.ts account <accountId>     rebuild one account (one transaction)
//   tsx src/cli/replay.ts transfer <transferId>   rebuild one transfer (one transaction)
//   tsx src/cli/replay.ts all                     rebuild everything into shadow tables, then swap
//   tsx src/cli/replay.ts verify                  compare every row with a fold of the event store
//
// It connects like the server does (DATABASE_URL / POSTGRES_*, else the embedded cluster) and
// records each run in admin_audit. Progress goes to stderr, results to stdout.
// Exit codes: 0 done, 1 verify found drift, 2 bad arguments or configuration, 3 the run failed.
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, StorageMode } from '../config/config';
import { migrate } from '../infra/postgres/schema/migrate';
import { migrations } from '../infra/postgres/schema/migrations';
import { createPool } from '../infra/postgres/connection/pool';
import { PostgresAdminAudit } from '../infra/postgres/readSide/postgresAdminAudit';
import { PostgresEventStore } from '../infra/postgres/writeSide/postgresEventStore';
import { startEmbeddedPostgres } from '../infra/postgres/embedded/embeddedPostgres';
import { Drift } from '../projections/verify/drift';
import { ProjectionRebuilder } from '../projections/rebuild/projectionRebuilder';
import { projectionLimits } from '../config/limits';
import { createProjectionRebuilder } from '../infra/postgres/readSide/postgresProjectionRebuilder';
import { verifyFailed } from '../projections/verify/verifyReport';
import { createPiscinaStreamFolder } from './piscinaStreamFolder';

export const replayExitCodes = { ok: 0, drift: 1, usage: 2, failed: 3 } as const;

const usage = `usage: tsx src/cli/replay.ts account <accountId> | transfer <transferId> | all | verify`;

type Command = { kind: 'account' | 'transfer'; id: string } | { kind: 'all' } | { kind: 'verify' };

export function parseReplayArgs(args: readonly string[]): Command | null {
  const [kind, id] = args;
  if (args.length === 2 && (kind === 'account' || kind === 'transfer') && id!.length > 0) return { kind, id: id! };
  if (args.length === 1 && args[0] === 'all') return { kind: 'all' };
  if (args.length === 1 && args[0] === 'verify') return { kind: 'verify' };
  return null;
}


interface Connection {
  url: string;
  close(): Promise<void>;
}

async function connect(storage: StorageMode): Promise<Connection> {
  if (storage.kind === 'external') return { url: storage.url, close: async () => {} };
  if (storage.kind === 'in-memory') throw new ConfigError('EVENT_STORE_KIND=in-memory keeps nothing to replay from; use the admin endpoints of the running server');
  const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(storage.dataDir), port: storage.port });
  return { url: embedded.connectionString, close: embedded.stop };
}

/** The audit target, as the admin routes name it. */
function targetOf(command: Command): string {
  return command.kind === 'account' || command.kind === 'transfer' ? `${command.kind}:${command.id}` : 'accounts';
}

async function run(command: Command, rebuilder: ProjectionRebuilder, audit: PostgresAdminAudit): Promise<number> {
  const actor = `cli:${os.userInfo().username}`;
  try {
    return await runAudited(command, rebuilder, audit, actor);
  } catch (error) {
    const target = targetOf(command);
    const message = error instanceof Error ? error.message : String(error);
    await audit.record({ actor, action: command.kind, target, result: 'error', detail: { message } }).catch((auditError: unknown) => {
      process.stderr.write(`replay: could not record the failure in admin_audit: ${String(auditError)}\n`);
    });
    throw error;
  }
}

async function runAudited(command: Command, rebuilder: ProjectionRebuilder, audit: PostgresAdminAudit, actor: string): Promise<number> {
  if (command.kind === 'account' || command.kind === 'transfer') {
    const result = command.kind === 'account' ? await rebuilder.rebuildAccount(command.id) : await rebuilder.rebuildTransfer(command.id);
    await audit.record({ actor, action: 'rebuild', target: targetOf(command), result: 'ok', detail: result });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return replayExitCodes.ok;
  }
  if (command.kind === 'all') {
    const result = await rebuilder.rebuildAll();
    await audit.record({ actor, action: 'rebuild-all', target: 'accounts', result: 'ok', detail: { ...result, poisoned: result.poisoned.length } });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return replayExitCodes.ok;
  }
  const report = await rebuilder.verify();
  const failed = verifyFailed(report);
  await audit.record({
    actor,
    action: 'verify',
    target: 'accounts',
    result: failed ? 'error' : 'ok',
    detail: {
      streams: report.streams,
      events: report.events,
      driftedAccounts: report.driftedAccounts,
      driftedTransfers: report.driftedTransfers,
      poisoned: report.poisoned.length,
    },
  });
  for (const drift of report.drifts) process.stdout.write(`${describeDrift(drift)}\n`);
  for (const poisoned of report.poisoned) process.stdout.write(`poisoned ${poisoned.streamId} v${poisoned.version}: ${poisoned.message}\n`);
  const unchecked = report.uncheckedSuspects > 0 ? `, ${report.uncheckedSuspects} more suspects not re-checked` : '';
  process.stdout.write(
    `verify: ${report.streams} streams, ${report.events} events, ${report.driftedAccounts} accounts drifted, ` +
      `${report.driftedTransfers} transfers drifted${unchecked}, ${report.poisoned.length} poisoned\n`,
  );
  return failed ? replayExitCodes.drift : replayExitCodes.ok;
}

export function describeDrift(drift: Drift): string {
  const version = drift.streamVersion === undefined ? '' : ` version=${drift.streamVersion}`;
  const fields = drift.fields ? ` fields=${drift.fields.join(',')}` : '';
  const expected = drift.expected ? ` expected=${JSON.stringify(drift.expected)}` : '';
  const actual = drift.actual ? ` actual=${JSON.stringify(drift.actual)}` : '';
  const entity = drift.table === 'transfer_summary' ? 'transfer' : 'account';
  return `drift ${drift.kind} ${drift.table} ${entity}=${drift.key}${version}${fields}${expected}${actual}`;
}

async function main(args: readonly string[]): Promise<number> {
  const command = parseReplayArgs(args);
  if (!command) {
    process.stderr.write(`${usage}\n`);
    return replayExitCodes.usage;
  }
  let storage: StorageMode;
  try {
    storage = loadConfig(process.env).storage;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return replayExitCodes.usage;
  }
  let connection: Connection;
  try {
    connection = await connect(storage);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return replayExitCodes.usage;
  }
  const pool = createPool(connection.url, { max: projectionLimits.cliPoolConnectionsMax, applicationName: 'acta-replay' });
  const folder = createPiscinaStreamFolder();
  try {
    await migrate(pool, migrations);
    const rebuilder = createProjectionRebuilder({
      pool,
      store: new PostgresEventStore(pool),
      folder,
      onProgress: (phase, progress) =>
        process.stderr.write(`replay: ${phase} ${progress.projection}: ${progress.streams} streams, ${progress.events} events (position ${progress.position})\n`),
    });
    const code = await run(command, rebuilder, new PostgresAdminAudit(pool));
    const { workerTasks, inProcessPages } = folder.stats();
    process.stderr.write(`replay: folded ${workerTasks} tasks on worker threads, ${inProcessPages} pages in-process\n`);
    return code;
  } finally {
    await folder.close();
    await pool.end();
    await connection.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`replay failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(replayExitCodes.failed);
    },
  );
}
