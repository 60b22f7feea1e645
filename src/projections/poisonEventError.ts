// A message or event the projection can never apply, however often it is retried: undecodable
// JSON, an unknown type, bad data, or a transition the write side could not have produced. It goes
// to a dead-letter record and the partition moves on; retrying it would stall every account behind it.

export const poisonCodes = [
  'undecodable_message',
  'key_mismatch',
  'not_an_account_stream',
  'unknown_event_type',
  'invalid_event_data',
  'account_id_mismatch',
  'version_out_of_order',
  'account_not_found',
  'account_already_exists',
  'currency_mismatch',
  'balance_out_of_range',
  'gap_unrepairable',
  'stream_blocked',
] as const;

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
