// Commit → read-model lag at a fixed write rate, the design's "p99 ≤ 50 ms at 1,000 writes/s". The
// server already measures every applied event (acta_projection_lag_seconds: occurredAt, set when the
// command is decided just before its commit, to the projector applying it); the bench scrapes that
// histogram before and after a fixed-rate run and reads the run's share from the difference.
// Histogram buckets bound the answer: p99 is reported as the smallest bucket bound it fits under.

export const projectionLagMetric = 'acta_projection_lag_seconds';

/** Cumulative bucket counts by upper bound in seconds (+Inf included), from Prometheus text. */
export type Buckets = Map<number, number>;

export function parseHistogramBuckets(exposition: string, metric: string): Buckets {
  const buckets: Buckets = new Map();
  const prefix = `${metric}_bucket{`;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined || !Number.isFinite(count)) continue;
    buckets.set(le === '+Inf' ? Infinity : Number(le), count);
  }
  return buckets;
}

export interface LagSummary {
  /** Events applied during the run. */
  events: number;
  /** Smallest bucket bound (seconds) under which at least 99 % of them were applied; Infinity when only +Inf holds them. */
  p99AtMostS: number | null;
  /** Share of events applied within `withinS`. */
  shareWithin: number | null;
}

/** The run's part of the histogram: `after` minus `before`, per bucket. */
export function summarizeLag(before: Buckets, after: Buckets, withinS: number): LagSummary {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0));
  const events = counts[counts.length - 1] ?? 0;
  if (events <= 0) return { events: 0, p99AtMostS: null, shareWithin: null };
  const p99Index = counts.findIndex((count) => count >= 0.99 * events);
  const withinIndex = bounds.indexOf(withinS);
  return {
    events,
    p99AtMostS: p99Index === -1 ? null : (bounds[p99Index] as number),
    shareWithin: withinIndex === -1 ? null : (counts[withinIndex] as number) / events,
  };
}

export async function scrapeBuckets(origin: string, metric: string): Promise<Buckets> {
  const response = await fetch(`${origin}/metrics`);
  if (!response.ok) throw new Error(`GET ${origin}/metrics answered ${response.status}`);
  return parseHistogramBuckets(await response.text(), metric);
}
