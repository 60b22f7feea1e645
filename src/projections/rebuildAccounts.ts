// Rebuilds of the account read models on Postgres, from the event store.
//
// rebuildAccount: one transaction deletes the account's rows and writes a fresh fold of its stream.
// rebuildAll: folds the whole log into unlogged shadow tables while readers keep using the live
// ones, catches up, then swaps in one short transaction that holds the live tables only long enough
// to add what arrived meanwhile, so a reader sees the old read model or the new one, never a
// half-empty one (the seed's bug 7.1.8). One full rebuild at a time, across processes (advisory lock).
// verify: compares every row with a fold of the event store (verifyAccounts.ts).
import type { Pool, PoolClient } from 'pg';
import { accountStreamId } from '../domain/account/accountEvents';
import { insertEntries, upsertSummaries } from '../infra/postgres/accountReadModelRows';
import {
  createShadowTables,
  dropShadowTables,
  lockLiveTables,
  makeShadowTablesLogged,
  swapInShadowTables,
} from '../infra/postgres/accountShadowTables';
import { PostgresAccountRows } from '../infra/postgres/postgresAccountRows';
import { withTransactionClient } from '../infra/postgres/transactionClient';
import { EventStore } from '../ports/eventStore';
import { AccountSummaryRow } from '../ports/readModel';
import { AccountRebuilder, RebuildAccountResult, RebuildAllResult, RebuildPhase } from './accountRebuilder';
import { foldStoredStream } from './foldStoredStream';
import { projectionLimits } from './projectionLimits';
import { ReplayProgress, ReplayState, replayAccountStreams } from './replayAccountStreams';
import { inProcessStreamFolder, StreamFolder } from './streamFolder';
import { verifyAccounts, VerifyReport } from './verifyAccounts';

/** Advisory lock key of a full rebuild: "ACTARBL1" as 8 ASCII bytes. */
export const rebuildAllLockKey = '4702695075434613809';

export interface RebuildDeps {
  pool: Pool;
  store: Pick<EventStore, 'readAll' | 'readStream'>;
  /** Defaults to in-process folding; the CLI passes the piscina folder. */
  folder?: StreamFolder;
  onProgress?: (phase: RebuildPhase, progress: ReplayProgress) => void;
}

/** Another process (or request) is running a full rebuild right now. */
export class RebuildInProgressError extends Error {
  override readonly name = 'RebuildInProgressError';
}

export function createAccountRebuilder(deps: RebuildDeps): AccountRebuilder {
  const folder = deps.folder ?? inProcessStreamFolder;
  const readStream = deps.store.readStream.bind(deps.store);
  const readAll = deps.store.readAll.bind(deps.store);
  const progress = (phase: RebuildPhase) => (value: ReplayProgress) => deps.onProgress?.(phase, value);

  async function rebuildAccount(accountId: string): Promise<RebuildAccountResult> {
    return withTransactionClient(deps.pool, async (client) => {
      await client.query('begin');
      // Deleting first takes the rows' locks: a projector batch on this account waits for the
      // commit, then finds no row it had read and repairs from the store (the same fold).
      await client.query('delete from account_summary where account_id = $1', [accountId]);
      await client.query('delete from account_statement where account_id = $1', [accountId]);
      const folded = await foldStoredStream(readStream, accountStreamId(accountId));
      await insertEntries(client, 'account_statement', folded.entries);
      if (folded.summary) await upsertSummaries(client, 'account_summary', [folded.summary]);
      await client.query('commit');
      return { accountId, found: folded.events > 0, events: folded.events, version: folded.summary?.version ?? 0, poison: folded.poison };
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
      if (!rows[0]?.locked) throw new RebuildInProgressError('a full rebuild of the account projection is already running');
      try {
        return await buildAndSwap(client, started);
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

  async function buildAndSwap(client: PoolClient, started: number): Promise<RebuildAllResult> {
    let swapped = false;
    try {
      await createShadowTables(client);
      const state = await replayAccountStreams({
        readAll,
        folder,
        onProgress: progress('build'),
        onPage: (runs) => insertEntries(client, 'account_statement_next', runs.flatMap((run) => run.entries)),
      });
      await upsertSummaries(client, 'account_summary_next', presentRows(state.rows.values()));
      await makeShadowTablesLogged(client);
      // Most of what arrived during the build is added now, so the locked step below stays short.
      await catchUp(client, state);
      const reconciledAccounts = await swap(client, state);
      swapped = true;
      return {
        streams: state.rows.size,
        events: state.events,
        accounts: presentRows(state.rows.values()).length,
        poisoned: [...state.poisoned.values()],
        reconciledAccounts,
        durationMs: Date.now() - started,
      };
    } finally {
      if (!swapped) await dropShadowTables(client);
    }
  }

  /** Continues the replay into the shadows; upserts the rows of the streams it touched. */
  async function catchUp(client: PoolClient, state: ReplayState): Promise<void> {
    const touched = new Set<string>();
    await replayAccountStreams({
      readAll,
      folder,
      state,
      onProgress: progress('catch-up'),
      onPage: async (runs) => {
        runs.forEach((run) => touched.add(run.streamId));
        await insertEntries(client, 'account_statement_next', runs.flatMap((run) => run.entries));
      },
    });
    await upsertSummaries(client, 'account_summary_next', presentRows([...touched].map((streamId) => state.rows.get(streamId) ?? null)));
  }

  /**
   * The one short transaction readers wait for. With the live tables locked: a last catch-up, then
   * every account the live projector has taken past the shadow (it may have applied events that
   * readAll did not show yet) is re-folded from its stream, then the tables are swapped.
   */
  async function swap(client: PoolClient, state: ReplayState): Promise<number> {
    await client.query('begin');
    try {
      await lockLiveTables(client, projectionLimits.swapLockTimeoutMs);
      await catchUp(client, state);
      const { rows } = await client.query<{ account_id: string }>(
        `select live.account_id from account_summary live
         left join account_summary_next shadow on shadow.account_id = live.account_id
         where shadow.account_id is null or shadow.version < live.version`,
      );
      for (const { account_id: accountId } of rows) await refoldIntoShadow(client, accountId);
      await swapInShadowTables(client);
      await client.query('commit');
      return rows.length;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        throw new AggregateError([error, rollbackError], 'the rebuild swap failed and so did its rollback');
      });
      throw error;
    }
  }

  async function refoldIntoShadow(client: PoolClient, accountId: string): Promise<void> {
    const folded = await foldStoredStream(readStream, accountStreamId(accountId));
    await client.query('delete from account_statement_next where account_id = $1', [accountId]);
    await client.query('delete from account_summary_next where account_id = $1', [accountId]);
    await insertEntries(client, 'account_statement_next', folded.entries);
    if (folded.summary) await upsertSummaries(client, 'account_summary_next', [folded.summary]);
  }

  async function verify(): Promise<VerifyReport> {
    return verifyAccounts({ readAll, readStream, folder, rows: new PostgresAccountRows(deps.pool), onProgress: progress('verify') });
  }

  return { rebuildAccount, rebuildAll, verify };
}

function presentRows(rows: Iterable<AccountSummaryRow | null>): AccountSummaryRow[] {
  return [...rows].filter((row): row is AccountSummaryRow => row !== null);
}
