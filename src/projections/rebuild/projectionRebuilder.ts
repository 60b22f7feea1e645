// What the admin routes and the replay CLI can ask of the rebuild tooling of the read models
// (account_summary + account_statement, transfer_summary). Implementations: Postgres
// (rebuildProjections.ts) and in-memory (src/infra/memory/memoryProjectionRebuilder.ts).
import { StreamPoison } from './foldStreams';
import { VerifyReport } from '../verify/verifyReport';

/** What rebuilding one stream's rows did. */
export interface RebuildStreamResult {
  /** False when the event store holds no event of the stream (its rows, if any, are removed). */
  found: boolean;
  events: number;
  /** The version the rebuilt row holds (0 when there is none). */
  version: number;
  poison: StreamPoison | null;
}

export interface RebuildAccountResult extends RebuildStreamResult, Record<string, unknown> {
  accountId: string;
}

export interface RebuildTransferResult extends RebuildStreamResult, Record<string, unknown> {
  transferId: string;
}

/** What a full rebuild of one projection did. */
export interface ProjectionRebuildResult {
  streams: number;
  events: number;
  /** Rows the rebuilt projection holds. */
  rows: number;
  poisoned: StreamPoison[];
  /** Rows the live projector had taken past the rebuilt ones, re-folded just before the swap. */
  reconciled: number;
}

export interface RebuildAllResult extends Record<string, unknown> {
  /** Streams of every projection folded. */
  streams: number;
  /** Events of the log walked (each projection walks the same log). */
  events: number;
  accounts: number;
  transfers: number;
  poisoned: StreamPoison[];
  reconciledAccounts: number;
  reconciledTransfers: number;
  durationMs: number;
}

export interface ProjectionRebuilder {
  rebuildAccount(accountId: string): Promise<RebuildAccountResult>;
  rebuildTransfer(transferId: string): Promise<RebuildTransferResult>;
  /** Every read model, each swapped in whole once rebuilt. */
  rebuildAll(): Promise<RebuildAllResult>;
  verify(): Promise<VerifyReport>;
}

export type RebuildPhase = 'build' | 'catch-up' | 'verify';

export function rebuildAllResult(accounts: ProjectionRebuildResult, transfers: ProjectionRebuildResult, durationMs: number): RebuildAllResult {
  return {
    streams: accounts.streams + transfers.streams,
    events: Math.max(accounts.events, transfers.events),
    accounts: accounts.rows,
    transfers: transfers.rows,
    poisoned: [...accounts.poisoned, ...transfers.poisoned],
    reconciledAccounts: accounts.reconciled,
    reconciledTransfers: transfers.reconciled,
    durationMs,
  };
}
