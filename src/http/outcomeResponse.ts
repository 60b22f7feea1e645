// The one table from a command's outcome (src/ports/commandOutcome.ts) to HTTP: the status of each
// accepted command, of each rejection code and of each reason a command went undecided. Rejections
// and unavailability answer RFC 9457 problem+json; insufficient_funds stays 400 for seed
// compatibility. A replay answers the original's status and body with Idempotent-Replayed.
import {
  AcceptedCommand,
  CommandOutcome,
  FreshOutcome,
  RejectionCode,
  UnavailableCode,
} from '../ports/commandOutcome';
import { RecordedResponse } from '../ports/commandRecords';
import { problemResponse } from './problem';

export const acceptedStatus: Readonly<Record<AcceptedCommand, number>> = {
  OpenAccount: 201,
  DepositMoney: 201,
  WithdrawMoney: 201,
  FreezeAccount: 200,
  UnfreezeAccount: 200,
  PlaceHold: 200,
  CaptureHold: 200,
  ReleaseHold: 200,
  CreditTransfer: 200,
  RequestTransfer: 202,
};

export const rejectionStatus: Readonly<Record<RejectionCode, number>> = {
  account_already_exists: 409,
  account_not_found: 404,
  currency_mismatch: 422,
  account_already_frozen: 409,
  account_not_frozen: 409,
  account_frozen: 409,
  hold_not_found: 409,
  holds_limit_exceeded: 422,
  insufficient_funds: 400,
  balance_limit_exceeded: 422,
  idempotency_key_reused: 422,
  transaction_id_reused: 409,
  transfer_id_reused: 409,
  same_account: 422,
  transfer_leg_void: 409,
};

interface UnavailableAnswer {
  status: number;
  /** Fields the problem carries beyond the standard ones. */
  extra?: Record<string, unknown>;
}

export const unavailableAnswers: Readonly<Record<UnavailableCode, UnavailableAnswer>> = {
  mailbox_full: { status: 503, extra: { retryAfterSeconds: 1 } },
  command_timeout: { status: 503 },
  account_unavailable: { status: 503 },
  actors_exhausted: { status: 503, extra: { retryAfterSeconds: 1 } },
  node_overloaded: { status: 503, extra: { retryAfterSeconds: 1 } },
  shutting_down: { status: 503 },
  // Another writer kept moving the stream: nothing was decided, the same key may be retried (409
  // as the seed's clients know it).
  concurrency_conflict: { status: 409 },
};

/** A response to send: replayed ones carry the Idempotent-Replayed header (see respond.ts). */
export interface OutcomeResponse extends RecordedResponse {
  replayed?: boolean;
}

export function outcomeResponse(outcome: CommandOutcome): OutcomeResponse {
  if (outcome.kind !== 'replayed') return freshResponse(outcome);
  const { original } = outcome;
  return { ...('kind' in original ? freshResponse(original) : original), replayed: true };
}

/** The response an outcome renders to, without replay marks: the core's RenderOutcome. */
export function freshResponse(outcome: FreshOutcome): RecordedResponse {
  switch (outcome.kind) {
    case 'accepted':
      return { status: acceptedStatus[outcome.command], body: outcome.view };
    case 'rejected':
      return problemResponse(rejectionStatus[outcome.code], outcome.code, outcome.detail);
    case 'unavailable': {
      const answer = unavailableAnswers[outcome.code];
      return problemResponse(answer.status, outcome.code, outcome.detail, answer.extra);
    }
  }
}
