// Rebuild and verify of the in-memory read models (accounts, transfers): the same folds as on
// Postgres, with each swap done without an await between the last check and the replacement (this
// adapter's transaction).
import { EventStore } from '../../ports/eventStore';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { TransferSummaryRow } from '../../ports/transferReadModel';
import { accountStreamProjection } from '../../projections/accounts/accountProjection';
import { foldStoredStream } from '../../projections/rebuild/foldStoredStream';
import { ProjectionRebuilder, ProjectionRebuildResult, rebuildAllResult, RebuildStreamResult } from '../../projections/rebuild/projectionRebuilder';
import { replayStreams } from '../../projections/rebuild/replayStreams';
import { inProcessStreamFolder, StreamFolder } from '../../projections/rebuild/streamFolder';
import { ProjectedRow, StreamProjection } from '../../projections/streamProjection';
import { transferStreamProjection } from '../../projections/transfers/transferProjection';
import { AccountRowsSource, verifyAccounts } from '../../projections/verify/verifyAccounts';
import { verifyReport } from '../../projections/verify/verifyReport';
import { verifyTransfers } from '../../projections/verify/verifyTransfers';
import { MemoryReadModel } from './memoryReadModel';
import { MemoryTransferReadModel } from './memoryTransferReadModel';

export interface MemoryRebuildDeps {
  readModel: MemoryReadModel;
  transferReadModel: MemoryTransferReadModel;
  store: Pick<EventStore, 'readAll' | 'readStream'>;
  folder?: StreamFolder<AccountSummaryRow, StatementEntry>;
}

/** One in-memory read model as the rebuild sees it. */
interface MemoryLane<Row extends ProjectedRow, Entry> {
  projection: StreamProjection<Row, Entry>;
  folder: StreamFolder<Row, Entry>;
  keyOf(row: Row): string;
  liveRows(): Row[];
  replaceOne(key: string, row: Row | null, entries: readonly Entry[]): void;
  replaceAll(rows: readonly Row[], entries: readonly Entry[]): void;
}

export function createMemoryProjectionRebuilder(deps: MemoryRebuildDeps): ProjectionRebuilder {
  const readStream = deps.store.readStream.bind(deps.store);
  const readAll = deps.store.readAll.bind(deps.store);
  const accounts: MemoryLane<AccountSummaryRow, StatementEntry> = {
    projection: accountStreamProjection,
    folder: deps.folder ?? inProcessStreamFolder(accountStreamProjection),
    keyOf: (row) => row.accountId,
    liveRows: () => deps.readModel.rows().summaries,
    replaceOne: (accountId, row, entries) => deps.readModel.replaceAccount(accountId, row, entries),
    replaceAll: (rows, entries) => deps.readModel.replaceAll(rows, entries),
  };
  const transfers: MemoryLane<TransferSummaryRow, never> = {
    projection: transferStreamProjection,
    folder: inProcessStreamFolder(transferStreamProjection),
    keyOf: (row) => row.transferId,
    liveRows: () => deps.transferReadModel.rows(),
    replaceOne: (transferId, row) => deps.transferReadModel.replaceTransfer(transferId, row),
    replaceAll: (rows) => deps.transferReadModel.replaceAll(rows),
  };

  async function rebuildStream<Row extends ProjectedRow, Entry>(lane: MemoryLane<Row, Entry>, key: string): Promise<RebuildStreamResult> {
    const folded = await foldStoredStream(lane.projection, readStream, lane.projection.streamIdOf(key));
    lane.replaceOne(key, folded.row, folded.entries);
    return { found: folded.events > 0, events: folded.events, version: folded.row?.version ?? 0, poison: folded.poison };
  }

  async function rebuildLane<Row extends ProjectedRow, Entry>(lane: MemoryLane<Row, Entry>): Promise<ProjectionRebuildResult> {
    const entries = new Map<string, Entry[]>();
    const keep = (streamId: string, more: readonly Entry[]) => entries.set(streamId, [...(entries.get(streamId) ?? []), ...more]);
    const state = await replayStreams({
      projection: lane.projection,
      readAll,
      folder: lane.folder,
      onPage: async (runs) => runs.forEach((run) => keep(run.streamId, run.entries)),
    });
    const rows = new Map<string, Row | null>(state.rows);
    // The projector may have applied events while this replay awaited: re-fold every stream it
    // took past the rebuilt rows, until none is ahead, then swap without awaiting again.
    let reconciled = 0;
    for (;;) {
      const ahead = lane.liveRows().filter((live) => (rows.get(lane.projection.streamIdOf(lane.keyOf(live)))?.version ?? 0) < live.version);
      if (ahead.length === 0) break;
      for (const live of ahead) {
        const folded = await foldStoredStream(lane.projection, readStream, lane.projection.streamIdOf(lane.keyOf(live)));
        rows.set(folded.streamId, folded.row);
        entries.set(folded.streamId, folded.entries);
        reconciled += 1;
      }
    }
    const present = [...rows.values()].filter((row): row is Row => row !== null);
    lane.replaceAll(present, [...entries.values()].flat());
    return { streams: state.rows.size, events: state.events, rows: present.length, poisoned: [...state.poisoned.values()], reconciled };
  }

  return {
    rebuildAccount: async (accountId) => ({ accountId, ...(await rebuildStream(accounts, accountId)) }),
    rebuildTransfer: async (transferId) => ({ transferId, ...(await rebuildStream(transfers, transferId)) }),
    rebuildAll: async () => {
      const started = Date.now();
      const accountResult = await rebuildLane(accounts);
      const transferResult = await rebuildLane(transfers);
      return rebuildAllResult(accountResult, transferResult, Date.now() - started);
    },
    verify: async () => {
      const accountReport = await verifyAccounts({ readAll, readStream, folder: accounts.folder, rows: memoryAccountRows(deps.readModel) });
      const transferReport = await verifyTransfers({ readAll, readStream, rows: deps.transferReadModel });
      return verifyReport(accountReport, transferReport);
    },
  };
}

function memoryAccountRows(readModel: MemoryReadModel): AccountRowsSource {
  const after = (bound: string | null) => (accountId: string) => bound === null || accountId > bound;
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    entriesAt: async (keys) =>
      keys.map((key) => readModel.entry(key.accountId, key.streamVersion)).filter((entry): entry is StatementEntry => entry !== null),
    summariesAfter: async (bound, limit) =>
      readModel
        .rows()
        .summaries.filter((row) => after(bound)(row.accountId))
        .sort((a, b) => byId(a.accountId, b.accountId))
        .slice(0, limit),
    statementCountsAfter: async (bound, limit) =>
      [...readModel.statementCounts()]
        .filter(([accountId]) => after(bound)(accountId))
        .sort(([a], [b]) => byId(a, b))
        .slice(0, limit)
        .map(([accountId, entries]) => ({ accountId, entries })),
    accountRows: async (accountId) => ({
      summary: await readModel.summary(accountId),
      // Not history(): that answers null without a summary, and extra rows must show up here.
      entries: readModel.rows().entries.filter((entry) => entry.accountId === accountId),
    }),
  };
}
