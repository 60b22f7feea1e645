// Rebuilds of the read models on Postgres (accounts, transfers), from the event store.
//
// rebuildAccount / rebuildTransfer: one transaction deletes the stream's rows and writes a fresh
// fold of its stream.
// rebuildAll: for each projection in turn, folds the whole log into unlogged shadow tables while
// readers keep using the live ones, catches up, then swaps in one short transaction that holds the
// live tables only long enough to add what arrived meanwhile, so a reader sees the old read model or
// the new one, never a half-empty one (the seed's bug 7.1.8). One full rebuild at a time, across
// processes (advisory lock).
// verify: compares every row with a fold of the event store (verifyAccounts.ts, verifyTransfers.ts).
import type { Pool, PoolClient } from 'pg';
import { accountTables } from './accountTables';
import { PostgresAccountRows } from './postgresAccountRows';
import { PostgresTransferReadModel } from './postgresTransferReadModel';
import { keysAheadOfShadow, PostgresProjectionTables, removeKey } from './projectionTables';
import { createShadowTables, dropShadowTables, lockLiveTables, makeShadowTablesLogged, swapInShadowTables } from './shadowTables';
import { transferTables } from './transferTables';
import { withTransactionClient } from '../connection/transactionClient';
import { EventStore } from '../../../ports/eventStore';
import { AccountSummaryRow, StatementEntry } from '../../../ports/readModel';
import { TransferSummaryRow } from '../../../ports/transferReadModel';
import { accountStreamProjection } from '../../../projections/accounts/accountProjection';
import { foldStoredStream } from '../../../projections/rebuild/foldStoredStream';
import {
  ProjectionRebuilder,
  ProjectionRebuildResult,
  rebuildAllResult,
  RebuildAllResult,
  RebuildPhase,
  RebuildStreamResult,
} from '../../../projections/rebuild/projectionRebuilder';
import { projectionLimits } from '../../../config/limits';
import { ReplayProgress, ReplayState, replayStreams } from '../../../projections/rebuild/replayStreams';
import { inProcessStreamFolder, StreamFolder } from '../../../projections/rebuild/streamFolder';
import { ProjectedRow } from '../../../projections/streamProjection';
import { transferStreamProjection } from '../../../projections/transfers/transferProjection';
import { verifyAccounts } from '../../../projections/verify/verifyAccounts';
import { verifyReport, VerifyReport } from '../../../projections/verify/verifyReport';
import { verifyTransfers } from '../../../projections/verify/verifyTransfers';

/** Advisory lock key of a full rebuild: "ACTARBL1" as 8 ASCII bytes. */
export const rebuildAllLockKey = '4702695075434613809';

export interface RebuildDeps {
  pool: Pool;
  store: Pick<EventStore, 'readAll' | 'readStream'>;
  /** Folds account streams; defaults to in-process folding, the CLI passes the piscina folder. */
  folder?: StreamFolder<AccountSummaryRow, StatementEntry>;
  onProgress?: (phase: RebuildPhase, progress: ReplayProgress) => void;
}

/** Another process (or request) is running a full rebuild right now. */
export class RebuildInProgressError extends Error {
  override readonly name = 'RebuildInProgressError';
}

/** One projection's tables and where its streams are folded. */
interface Lane<Row extends ProjectedRow, Entry> {
  tables: PostgresProjectionTables<Row, Entry>;
  folder: StreamFolder<Row, Entry>;
}

