// Picks one entry with probability proportional to its weight.
// The seed used `target <= cumulative`, which picks a zero-weight first entry whenever the draw is
// exactly 0; here a zero weight is never picked, because its interval [c, c) is empty.
import assert from 'node:assert/strict';
import { Random } from '../shared/prng';

export type WeightedEntries<T> = ReadonlyArray<readonly [T, number]>;

export function weightedPick<T>(entries: WeightedEntries<T>, random: Random): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  assert.ok(total > 0, 'weightedPick needs at least one positive weight');
  const target = random() * total;
  let cumulative = 0;
  let last: T | undefined;
  for (const [value, weight] of entries) {
    assert.ok(weight >= 0 && Number.isFinite(weight), 'weights are finite and non-negative');
    if (weight === 0) continue;
    cumulative += weight;
    last = value;
    if (target < cumulative) return value;
  }
  // Only reachable through floating-point rounding of the cumulative sum: the last positive entry.
  return last as T;
}
