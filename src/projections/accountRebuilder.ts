// What the admin routes and the replay CLI can ask of the account projection's rebuild tooling.
// Implementations: Postgres (rebuildAccounts.ts) and in-memory (src/infra/memory/memoryAccountRebuilder.ts).
import { StreamPoison } from './foldAccountStreams';
import { VerifyReport } from './verifyAccounts';

export interface RebuildAccountResult extends Record<string, unknown> {
  accountId: string;
  /** False when the event store holds no event of the account (its rows, if any, are removed). */
  found: boolean;
  events: number;
  /** The version the rebuilt summary holds (0 when there is none). */
  version: number;
  poison: StreamPoison | null;
}

export interface RebuildAllResult extends Record<string, unknown> {
  streams: number;
  events: number;
  accounts: number;
  poisoned: StreamPoison[];
  /** Accounts the live projector had taken past the rebuilt rows, re-folded just before the swap. */
  reconciledAccounts: number;
  durationMs: number;
}

export interface AccountRebuilder {
  rebuildAccount(accountId: string): Promise<RebuildAccountResult>;
  rebuildAll(): Promise<RebuildAllResult>;
  verify(): Promise<VerifyReport>;
}

export type RebuildPhase = 'build' | 'catch-up' | 'verify';
