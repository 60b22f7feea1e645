// Presents a bench run: the ratio table on the console and load/RESULTS.md, with the machine it ran
// on, because throughput numbers mean nothing without the box and the Node version behind them.
// A run has several rounds; each round measures every row back to back, and a row's ratio is the
// median over rounds of (its req/s ÷ the baseline's req/s in the same round), so a burst of load
// from something else on the box skews one round's pair rather than the whole comparison.
import os from 'node:os';
import { CannonStats, isCleanRun } from '../cannon/runCannon';
import { MemoryGrowthRow, formatMemoryGrowthMarkdown } from './memoryGrowth';
import type { BoxCpuMs } from './boxCpu';
import { formatCeilingLine, formatUs, perRequestUs, sumOrNull } from './boxCeiling';
import { BalanceVerdict, acknowledgedRequests } from './balanceCheck';
import { sustainedShare } from './projectionLag';

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
  /** Per round, the rest of the box's CPU during the measured run: load client, other threads, Postgres (boxCpu.ts). Absent: not sampled, the columns say n/a. */
  boxCpuMs?: BoxCpuMs[];
  /** Why the row was not measured (e.g. the Acta server did not start). */
  skipped?: string;
  /** Minimum throughput as a multiple of the baseline, from the design's targets. */
  targetRatio?: number;
  /** Durable rows: the balances read back after each measured run (balanceCheck.ts). */
  balanceChecks?: BalanceVerdict[];
  /**
   * Non-2xx statuses that are the row's own answer rather than a broken run: the Emmett peer's 412 for a
   * version conflict its retries did not settle. Counted and shown, never acknowledged as deposits.
   */
  toleratedStatuses?: readonly number[];
}

/** An Acta row and the Emmett peer's row of the same scenario, for "Acta ÷ Emmett". */
export interface PeerPair {
  scenario: string;
  acta: BenchRow;
  peer: BenchRow;
  /** Minimum Acta ÷ Emmett req/s. */
  targetRatio: number;
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
  /** os.availableParallelism(): the cores this process may run on, for the box ceiling; absent, `cores`. */
  availableParallelism?: number;
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
    availableParallelism: os.availableParallelism(),
    totalMemoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: now.toISOString(),
  };
}

/** The fixed-rate run that measures commit → read-model lag (projectionLag.ts). */
export interface LagRow {
  /** The rate asked with --lag-rate. */
  askedRatePerSec: number;
  /** The rate sent: the one asked, or less when the spread row sustained less (projectionLag.ts lagRunRate). */
  targetRatePerSec: number;
  /** The spread row's median req/s, when the rate was capped by it. */
  sustainedPerSec: number | null;
  achievedRatePerSec: number;
  events: number;
  p99AtMostS: number | null;
  shareWithin: number | null;
  targetP99S: number;
  /** Deposits sent and not answered 201, and what they got (status code or `error`). */
  failed: number;
  failures: Record<string, number>;
  /** How far the paced client fell behind its schedule at worst (it sends open loop, pacedSchedule.ts). */
  lateMaxMs: number;
  /** Why it was not measured. */
  skipped?: string;
}

export function formatLagLine(lag: LagRow): string {
  if (lag.skipped !== undefined) return `projection lag not measured: ${lag.skipped}`;
  const p99 = lag.p99AtMostS === null ? 'n/a' : lag.p99AtMostS === Infinity ? `> the largest bucket` : `≤ ${(lag.p99AtMostS * 1000).toFixed(0)} ms`;
  const within = lag.shareWithin === null ? 'n/a' : `${(lag.shareWithin * 100).toFixed(2)} %`;
  const verdict = lag.p99AtMostS !== null && lag.p99AtMostS <= lag.targetP99S ? 'PASS' : 'MISS';
  return (
    `projection lag at ${lag.targetRatePerSec} writes/s${capped(lag)} (achieved ${lag.achievedRatePerSec.toFixed(0)}/s, ${lag.events} events): ` +
    `p99 ${p99}, ${within} within ${(lag.targetP99S * 1000).toFixed(0)} ms, target p99 ≤ ${(lag.targetP99S * 1000).toFixed(0)} ms ${verdict}` +
    ` (paced client at most ${lag.lateMaxMs.toFixed(0)} ms behind schedule${lag.failed > 0 ? `, ${lag.failed} not answered 201: ${formatFailures(lag.failures)}` : ''})`
  );
}

function capped(lag: LagRow): string {
  if (lag.targetRatePerSec === lag.askedRatePerSec || lag.sustainedPerSec === null) return '';
  return ` (asked ${lag.askedRatePerSec}/s; the spread row sustained ${lag.sustainedPerSec.toFixed(0)} req/s, so ${(sustainedShare * 100).toFixed(0)} % of that)`;
}

