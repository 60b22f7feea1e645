// Rebuild and verify of the in-memory account read model: the same folds as on Postgres, with the
// swap done without an await between the last check and the replacement (this adapter's transaction).
import { accountStreamId } from '../../domain/account/accountEvents';
import { EventStore } from '../../ports/eventStore';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { AccountRebuilder, RebuildAllResult } from '../../projections/accountRebuilder';
import { foldStoredStream } from '../../projections/foldStoredStream';
import { replayAccountStreams } from '../../projections/replayAccountStreams';
import { inProcessStreamFolder, StreamFolder } from '../../projections/streamFolder';
import { AccountRowsSource, verifyAccounts } from '../../projections/verifyAccounts';
import { MemoryReadModel } from './memoryReadModel';

export interface MemoryRebuildDeps {
  readModel: MemoryReadModel;
  store: Pick<EventStore, 'readAll' | 'readStream'>;
  folder?: StreamFolder;
}

export function createMemoryAccountRebuilder(deps: MemoryRebuildDeps): AccountRebuilder {
  const folder = deps.folder ?? inProcessStreamFolder;
  const readStream = deps.store.readStream.bind(deps.store);
  const readAll = deps.store.readAll.bind(deps.store);

  return {
    async rebuildAccount(accountId) {
      const folded = await foldStoredStream(readStream, accountStreamId(accountId));
      deps.readModel.replaceAccount(accountId, folded.summary, folded.entries);
      return { accountId, found: folded.events > 0, events: folded.events, version: folded.summary?.version ?? 0, poison: folded.poison };
    },

    async rebuildAll(): Promise<RebuildAllResult> {
      const started = Date.now();
      const entries = new Map<string, StatementEntry[]>();
      const state = await replayAccountStreams({
        readAll,
        folder,
        onPage: async (runs) => {
          for (const run of runs) entries.set(run.streamId, [...(entries.get(run.streamId) ?? []), ...run.entries]);
        },
      });
      const rows = new Map<string, AccountSummaryRow | null>(state.rows);
      // The projector may have applied events while this replay awaited: re-fold every account it
      // took past the rebuilt rows, until none is ahead, then swap without awaiting again.
      let reconciledAccounts = 0;
      for (;;) {
        const ahead = deps.readModel.rows().summaries.filter((live) => (rows.get(accountStreamId(live.accountId))?.version ?? 0) < live.version);
        if (ahead.length === 0) break;
        for (const live of ahead) {
          const folded = await foldStoredStream(readStream, accountStreamId(live.accountId));
          rows.set(folded.streamId, folded.summary);
          entries.set(folded.streamId, folded.entries);
          reconciledAccounts += 1;
        }
      }
      const summaries = [...rows.values()].filter((row): row is AccountSummaryRow => row !== null);
      deps.readModel.replaceAll(summaries, [...entries.values()].flat());
      return {
        streams: state.rows.size,
        events: state.events,
        accounts: summaries.length,
        poisoned: [...state.poisoned.values()],
        reconciledAccounts,
        durationMs: Date.now() - started,
      };
    },

    verify: () => verifyAccounts({ readAll, readStream, folder, rows: memoryRowsSource(deps.readModel) }),
  };
}

function memoryRowsSource(readModel: MemoryReadModel): AccountRowsSource {
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
