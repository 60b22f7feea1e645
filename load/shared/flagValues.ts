// Typed readers for flag values. Each names the flag in its error so a typo is found at once.
import { UsageError } from './argv';

export interface Range {
  min: number;
  max: number;
}

/** An integer within [min, max]; rejects '', '1.5', '1e3' and anything Number() would bend. */
export function readInt(flag: string, raw: string, range: Range): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${flag} must be an integer, got "${raw}"`);
  const value = Number(raw);
  return inRange(flag, value, range);
}

/** A finite decimal within [min, max]. */
export function readNumber(flag: string, raw: string, range: Range): number {
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(raw.trim())) throw new UsageError(`--${flag} must be a number, got "${raw}"`);
  return inRange(flag, Number(raw), range);
}

export function readBoolean(flag: string, raw: string): boolean {
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  if (raw === 'false' || raw === '0' || raw === 'no') return false;
  throw new UsageError(`--${flag} must be true or false, got "${raw}"`);
}

function inRange(flag: string, value: number, { min, max }: Range): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}