function formatFailures(failures: Record<string, number>): string {
  return Object.entries(failures)
    .map(([what, count]) => `${count} × ${what}`)
    .join(', ');
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

/** Responses with one of the row's tolerated statuses in one run. */
export function toleratedResponses(row: BenchRow, stats: CannonStats): number {
  return (row.toleratedStatuses ?? []).reduce((sum, status) => sum + (stats.statusCodes[String(status)] ?? 0), 0);
}

/** Every run measured something, had no connection error, and every non-2xx was a tolerated status. */
export function isCleanRow(row: BenchRow): boolean {
  return row.rounds.length > 0 && row.rounds.every((stats) => isCleanRun({ ...stats, non2xx: stats.non2xx - toleratedResponses(row, stats) }));
}

/** Deposits acknowledged (2xx) per second in each round: what a comparison of two stacks should divide. */
function acknowledgedPerSec(row: BenchRow): number[] {
  return row.rounds.map((stats) => (stats.durationS > 0 ? acknowledgedRequests(stats) / stats.durationS : 0));
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
  client: string;
  others: string;
  pg: string;
  box: string;
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
    return { run: row.label, rps: 'not run', busy: '-', client: '-', others: '-', pg: '-', box: '-', ratio: '-', perRound: '-', target, p50: '-', p99: '-', non2xx: '-', errors: '-' };
  }
  const ratios = roundRatios(row, baseline);
  const ratio = ratios.length === 0 ? undefined : median(ratios);
  const verdict = row.targetRatio === undefined || ratio === undefined ? '' : ratio >= row.targetRatio ? ' PASS' : ' MISS';
  const sum = (pick: (stats: CannonStats) => number) => row.rounds.reduce((total, stats) => total + pick(stats), 0);
  const errors = sum((stats) => stats.errors);
  return {
    run: row.label,
    rps: median(row.rounds.map((stats) => stats.requestsPerSec)).toFixed(0),
    busy: formatUs(medianPerRequest(row, 'server')),
    client: formatUs(medianPerRequest(row, 'client')),
    others: formatUs(medianPerRequest(row, 'others')),
    pg: formatUs(medianPerRequest(row, 'pg')),
    box: formatUs(medianPerRequest(row, 'box')),
    ratio: ratio === undefined ? '-' : `${ratio.toFixed(2)}×`,
    perRound: ratios.map((value) => value.toFixed(2)).join(' ') || '-',
    target: `${target}${verdict}`,
    p50: median(row.rounds.map((stats) => stats.latencyP50Ms)).toFixed(2),
    p99: median(row.rounds.map((stats) => stats.latencyP99Ms)).toFixed(2),
    non2xx: String(sum((stats) => stats.non2xx)),
    errors: isCleanRow(row) ? String(errors) : `${errors} (run not clean)`,
  };
}

type CpuPart = 'server' | 'client' | 'others' | 'pg' | 'box';

/** One round's CPU per request in µs, by part; null when a part could not be read or nothing was measured. */
function roundPerRequestUs(row: BenchRow, index: number): Record<CpuPart, number | null> {
  const requests = row.rounds[index]?.totalRequests ?? 0;
  const box = row.boxCpuMs?.[index];
  const server = perRequestUs(row.serverBusyMs[index], requests);
  const client = perRequestUs(box?.clientMs, requests);
  const others = perRequestUs(box?.otherThreadsMs, requests);
  const pg = perRequestUs(box?.pgMs, requests);
  return { server, client, others, pg, box: sumOrNull([server, client, others, pg]) };
}

/** Median over the rounds that have the part; null when none has it. */
export function medianPerRequest(row: BenchRow, part: CpuPart): number | null {
  const values = row.rounds.map((_, index) => roundPerRequestUs(row, index)[part]).filter((value): value is number => value !== null);
  return values.length === 0 ? null : median(values);
}

