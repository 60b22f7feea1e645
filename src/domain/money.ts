// Money is an integer count of minor units, 1 .. 2^53 - 1 for amounts and 0 .. 2^53 - 1 for balances.
import { limits } from '../config/limits';

export type MinorUnits = number;

export function isValidAmount(value: unknown): value is MinorUnits {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= limits.moneyMax;
}

/** Currency: a 3-letter upper-case ISO 4217 code. */
export const currencyPattern = /^[A-Z]{3}$/;
