// Presents a bench run: the ratio table on the console and load/RESULTS.md, with the machine it ran
// on, because throughput numbers mean nothing without the box and the Node version behind them.
// A run has several rounds; each round measures every row back to back, and a row's ratio is the
// median over rounds of (its req/s ÷ the baseline's req/s in the same round), so a burst of load
// from something else on the box skews one round's pair rather than the whole comparison.
import os from 'node:os';
import { CannonStats, isCleanRun } from './runCannon';
import { MemoryGrowthRow, formatMemoryGrowthMarkdown } from './memoryGrowth';

export interface BenchRow {
  label: string;
  /** What the row measures, for the markdown. */
  description: string;
  /** One entry per measured round, in round order. */
  rounds: CannonStats[];
  /**
   * Per round, milliseconds of CPU the server's thread used during the measured run (serverCpu.ts).
   * CPU per request is what the server's code costs, and a shared box disturbs it far less than req/s.
   */
  serverBusyMs: number[];
  /** Why the row was not measured (e.g. the Acta server did not start). */
  skipped?: string;
  /** Minimum throughput as a multiple of the baseline, from the design's targets. */
  targetRatio?: number;
}

export interface BenchSettings {
  durationS: number;
  warmupS: number;
  rounds: number;
  connections: number;
  accounts: number;
  workers: number;
  /** Where Acta stored and relayed events, e.g. "external Postgres, in-memory bus" (never a URL). */
  storage?: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  date: string;
}

export function machineInfo(now: Date = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    totalMemoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: now.toISOString(),
  };
}

/** The fixed-rate run that measures commit → read-model lag (projectionLag.ts). */
export interface LagRow {
  targetRatePerSec: number;
  achievedRatePerSec: number;
  events: number;
  p99AtMostS: number | null;
  shareWithin: number | null;
  targetP99S: number;
  /** Why it was not measured. */
  skipped?: string;
}

export function formatLagLine(lag: LagRow): string {
  if (lag.skipped !== undefined) return `projection lag not measured: ${lag.skipped}`;
  const p99 = lag.p99AtMostS === null ? 'n/a' : lag.p99AtMostS === Infinity ? `> the largest bucket` : `≤ ${(lag.p99AtMostS * 1000).toFixed(0)} ms`;
  const within = lag.shareWithin === null ? 'n/a' : `${(lag.shareWithin * 100).toFixed(2)} %`;
  const verdict = lag.p99AtMostS !== null && lag.p99AtMostS <= lag.targetP99S ? 'PASS' : 'MISS';
  return (
    `projection lag at ${lag.targetRatePerSec} writes/s (achieved ${lag.achievedRatePerSec.toFixed(0)}/s, ${lag.events} events): ` +
    `p99 ${p99}, ${within} within ${(lag.targetP99S * 1000).toFixed(0)} ms, target p99 ≤ ${(lag.targetP99S * 1000).toFixed(0)} ms ${verdict}`
  );
}

/** Median of a non-empty list (mean of the middle two for an even length). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The row's req/s ÷ the baseline's, per round in which both were measured. */
export function roundRatios(row: BenchRow, baseline: BenchRow): number[] {
  const ratios: number[] = [];
  row.rounds.forEach((stats, index) => {
    const base = baseline.rounds[index];
    if (base !== undefined && base.requestsPerSec > 0) ratios.push(stats.requestsPerSec / base.requestsPerSec);
  });
  return ratios;
}

export function isCleanRow(row: BenchRow): boolean {
  return row.rounds.length > 0 && row.rounds.every(isCleanRun);
}

/** True when the row has a target and its median ratio is below it. */
export function missesTarget(row: BenchRow, baseline: BenchRow): boolean {
  if (row.targetRatio === undefined) return false;
  const ratios = roundRatios(row, baseline);
  return ratios.length > 0 && median(ratios) < row.targetRatio;
}

interface Cells {
  run: string;
  rps: string;
  busy: string;
  ratio: string;
  perRound: string;
  target: string;
  p50: string;
  p99: string;
  non2xx: string;
  errors: string;
}

function cells(row: BenchRow, baseline: BenchRow): Cells {
  const target = row.targetRatio === undefined ? '-' : `≥ ${row.targetRatio.toFixed(2)}`;
  if (row.rounds.length === 0) {
    return { run: row.label, rps: 'not run', busy: '-', ratio: '-', perRound: '-', target, p50: '-', p99: '-', non2xx: '-', errors: '-' };
  }
  const ratios = roundRatios(row, baseline);
  const ratio = ratios.length === 0 ? undefined : median(ratios);
  const verdict = row.targetRatio === undefined || ratio === undefined ? '' : ratio >= row.targetRatio ? ' PASS' : ' MISS';
  const sum = (pick: (stats: CannonStats) => number) => row.rounds.reduce((total, stats) => total + pick(stats), 0);
  const errors = sum((stats) => stats.errors);
  return {
    run: row.label,
    rps: median(row.rounds.map((stats) => stats.requestsPerSec)).toFixed(0),
    busy: busyPerRequest(row),
    ratio: ratio === undefined ? '-' : `${ratio.toFixed(2)}×`,
    perRound: ratios.map((value) => value.toFixed(2)).join(' ') || '-',
    target: `${target}${verdict}`,
    p50: median(row.rounds.map((stats) => stats.latencyP50Ms)).toFixed(2),
    p99: median(row.rounds.map((stats) => stats.latencyP99Ms)).toFixed(2),
    non2xx: String(sum((stats) => stats.non2xx)),
    errors: isCleanRow(row) ? String(errors) : `${errors} (run not clean)`,
  };
}