/** Acta's req/s ÷ the peer's in each round, its median, and the box CPU per request of both. */
export function formatPeerLine(pair: PeerPair): string {
  if (pair.acta.rounds.length === 0 || pair.peer.rounds.length === 0) {
    return `Acta ÷ Emmett, ${pair.scenario}: not measured (${pair.peer.skipped ?? pair.acta.skipped ?? 'a row did not run'})`;
  }
  const acta = acknowledgedPerSec(pair.acta);
  const peer = acknowledgedPerSec(pair.peer);
  const ratios = acta.flatMap((value, index) => ((peer[index] ?? 0) > 0 ? [value / (peer[index] as number)] : []));
  if (ratios.length === 0) return `Acta ÷ Emmett, ${pair.scenario}: n/a (the peer acknowledged no deposit)`;
  const ratio = median(ratios);
  const actaBox = medianPerRequest(pair.acta, 'box');
  const peerBox = medianPerRequest(pair.peer, 'box');
  const cpu = actaBox === null || peerBox === null ? 'box CPU µs/req n/a' : `box CPU µs/req Acta ${formatUs(actaBox)}, Emmett ${formatUs(peerBox)}`;
  const verdict = ratio >= pair.targetRatio ? 'PASS' : 'MISS';
  const tolerated = pair.peer.rounds.reduce((sum, stats) => sum + toleratedResponses(pair.peer, stats), 0);
  const rejected = tolerated === 0 ? '' : `; the peer answered ${tolerated} of its requests ${pair.peer.toleratedStatuses?.join('/') ?? ''}`;
  return (
    `Acta ÷ Emmett, ${pair.scenario}: ${ratio.toFixed(2)}× deposits acknowledged per second (per round ${ratios.map((value) => value.toFixed(2)).join(' ')}); ` +
    `${cpu}${rejected}; target ≥ ${pair.targetRatio.toFixed(2)} ${verdict}`
  );
}

/** One line per durable row: how many runs' balances were read back and whether they held. */
export function formatBalanceLines(rows: readonly BenchRow[]): string[] {
  return rows
    .filter((row) => row.balanceChecks !== undefined && row.balanceChecks.length > 0)
    .map((row) => {
      const checks = row.balanceChecks as BalanceVerdict[];
      const failed = checks.filter((verdict) => !verdict.ok);
      const acknowledged = checks.reduce((sum, verdict) => sum + verdict.acknowledged, 0);
      const unanswered = checks.reduce((sum, verdict) => sum + verdict.unanswered, 0);
      const what = `${checks.length} run(s), ${acknowledged} deposits answered 2xx, ${unanswered} unanswered when a run ended`;
      if (failed.length === 0) return `balances of ${row.label}: verified after every measured run (${what})`;
      const first = failed[0] as BalanceVerdict;
      const sum = first.observed ?? `unreadable (${first.problem ?? 'no reason'})`;
      return `balances of ${row.label}: MISMATCH in ${failed.length} of ${checks.length} checks, first: sum ${sum}, expected ${first.atLeast}..${first.atMost}`;
    });
}

/** The box ceiling line of every measured row that has a target. */
export function formatCeilingLines(rows: readonly BenchRow[], baseline: BenchRow, cores: number): string[] {
  const baselineRps = baseline.rounds.length === 0 ? null : median(baseline.rounds.map((stats) => stats.requestsPerSec));
  return rows
    .filter((row) => row.targetRatio !== undefined && row.rounds.length > 0)
    .map((row) =>
      formatCeilingLine({
        label: row.label,
        cores,
        boxUsPerRequest: medianPerRequest(row, 'box'),
        serverUsPerRequest: medianPerRequest(row, 'server'),
        baselineRps,
        targetRatio: row.targetRatio as number,
      }),
    );
}