export function createProjectionRebuilder(deps: RebuildDeps): ProjectionRebuilder {
  const accounts: Lane<AccountSummaryRow, StatementEntry> = { tables: accountTables, folder: deps.folder ?? inProcessStreamFolder(accountStreamProjection) };
  const transfers: Lane<TransferSummaryRow, never> = { tables: transferTables, folder: inProcessStreamFolder(transferStreamProjection) };
  const readStream = deps.store.readStream.bind(deps.store);
  const readAll = deps.store.readAll.bind(deps.store);
  const progress = (phase: RebuildPhase) => (value: ReplayProgress) => deps.onProgress?.(phase, value);

  async function rebuildStream<Row extends ProjectedRow, Entry>(lane: Lane<Row, Entry>, key: string): Promise<RebuildStreamResult> {
    const { projection } = lane.tables;
    return withTransactionClient(deps.pool, async (client) => {
      await client.query('begin');
      // Deleting first takes the rows' locks: a projector batch on this stream waits for the
      // commit, then finds no row it had read and repairs from the store (the same fold).
      await removeKey(client, lane.tables, 'live', key);
      const folded = await foldStoredStream(projection, readStream, projection.streamIdOf(key));
      await lane.tables.write(client, 'live', presentRows([folded.row]), folded.entries);
      await client.query('commit');
      return { found: folded.events > 0, events: folded.events, version: folded.row?.version ?? 0, poison: folded.poison };
    });
  }

  async function rebuildAll(): Promise<RebuildAllResult> {
    const started = Date.now();
    const client = await deps.pool.connect();
    let failure: Error | undefined;
    try {
      // Whole-table statements (set logged) outlast the pool's ordinary statement bound.
      await client.query(`set statement_timeout = ${projectionLimits.rebuildStatementTimeoutMs}`);
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [rebuildAllLockKey]);
      if (!rows[0]?.locked) throw new RebuildInProgressError('a full rebuild of the read models is already running');
      try {
        const accountResult = await buildAndSwap(client, accounts);
        const transferResult = await buildAndSwap(client, transfers);
        return rebuildAllResult(accountResult, transferResult, Date.now() - started);
      } finally {
        await client.query('select pg_advisory_unlock($1::bigint)', [rebuildAllLockKey]);
      }
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // The session's settings were changed: never hand it back to the pool.
      client.release(failure ?? true);
    }
  }

  async function buildAndSwap<Row extends ProjectedRow, Entry>(client: PoolClient, lane: Lane<Row, Entry>): Promise<ProjectionRebuildResult> {
    const { pairs } = lane.tables;
    let swapped = false;
    try {
      await createShadowTables(client, pairs);
      const state = await replayStreams({
        projection: lane.tables.projection,
        readAll,
        folder: lane.folder,
        onProgress: progress('build'),
        onPage: (runs) => lane.tables.write(client, 'shadow', [], runs.flatMap((run) => run.entries)),
      });
      await lane.tables.write(client, 'shadow', presentRows(state.rows.values()), []);
      await makeShadowTablesLogged(client, pairs);
      // Most of what arrived during the build is added now, so the locked step below stays short.
      await catchUp(client, lane, state);
      const reconciled = await swap(client, lane, state);
      swapped = true;
      return { streams: state.rows.size, events: state.events, rows: presentRows(state.rows.values()).length, poisoned: [...state.poisoned.values()], reconciled };
    } finally {
      if (!swapped) await dropShadowTables(client, pairs);
    }
  }

  /** Continues the replay into the shadows; upserts the rows of the streams it touched. */
  async function catchUp<Row extends ProjectedRow, Entry>(client: PoolClient, lane: Lane<Row, Entry>, state: ReplayState<Row>): Promise<void> {
    const touched = new Set<string>();
    await replayStreams({
      projection: lane.tables.projection,
      readAll,
      folder: lane.folder,
      state,
      onProgress: progress('catch-up'),
      onPage: async (runs) => {
        runs.forEach((run) => touched.add(run.streamId));
        await lane.tables.write(client, 'shadow', [], runs.flatMap((run) => run.entries));
      },
    });
    await lane.tables.write(client, 'shadow', presentRows([...touched].map((streamId) => state.rows.get(streamId) ?? null)), []);
  }

  /**
   * The one short transaction readers wait for. With the live tables locked: a last catch-up, then
   * every stream the live projector has taken past the shadow (it may have applied events that
   * readAll did not show yet) is re-folded from its stream, then the tables are swapped.
   */
  async function swap<Row extends ProjectedRow, Entry>(client: PoolClient, lane: Lane<Row, Entry>, state: ReplayState<Row>): Promise<number> {
    await client.query('begin');
    try {
      await lockLiveTables(client, lane.tables.pairs, projectionLimits.swapLockTimeoutMs);
      await catchUp(client, lane, state);
      const ahead = await keysAheadOfShadow(client, lane.tables);
      for (const key of ahead) await refoldIntoShadow(client, lane, key);
      await swapInShadowTables(client, lane.tables.pairs);
      await client.query('commit');
      return ahead.length;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        throw new AggregateError([error, rollbackError], 'the rebuild swap failed and so did its rollback');
      });
      throw error;
    }
  }

  async function refoldIntoShadow<Row extends ProjectedRow, Entry>(client: PoolClient, lane: Lane<Row, Entry>, key: string): Promise<void> {
    const { projection } = lane.tables;
    const folded = await foldStoredStream(projection, readStream, projection.streamIdOf(key));
    await removeKey(client, lane.tables, 'shadow', key);
    await lane.tables.write(client, 'shadow', presentRows([folded.row]), folded.entries);
  }

  async function verify(): Promise<VerifyReport> {
    const onProgress = progress('verify');
    const accountReport = await verifyAccounts({ readAll, readStream, folder: accounts.folder, rows: new PostgresAccountRows(deps.pool), onProgress });
    const transferReport = await verifyTransfers({ readAll, readStream, rows: new PostgresTransferReadModel(deps.pool, readStream), onProgress });
    return verifyReport(accountReport, transferReport);
  }

  return {
    rebuildAccount: async (accountId) => ({ accountId, ...(await rebuildStream(accounts, accountId)) }),
    rebuildTransfer: async (transferId) => ({ transferId, ...(await rebuildStream(transfers, transferId)) }),
    rebuildAll,
    verify,
  };
}

function presentRows<Row>(rows: Iterable<Row | null>): Row[] {
  return [...rows].filter((row): row is Row => row !== null);
}
