// The bench's box ceiling: how many requests per second the box's cores could serve at the CPU per
// request a row measured (server thread + other threads of the bench + Postgres), and what that means
// for the row's target. If the ceiling is below target × baseline, no amount of waiting or batching on
// the server's side meets the target on this box; only spending less CPU per request does.

/** CPU time per request in µs; null when nothing was measured (no reading, or no request). */
export function perRequestUs(ms: number | null | undefined, requests: number): number | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || !(requests > 0)) return null;
  return (ms * 1000) / requests;
}

/** The sum of a round's parts, or null when any part is unknown (a partial sum would flatter the row). */
export function sumOrNull(parts: ReadonlyArray<number | null>): number | null {
  let total = 0;
  for (const part of parts) {
    if (part === null) return null;
    total += part;
  }
  return total;
}

export function formatUs(us: number | null): string {
  return us === null || !Number.isFinite(us) ? 'n/a' : us.toFixed(0);
}

export interface CeilingInput {
  label: string;
  cores: number;
  /** Medians over rounds. */
  boxUsPerRequest: number | null;
  serverUsPerRequest: number | null;
  baselineRps: number | null;
  targetRatio: number;
}

export interface Ceiling {
  /** cores × 1e6 ÷ box µs/req. */
  ceilingRps: number;
  /** ceiling ÷ baseline req/s. */
  ceilingRatio: number;
  /** Box µs/req at which the ceiling equals the target: cores × 1e6 ÷ (target × baseline req/s). */
  budgetUsPerRequest: number;
  /** 1e6 ÷ server µs/req: one thread serves everything, so it cannot do more. */
  threadCeilingRps: number | null;
  withinReach: boolean;
}

const usPerSecond = 1e6;

function positive(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

/** Null when an input is missing or not positive, so nothing downstream divides by zero. */
export function boxCeiling(input: CeilingInput): Ceiling | null {
  const { cores, boxUsPerRequest, serverUsPerRequest, baselineRps, targetRatio } = input;
  if (!positive(cores) || !positive(boxUsPerRequest) || !positive(baselineRps) || !positive(targetRatio)) return null;
  const ceilingRps = (cores * usPerSecond) / boxUsPerRequest;
  const ceilingRatio = ceilingRps / baselineRps;
  return {
    ceilingRps,
    ceilingRatio,
    budgetUsPerRequest: (cores * usPerSecond) / (targetRatio * baselineRps),
    threadCeilingRps: positive(serverUsPerRequest) ? usPerSecond / serverUsPerRequest : null,
    withinReach: ceilingRatio >= targetRatio,
  };
}

export function formatCeilingLine(input: CeilingInput): string {
  const ceiling = boxCeiling(input);
  if (ceiling === null) {
    return `box ceiling for ${input.label}: n/a (box CPU ${formatUs(input.boxUsPerRequest)} µs/req, baseline ${input.baselineRps === null ? 'n/a' : input.baselineRps.toFixed(0)} req/s)`;
  }
  const baselineRps = input.baselineRps as number;
  const verdict = ceiling.withinReach ? 'the target is within reach on this box at this CPU per request' : 'the target cannot be met on this box at this CPU per request';
  const thread =
    ceiling.threadCeilingRps === null
      ? 'thread ceiling n/a'
      : `thread ceiling 1e6 ÷ ${formatUs(input.serverUsPerRequest)} µs/req = ${ceiling.threadCeilingRps.toFixed(0)} req/s = ${(ceiling.threadCeilingRps / baselineRps).toFixed(2)}×`;
  return (
    `box ceiling for ${input.label}: ${input.cores} cores ÷ ${formatUs(input.boxUsPerRequest)} µs/req = ${ceiling.ceilingRps.toFixed(0)} req/s = ` +
    `${ceiling.ceilingRatio.toFixed(2)}× of the baseline's ${baselineRps.toFixed(0)} req/s (target ${input.targetRatio.toFixed(2)}×): ${verdict}; ` +
    `the target needs ≤ ${formatUs(ceiling.budgetUsPerRequest)} box µs/req; ${thread}`
  );
}
