// A message or event the projection can never apply, however often it is retried: undecodable
// JSON, an unknown type, bad data, or a transition the write side could not have produced. It goes
// to a dead-letter record and the partition moves on; retrying it would stall every stream behind it.

/** Verdicts on the message or event envelope, shared by every projection. */
export const envelopePoisonCodes = ['undecodable_message', 'key_mismatch', 'unknown_event_type', 'invalid_event_data', 'version_out_of_order'] as const;

/**
 * A transition the aggregate's own evolve() refuses (its assertions), shared by every projection
 * that folds with the write side's evolve: a second AccountCreated or TransferRequested, a balance
 * below the open holds or above the money bound, a capture or release of more than is held.
 */
export const transitionPoisonCodes = ['invalid_transition'] as const;

/** What only the account's row can tell: it must exist, and money must move in its currency. */
export const accountPoisonCodes = ['not_an_account_stream', 'account_id_mismatch', 'account_not_found', 'currency_mismatch'] as const;

export const transferPoisonCodes = ['not_a_transfer_stream', 'transfer_id_mismatch', 'transfer_not_found'] as const;

/** Verdicts of the batch planner, whatever the projection. */
export const plannerPoisonCodes = ['gap_unrepairable', 'stream_blocked'] as const;

export const poisonCodes = [...envelopePoisonCodes, ...transitionPoisonCodes, ...accountPoisonCodes, ...transferPoisonCodes, ...plannerPoisonCodes] as const;

export type PoisonCode = (typeof poisonCodes)[number];

export class PoisonEventError extends Error {
  override readonly name = 'PoisonEventError';

  constructor(
    readonly code: PoisonCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function poison(code: PoisonCode, message: string): PoisonEventError {
  return new PoisonEventError(code, message);
}
