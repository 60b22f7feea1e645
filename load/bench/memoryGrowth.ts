// Pure arithmetic and presentation of the passivation memory measurement (passivationMemory.ts):
// heap and RSS after touching N accounts and after touching factor × N, each taken once the actors
// have passivated and a full GC has run. Memory is "flat" when what stays on the heap does not grow
// with the number of accounts ever touched, only with the number live.

/** One measurement point: everything touched so far has been given time to passivate, then a forced GC. */
export interface MemoryStep {
  /** Distinct accounts touched since the server started (created + one deposit each). */
  accountsTouched: number;
  /** Live account actors right after the touching finished, before waiting for passivation. */
  liveActorsPeak: number;
  /** Live account actors when memory was read. */
  liveActors: number;
  heapUsedBytes: number;
  rssBytes: number;
  /** Seconds the touching took (HTTP create + deposit per account). */
  touchSeconds: number;
}

export interface MemoryGrowthRow {
  idleMs: number;
  /** How the GC was forced, e.g. "global.gc (--expose-gc)"; null when it could not be. */
  gc: string | null;
  small: MemoryStep | null;
  large: MemoryStep | null;
  /** Why it was not measured (or not completely). */
  skipped?: string;
}

export interface MemoryGrowthSummary {
  factor: number;
  heapRatio: number;
  rssRatio: number;
  /** Heap that stayed per account touched between the two steps; ≈ 0 when passivation frees everything. */
  retainedBytesPerAccount: number;
  flat: boolean;
}

/**
 * Heap at the large step may exceed the small one by this ratio and still count as flat: a GC'd heap
 * of a few tens of MiB moves by several percent with code warm-up (JIT, inline caches, pools).
 */
export const flatHeapRatioMax = 1.25;
/**
 * ...and what stays per extra account must be below this. A leaked actor (xstate actor, snapshot,
 * child logger) is kilobytes; a GC'd heap also moves by ~1–1.5 MiB between steps with warm-up alone
 * (seen at 5,000 and at 20,000 accounts), which at 5,000 accounts is ~300 B/account of noise. A
 * leaked map entry of a few hundred bytes therefore needs a larger run (--passivation-accounts=200).
 */
export const flatRetainedBytesPerAccountMax = 1_024;

export function summarizeMemoryGrowth(small: MemoryStep, large: MemoryStep): MemoryGrowthSummary {
  const extraAccounts = large.accountsTouched - small.accountsTouched;
  const retainedBytesPerAccount = extraAccounts > 0 ? (large.heapUsedBytes - small.heapUsedBytes) / extraAccounts : 0;
  const heapRatio = small.heapUsedBytes > 0 ? large.heapUsedBytes / small.heapUsedBytes : Infinity;
  return {
    factor: small.accountsTouched > 0 ? large.accountsTouched / small.accountsTouched : Infinity,
    heapRatio,
    rssRatio: small.rssBytes > 0 ? large.rssBytes / small.rssBytes : Infinity,
    retainedBytesPerAccount,
    flat: heapRatio <= flatHeapRatioMax && retainedBytesPerAccount < flatRetainedBytesPerAccountMax,
  };
}

function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}

function stepCells(name: string, step: MemoryStep): string[] {
  return [name, String(step.accountsTouched), String(step.liveActorsPeak), String(step.liveActors), mib(step.heapUsedBytes), mib(step.rssBytes), step.touchSeconds.toFixed(1)];
}

/** One step on the console. */
export function formatMemoryStep(step: MemoryStep): string {
  return (
    `  ${step.accountsTouched} accounts touched in ${step.touchSeconds.toFixed(1)} s: ${step.liveActorsPeak} live actors after touching, ` +
    `${step.liveActors} at measurement, heapUsed ${mib(step.heapUsedBytes)} MiB, RSS ${mib(step.rssBytes)} MiB`
  );
}

/** One line for the console and the verdict under the table. */
export function formatMemoryGrowthLine(row: MemoryGrowthRow): string {
  if (row.small === null || row.large === null) return `passivation memory not measured: ${row.skipped ?? 'no reason recorded'}`;
  const s = summarizeMemoryGrowth(row.small, row.large);
  return (
    `passivation memory: ${row.small.accountsTouched} → ${row.large.accountsTouched} accounts touched (×${s.factor.toFixed(0)}), ` +
    `heapUsed ${mib(row.small.heapUsedBytes)} → ${mib(row.large.heapUsedBytes)} MiB (×${s.heapRatio.toFixed(2)}), ` +
    `RSS ×${s.rssRatio.toFixed(2)}, ${s.retainedBytesPerAccount.toFixed(1)} B retained per extra account, ` +
    `target flat (heap ×≤ ${flatHeapRatioMax}, < ${flatRetainedBytesPerAccountMax} B/account) ${s.flat ? 'PASS' : 'MISS'}`
  );
}

/** Markdown table (and verdict) for RESULTS.md. */
export function formatMemoryGrowthMarkdown(row: MemoryGrowthRow): string[] {
  const header = ['step', 'accounts touched', 'live actors after touching', 'live actors at measurement', 'heapUsed MiB', 'RSS MiB', 'touch s'];
  const steps: Array<[string, MemoryStep | null]> = [
    ['N', row.small],
    ['factor × N', row.large],
  ];
  const lines = steps.filter((entry): entry is [string, MemoryStep] => entry[1] !== null).map(([name, step]) => `| ${stepCells(name, step).join(' | ')} |`);
  return [
    `Passivation memory (ACCOUNT_IDLE_MS=${row.idleMs}; memory read after every touched actor passivated and a forced GC via ${row.gc ?? 'none (not forced)'}):`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...lines,
    '',
    `- ${formatMemoryGrowthLine(row)}`,
  ];
}