const headers: Cells = {
  run: 'run',
  rps: 'req/s',
  busy: 'server CPU µs/req',
  client: 'client thread µs/req',
  others: 'other threads µs/req',
  pg: 'pg CPU µs/req',
  box: 'box CPU µs/req',
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

/** What each durable row's server does for one deposit, so "Acta ÷ Emmett" compares known work. */
const perDepositWork = [
  '### What each stack does per deposit',
  '',
  '- **Acta** (`src/`): validates the request; dedupes the Idempotency-Key and the transactionId (both are recorded,',
  '  with the exact response, so a repeat replays it and another key with the same transactionId is caught); the',
  '  account actor decides on its in-memory state (no stream read per command); the event is appended in one',
  '  transaction group-committed with other accounts\' appends (one statement per batch), which also writes one outbox',
  '  row per topic naming the positions of the batch\'s events; the read',
  '  model (account summary and statement) is updated afterwards by the projectors, fed by the outbox relay, and',
  '  the outbox is what publication to Kafka is driven from. The balance read is served from that read model.',
  '- **Emmett peer** (`load/peers/emmett/`, @event-driven-io/emmett + emmett-postgresql 0.42.0, pongo 0.16.11):',
  '  validates the body with Emmett\'s asserts; Emmett\'s CommandHandler reads the whole account stream (no',
  '  snapshots, so a hot account\'s read grows with its history), evolves it, decides, and appends the event with the',
  '  stream\'s version as expected version (emt_append_to_stream, one transaction per deposit, no batching across',
  '  accounts); in the same transaction the inline Pongo projection reads and upserts the balance document; a',
  '  version conflict re-runs the handler (up to 10 retries, randomised 5–200 ms backoff). No idempotency: the',
  '  Idempotency-Key is ignored and the transactionId is stored in the event but not checked, so a retried',
  '  request deposits twice. No outbox or publication. The balance read is one Pongo document lookup.',
  '- Both run in the bench\'s process on its main thread (same server-thread and box CPU measurement) and store in',
  '  the same Postgres server, the peer in a fresh database of its own; while one is measured the other is idle but',
  '  alive (whatever Acta\'s read pipeline does while idle is billed to the row being measured).',
];

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
  lags: readonly LagRow[] = [],
  memory: MemoryGrowthRow | null = null,
  peers: readonly PeerPair[] = [],
): string {
  const tableRows = rows.map((row) => cells(row, baseline)).map((c) => `| ${columns.map((column) => c[column]).join(' | ')} |`);
  return [
    '# Acta benchmark results',
    '',
    `Generated by \`npm run bench\` (load/bench/bench.ts) on ${machine.date}. Every row comes from the same process run.`,
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
    ...formatCeilingLines(rows, baseline, machine.availableParallelism ?? machine.cores).map((line) => `- ${line}`),
    ...peers.map((pair) => `- ${formatPeerLine(pair)}`),
    ...formatBalanceLines(rows).map((line) => `- ${line}`),
    ...lags.map((lag) => `- ${formatLagLine(lag)}`),
    '',
    ...(memory === null ? [] : [...formatMemoryGrowthMarkdown(memory), '']),
    ...(peers.length === 0 ? [] : [...perDepositWork, '']),
    'How to read it:',
    '- Each round measures every row back to back (baseline first). req/s, p50 and p99 are medians over rounds of',
    '  autocannon\'s mean of per-second counts and its latency percentiles; "vs baseline" is the median over rounds of',
    '  the row\'s req/s ÷ the baseline\'s in the same round, and "per round" lists those ratios. The box is shared, so a',
    '  wide spread of per-round ratios means the run was disturbed; trust the median.',
    '- server CPU µs/req: CPU time of the server\'s thread (the bench\'s main thread; Linux schedstat, else event-loop',
    '  utilisation) during the measured run ÷ its requests, median over rounds: what one request costs the one thread',
    '  that serves everything (HTTP, actors, journal, relay, projector). It moves far less than req/s on a shared box.',
    '- client thread µs/req: CPU of the threads born or ended during the run (autocannon starts its worker thread per',
    '  run), i.e. the load client: the bench process\'s CPU (getrusage, all threads) less the main thread and less the',
    '  threads alive throughout. other threads µs/req: those threads alive throughout (libuv pool, V8 helpers, any',
    '  worker thread the server keeps). pg CPU µs/req: utime+stime (and reaped children) of the postgres processes of',
    '  the cluster the bench started, or of every postgres process on the box when it uses an external one.',
    '- box CPU µs/req = server + client + other threads + pg, per round, median over rounds; other processes on the box',
    '  are not counted. Box ceiling = cores × 1e6 ÷ box CPU µs/req: the req/s the cores could serve at that cost if',
    '  nothing else ran; below target × baseline req/s, the target cannot be met on this box without cheaper requests.',
    '  Thread ceiling = 1e6 ÷ server CPU µs/req: one thread serves everything and cannot do more.',
    '- Targets come from shared/design.md: durable deposits spread over many accounts ≥ 0.75 × the trivial Express',
    '  route, one hot account ≥ 0.6 ×, measured in the same run.',
    '- Each request carries its own Idempotency-Key and transactionId (autocannon setupRequest), so no response',
    '  is an idempotent replay.',
    ...rows.filter((row) => row.description !== '').map((row) => `- ${row.label}: ${row.description}`),
    '- projection lag: deposits spread over the same accounts at a fixed rate after the rounds, open loop (request i',
    '  sent i ÷ rate seconds after the start, from a worker thread; autocannon\'s overallRate would send each second\'s',
    '  budget as one burst at full concurrency); the server\'s own acta_projection_lag_seconds histogram (decided →',
    '  applied to the read model) is scraped before and after, so p99 is known to its bucket bound.',
    '- passivation memory: a separate in-process server with a short ACCOUNT_IDLE_MS; N accounts are created and',
    '  given one deposit each over HTTP, then (after every actor passivated, the read side stopped moving and a forced',
    '  full GC) heapUsed and RSS are read; then factor × N accounts in total, and again. The heap is the whole bench',
    '  process (server and its HTTP client). Flat = heap ratio ≤ 1.25 and < 1,024 bytes retained per extra account (a leaked actor is kilobytes).',
    '',
    ...(findings === null ? [] : ['<!-- Everything below is copied from load/FINDINGS.md; edit it there. -->', '', findings.trimEnd(), '']),
  ].join('\n');
}