/** Median over rounds of the server's CPU time per request, in µs. */
function busyPerRequest(row: BenchRow): string {
  const perRequest = row.rounds.flatMap((stats, index) => {
    const busyMs = row.serverBusyMs[index];
    return busyMs === undefined || stats.totalRequests === 0 ? [] : [(busyMs * 1000) / stats.totalRequests];
  });
  return perRequest.length === 0 ? '-' : median(perRequest).toFixed(0);
}

const headers: Cells = {
  run: 'run',
  rps: 'req/s',
  busy: 'server CPU µs/req',
  ratio: 'vs baseline',
  perRound: 'per round',
  target: 'target',
  p50: 'p50 ms',
  p99: 'p99 ms',
  non2xx: 'non-2xx',
  errors: 'errors',
};
const columns = Object.keys(headers) as Array<keyof Cells>;

export function formatBenchTable(rows: readonly BenchRow[], baseline: BenchRow): string {
  const table = [headers, ...rows.map((row) => cells(row, baseline))];
  const widths = columns.map((column) => Math.max(...table.map((line) => line[column].length)));
  const lines = table.map((line) => columns.map((column, index) => line[column].padEnd(widths[index])).join('  ').trimEnd());
  const notes = skippedNotes(rows);
  return [...lines, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

function skippedNotes(rows: readonly BenchRow[]): string[] {
  return rows.filter((row) => row.rounds.length === 0).map((row) => `${row.label} not run: ${row.skipped ?? 'no reason recorded'}`);
}

/**
 * load/RESULTS.md. `findings` is the hand-written load/FINDINGS.md: RESULTS.md is regenerated on
 * every run, so what was learnt lives in its own file and is copied in below the numbers.
 */
export function formatResultsMarkdown(
  rows: readonly BenchRow[],
  baseline: BenchRow,
  settings: BenchSettings,
  machine: MachineInfo,
  findings: string | null = null,
  lag: LagRow | null = null,
  memory: MemoryGrowthRow | null = null,
): string {
  const tableRows = rows.map((row) => cells(row, baseline)).map((c) => `| ${columns.map((column) => c[column]).join(' | ')} |`);
  return [
    '# Acta benchmark results',
    '',
    `Generated by \`npm run bench\` (load/bench.ts) on ${machine.date}. Every row comes from the same process run.`,
    '',
    `- Machine: ${machine.cpuModel}, ${machine.cores} logical cores, ${machine.totalMemoryGiB.toFixed(1)} GiB RAM, ${machine.platform}`,
    `- Node ${machine.node}`,
    `- autocannon: ${settings.connections} connections, ${settings.rounds} round(s) of ${settings.durationS}s measured per row after ` +
      `${settings.warmupS}s discarded warm-up, ${settings.workers} worker thread(s) for the client; spread runs over ${settings.accounts} accounts`,
    ...(settings.storage === undefined ? [] : [`- Acta storage: ${settings.storage}`]),
    '',
    `| ${columns.map((column) => headers[column]).join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...tableRows,
    '',
    ...skippedNotes(rows).map((note) => `- ${note}`),
    ...(lag === null ? [] : [`- ${formatLagLine(lag)}`]),
    '',
    ...(memory === null ? [] : [...formatMemoryGrowthMarkdown(memory), '']),
    'How to read it:',
    '- Each round measures every row back to back (baseline first). req/s, p50 and p99 are medians over rounds of',
    '  autocannon\'s mean of per-second counts and its latency percentiles; "vs baseline" is the median over rounds of',
    '  the row\'s req/s ÷ the baseline\'s in the same round, and "per round" lists those ratios. The box is shared, so a',
    '  wide spread of per-round ratios means the run was disturbed; trust the median.',
    '- server CPU µs/req: CPU time of the server\'s thread (the bench\'s main thread; Linux schedstat, else event-loop',
    '  utilisation) during the measured run ÷ its requests, median over rounds: what one request costs the one thread',
    '  that serves everything (HTTP, actors, journal, relay, projector). It moves far less than req/s on a shared box.',
    '- Targets come from shared/design.md: durable deposits spread over many accounts ≥ 0.75 × the trivial Express',
    '  route, one hot account ≥ 0.6 ×, measured in the same run.',
    '- Each request carries its own Idempotency-Key and transactionId (autocannon setupRequest), so no response',
    '  is an idempotent replay.',
    ...rows.filter((row) => row.description !== '').map((row) => `- ${row.label}: ${row.description}`),
    '- projection lag: deposits spread over the same accounts at a fixed rate (autocannon overallRate) after the',
    '  rounds; the server\'s own acta_projection_lag_seconds histogram (decided → applied to the read model) is',
    '  scraped before and after, so p99 is known to its bucket bound.',
    '- passivation memory: a separate in-process server with a short ACCOUNT_IDLE_MS; N accounts are created and',
    '  given one deposit each over HTTP, then (after every actor passivated, the read side stopped moving and a forced',
    '  full GC) heapUsed and RSS are read; then factor × N accounts in total, and again. The heap is the whole bench',
    '  process (server and its HTTP client). Flat = heap ratio ≤ 1.25 and < 1,024 bytes retained per extra account (a leaked actor is kilobytes).',
    '',
    ...(findings === null ? [] : ['<!-- Everything below is copied from load/FINDINGS.md; edit it there. -->', '', findings.trimEnd(), '']),
  ].join('\n');
}
