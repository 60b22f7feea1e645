// Latency percentiles by the nearest-rank method, the seed's method: for n sorted samples the
// p-th percentile is the sample at rank ceil(p/100 · n) (1-based), clamped to [1, n].
// Nearest rank always returns a value that was actually observed (no interpolation), so a p99 of
// 25 ms means at least one request really took 25 ms; with few samples the high percentiles equal max.

export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Sorted copy; Float64Array sorts numerically (a plain array's default sort is lexicographic). */
export function sortedSamples(samples: ArrayLike<number>): Float64Array {
  return Float64Array.from(samples).sort();
}

/** Nearest-rank percentile of ascending `sorted`; undefined when there are no samples. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

/** p50/p95/p99/max of the samples, or null when none were recorded. */
export function latencyPercentiles(samples: ArrayLike<number>): LatencyPercentiles | null {
  if (samples.length === 0) return null;
  const sorted = sortedSamples(samples);
  return {
    p50: nearestRank(sorted, 50) as number,
    p95: nearestRank(sorted, 95) as number,
    p99: nearestRank(sorted, 99) as number,
    max: sorted[sorted.length - 1],
  };
}
