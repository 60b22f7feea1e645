// What a command produced, as the core sees it, with no transport in it: accepted with the view it
// led to, rejected with the code of the rule it broke, replayed (an earlier answer to the same
// request), or unavailable (nothing was decided: retry with the same Idempotency-Key to learn the
// outcome). src/http/outcomeResponse.ts maps every kind and code to HTTP in one table; that
// rendering is what idempotency and transaction records keep, so a replay is byte for byte the
// original (the core receives the renderer as a RenderOutcome and never looks inside it).
import { AccountCommand } from '../domain/account/accountCommands';
import { AccountRejectionCode } from '../domain/account/accountRejection';
import { RecordedResponse } from './commandRecords';

/** The commands whose acceptance is answered: the account commands and the transfer request. */
export type AcceptedCommand = AccountCommand['type'] | 'RequestTransfer';

export interface Accepted {
  kind: 'accepted';
  command: AcceptedCommand;
  /** The public shape of what the command led to (account or transfer view plus the command's own fields). */
  view: Record<string, unknown>;
  /** The stream version the command's write produced (or stands at, for a no-op). */
  version: number;
}

/** Refusals decided by the core: business rules, then the request's own identity and process rules. */
export type RejectionCode =
  | AccountRejectionCode
  | 'idempotency_key_reused'
  | 'transaction_id_reused'
  | 'transfer_id_reused'
  | 'same_account'
  | 'transfer_leg_void';

export interface Rejected {
  kind: 'rejected';
  code: RejectionCode;
  detail: string;
}

/** Why nothing was decided. Every one of these may pass: the caller retries with the same key. */
export type UnavailableCode =
  | 'mailbox_full'
  | 'command_timeout'
  | 'account_unavailable'
  | 'actors_exhausted'
  | 'node_overloaded'
  | 'shutting_down'
  | 'concurrency_conflict';

export interface Unavailable {
  kind: 'unavailable';
  code: UnavailableCode;
  detail: string;
}

/** An outcome produced by this request's own run. */
export type FreshOutcome = Accepted | Rejected | Unavailable;

/** A decision: what records keep under a key or a transaction id. */
export type Decision = Accepted | Rejected;

export interface Replayed {
  kind: 'replayed';
  /** The recorded response (from the store) or the outcome of the run this request repeats (in flight). */
  original: RecordedResponse | FreshOutcome;
}

export type CommandOutcome = FreshOutcome | Replayed;

/**
 * Renders an outcome into the response a record keeps (records keep only decisions); provided by
 * the edge (src/http/outcomeResponse.ts). The core treats what it returns as opaque, except for
 * the human-readable detail of a transient failure.
 */
export type RenderOutcome = (outcome: FreshOutcome) => RecordedResponse;

/** The first outcome of a repeat: a replayed outcome answers with what it replays. */
export function asReplay(outcome: CommandOutcome): Replayed {
  return { kind: 'replayed', original: outcome.kind === 'replayed' ? outcome.original : outcome };
}
