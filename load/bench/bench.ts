// `npm run bench`: in ONE process measures (a) a trivial Express JSON POST route, (b) Acta's durable
// deposit path spread over many accounts and (c) on one hot account, and (d, e) the same two on the
// Emmett peer (load/peers/emmett, its own database on the same Postgres), in rounds (each round
// measures a–e back to back; after each durable run every account's balance is read back and checked
// against the deposits answered 2xx: balanceCheck.ts), then commit → read-model lag at a fixed rate, then heap and RSS as the
// accounts touched grow 100× with a short idle timeout (passivationMemory.ts, its own server),
// prints the median ratios to (a) and Acta ÷ Emmett, CPU per request of the server's thread, the load client, the other
// threads and Postgres, and per Acta row the box ceiling (what the cores could serve at that CPU per
// request: boxCeiling.ts), and writes load/RESULTS.md with the
// hand-written load/FINDINGS.md appended. autocannon runs in a worker thread by default so the client
// does not share the event loop of the in-process server it measures.
// Exit 1 when a measured run saw non-2xx or errors, balances differ from the acknowledged deposits, the memory run could not finish (or, with
// --enforce-targets, a throughput target was missed).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BenchRow, LagRow, PeerPair, formatBenchTable, formatCeilingLines, formatLagLine, formatPeerLine, formatResultsMarkdown, isCleanRow, machineInfo, median, missesTarget } from './benchReport';
import { DepositLedger, formatBalanceVerdict, verifyBalances } from './balanceCheck';
import { startEmmettPeer } from '../peers/emmett/emmettPeer';
import { BoxCpuMs, boxCpuSince, markBoxCpu } from './boxCpu';
import { StartedServer, startActaServer } from './benchTarget';
import { parseCannonFlags, CannonFlags } from '../cannon/cannonFlags';
import { ActaCannonRequest, CannonScenarioName, prepareCannonScenario } from '../cannon/cannonScenarios';
import { exitCodes } from '../shared/exitCodes';
import { probeHealth } from '../shared/healthProbe';
import { createHttpClient } from '../shared/httpClient';
import { loadLimits } from '../shared/limits';
import { CannonStats, formatCannonStats, runCannon } from '../cannon/runCannon';
import { markServerCpu, serverCpuMsSince } from './serverCpu';
import { runPacedDeposits } from './pacedDeposits';
import { Buckets, lagRunRate, lagTargetP99S, projectionLagMetric, scrapeBuckets, summarizeLag } from './projectionLag';
import { UsageError, tokenizeArgv } from '../shared/argv';
import { readBoolean, readInt } from '../shared/flagValues';
import { setTimeout as sleep } from 'node:timers/promises';
import { startExpressBaseline } from './expressBaseline';
import { MemoryGrowthRow, formatMemoryGrowthLine } from './memoryGrowth';
import { measurePassivationMemory, passivationDefaults } from './passivationMemory';

/** The design's targets, as multiples of the Express baseline measured in the same run. */
const spreadTargetRatio = 0.75;
const hotTargetRatio = 0.6;
/** Issue #13: Acta at least as fast as the Emmett peer, spread and hot. */
const peerTargetRatio = 1.0;
/** The peer's answer (Emmett's ConcurrencyError → 412) when its retries did not settle a version conflict. */
const peerConflictStatuses = [412];
/** A server that is not healthy after this many probes is reported, not waited for. */
const benchHealthAttempts = 20;
const benchHealthDelayMs = 250;

const allowedFlags = [
  'duration',
  'connections',
  'accounts',
  'amount',
  'currency',
  'seed-concurrency',
  'workers',
  'warmup',
  'rounds',
  'lag-rate',
  'enforce-targets',
  'passivation-accounts',
  'passivation-factor',
  'passivation-idle-ms',
  'passivation-only',
];
/** Bounds of the passivation flags: the large step touches accounts × factor accounts over HTTP. */
const passivationAccountsMax = 100_000;
const passivationFactorMax = 1_000;
const passivationIdleMsMax = 60_000;
const passivationTouchedMax = 1_000_000;
/** Issue #13: commit → visible in the read model at 400 and at 1,000 writes/s (or the most the box sustains). */
const lagRatesDefault = [400, 1_000];
const lagRateMax = 100_000;
const lagRatesCountMax = 8;
/** How long the projector may take to catch up before or after the fixed-rate run. */
const lagSettleMs = 15_000;
const lagSettlePollMs = 250;
const resultsPath = path.join(__dirname, '..', 'RESULTS.md');
const findingsPath = path.join(__dirname, '..', 'FINDINGS.md');

interface Measured extends BenchRow {
  boxCpuMs: BoxCpuMs[];
  scenario: CannonScenarioName;
  start: () => Promise<StartedServer>;
  /** Durable rows: balances read back after every measured run (the baseline stores nothing). */
  verifiesBalances: boolean;
  server?: StartedServer;
  request?: ActaCannonRequest;
  ledger?: DepositLedger;
}

/** Runs `start` once; every caller gets the same server. */
function once(start: () => Promise<StartedServer>): () => Promise<StartedServer> {
  let started: Promise<StartedServer> | null = null;
  return () => (started ??= start());
}

/** Starts the row's server (shared by rows with the same start) and prepares its accounts; a failure marks the row skipped. */
async function prepare(row: Measured, started: Map<() => Promise<StartedServer>, Promise<StartedServer>>, flags: CannonFlags, log: (line: string) => void) {
  try {
    if (!started.has(row.start)) started.set(row.start, row.start());
    const server = await (started.get(row.start) as Promise<StartedServer>);
    const client = createHttpClient({ baseUrl: server.baseUrl, requestTimeoutMs: loadLimits.requestTimeoutMsDefault, maxSockets: flags.seedConcurrency });
    try {
      const healthy = await probeHealth(client, { attempts: benchHealthAttempts, delayMs: benchHealthDelayMs, log });
      if (!healthy) throw new Error(`server at ${server.baseUrl} never became healthy`);
      row.request = await prepareCannonScenario(row.scenario, client, { ...flags, baseUrl: server.baseUrl });
      row.server = server;
      // The deposit scenarios open their accounts with a zero balance.
      if (row.verifiesBalances) row.ledger = new DepositLedger(row.request.acta.amount);
    } finally {
      client.close();
    }
  } catch (error) {
    row.skipped = error instanceof Error ? error.message : String(error);
    log(`Cannot measure ${row.label}: ${row.skipped}`);
  }
}

async function measureRound(rows: readonly Measured[], round: number, flags: CannonFlags, log: (line: string) => void): Promise<void> {
  for (const row of rows) {
    if (row.server === undefined || row.request === undefined) continue;
    log(`Round ${round}/${flags.rounds}: ${row.label} (${flags.warmupS}s warm-up + ${flags.durationS}s) ...`);
    const run = { baseUrl: row.server.baseUrl, request: row.request, connections: flags.connections, workers: flags.workers };
    if (flags.warmupS > 0) row.ledger?.record(await runCannon({ ...run, durationS: flags.warmupS }));
    // Box marks outside the server's, so walking /proc is not billed to the server's thread.
    const boxMark = markBoxCpu();
    const mark = markServerCpu();
    const stats = await runCannon({ ...run, durationS: flags.durationS });
    row.serverBusyMs.push(serverCpuMsSince(mark));
    row.boxCpuMs.push(boxCpuSince(boxMark));
    row.rounds.push(stats);
    log(formatCannonStats(row.label, stats));
    if (row.ledger !== undefined) await checkBalances(row, row.ledger, log);
  }
}

/** After the measured window (not billed to it): the balances must hold exactly the acknowledged deposits. */
async function checkBalances(row: Measured, ledger: DepositLedger, log: (line: string) => void): Promise<void> {
  if (row.server === undefined || row.request === undefined) return;
  ledger.record(row.rounds[row.rounds.length - 1] as CannonStats);
  const client = createHttpClient({ baseUrl: row.server.baseUrl, requestTimeoutMs: loadLimits.requestTimeoutMsDefault, maxSockets: loadLimits.balanceReadConcurrency });
  try {
    const verdict = await verifyBalances(client, row.request.acta.accountIds, ledger);
    row.balanceChecks = [...(row.balanceChecks ?? []), verdict];
    log(`  ${formatBalanceVerdict(row.label, verdict)}`);
  } finally {
    client.close();
  }
}

function appliedEvents(buckets: Buckets): number {
  return buckets.get(Infinity) ?? 0;
}

/** Scrapes until the applied-event count reaches `atLeast` (or stops moving when null), bounded. */
async function settledBuckets(origin: string, atLeast: number | null): Promise<Buckets> {
  const deadline = Date.now() + lagSettleMs;
  let previous = await scrapeBuckets(origin, projectionLagMetric);
  for (;;) {
    await sleep(lagSettlePollMs);
    const current = await scrapeBuckets(origin, projectionLagMetric);
    const done = atLeast === null ? appliedEvents(current) === appliedEvents(previous) : appliedEvents(current) >= atLeast;
    if (done || Date.now() > deadline) return current;
    previous = current;
  }
}

/** Deposits at a fixed rate (open loop, pacedDeposits.ts) on the spread row's accounts; the projection lag histogram's share of the run. */
async function measureLag(row: Measured, askedPerSec: number, flags: CannonFlags, log: (line: string) => void): Promise<LagRow> {
  const sustainedPerSec = row.rounds.length > 0 ? median(row.rounds.map((round) => round.requestsPerSec)) : null;
  const ratePerSec = lagRunRate(askedPerSec, sustainedPerSec);
  const base = {
    askedRatePerSec: askedPerSec,
    targetRatePerSec: ratePerSec,
    sustainedPerSec: ratePerSec < askedPerSec ? sustainedPerSec : null,
    achievedRatePerSec: 0,
    events: 0,
    p99AtMostS: null,
    shareWithin: null,
    targetP99S: lagTargetP99S(ratePerSec),
    failed: 0,
    failures: {},
    lateMaxMs: 0,
  };
  if (row.server === undefined || row.request === undefined) return { ...base, skipped: row.skipped ?? 'the spread row was not prepared' };
  const origin = new URL(row.server.baseUrl).origin;
  log(`Projection lag: ${flags.durationS}s of deposits at ${ratePerSec}/s, paced ...`);
  const before = await settledBuckets(origin, null);
  const stats = await runPacedDeposits({
    baseUrl: row.server.baseUrl,
    request: row.request,
    ratePerSec,
    durationS: flags.durationS,
    inFlightMax: loadLimits.pacedSocketsMax,
  });
  const written = stats.statusCodes['201'] ?? 0;
  const after = await settledBuckets(origin, appliedEvents(before) + written);
  const summary = summarizeLag(before, after, base.targetP99S);
  const failures: Record<string, number> = Object.fromEntries(Object.entries(stats.statusCodes).filter(([code]) => code !== '201'));
  for (const [code, count] of Object.entries(stats.errorCodes)) failures[`error ${code}`] = count;
  const lag = { ...base, achievedRatePerSec: stats.requestsPerSec, ...summary, failed: stats.sent - written, failures, lateMaxMs: stats.lateMaxMs };
  log(formatLagLine(lag));
  const events = Math.max(1, lag.events);
  const share = (bound: number) => ((100 * ((after.get(bound) ?? 0) - (before.get(bound) ?? 0))) / events).toFixed(1);
  const shares = [...after.keys()].sort((a, b) => a - b).map((bound) => `≤${bound === Infinity ? '∞' : `${bound * 1000}ms`} ${share(bound)}%`);
  log(`  cumulative: ${shares.join(', ')}`);
  return lag;
}

/** `--lag-rate=400,1000`: the rates of the lag runs, in order; 0 alone skips them. */
function parseLagRates(argv: readonly string[]): number[] {
  const raw = tokenizeArgv(argv).flags.get('lag-rate');
  if (raw === undefined) return lagRatesDefault;
  const rates = raw.split(',').map((part) => readInt('lag-rate', part.trim(), { min: 0, max: lagRateMax }));
  if (rates.length > lagRatesCountMax) throw new UsageError(`--lag-rate takes at most ${lagRatesCountMax} rates`);
  if (rates.length === 1 && rates[0] === 0) return [];
  if (rates.includes(0)) throw new UsageError('--lag-rate=0 skips the lag runs and cannot be listed with other rates');
  return rates;
}

interface PassivationFlags {
  /** 0 skips the measurement. */
  accounts: number;
  factor: number;
  idleMs: number;
  /** Skip the throughput rounds and the lag run. */
  only: boolean;
}

function parsePassivationFlags(argv: readonly string[]): PassivationFlags {
  const { flags } = tokenizeArgv(argv);
  const int = (flag: string, fallback: number, min: number, max: number) => {
    const raw = flags.get(flag);
    return raw === undefined ? fallback : readInt(flag, raw, { min, max });
  };
  const parsed = {
    accounts: int('passivation-accounts', passivationDefaults.accounts, 0, passivationAccountsMax),
    factor: int('passivation-factor', passivationDefaults.factor, 2, passivationFactorMax),
    idleMs: int('passivation-idle-ms', passivationDefaults.idleMs, 1, passivationIdleMsMax),
    only: flags.has('passivation-only') ? readBoolean('passivation-only', flags.get('passivation-only') as string) : false,
  };
  if (parsed.accounts * parsed.factor > passivationTouchedMax) {
    throw new UsageError(`--passivation-accounts × --passivation-factor must be at most ${passivationTouchedMax}`);
  }
  if (parsed.only && parsed.accounts === 0) throw new UsageError('--passivation-only needs --passivation-accounts > 0');
  return parsed;
}

/** How benchTarget.ts's server stores and relays events, from the same variables (no URL, it may hold a password). */
function storageDescription(env: NodeJS.ProcessEnv): string {
  const store = env.EVENT_STORE_KIND === 'in-memory' ? 'in-memory store' : env.DATABASE_URL || env.POSTGRES_HOST ? 'external Postgres' : 'embedded Postgres';
  const bus = env.KAFKA_BROKERS || env.KAFKA_BROKER ? 'Kafka' : 'in-memory bus';
  return `${store}, ${bus}`;
}

async function readFindings(): Promise<string | null> {
  try {
    return await readFile(findingsPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  let flags: CannonFlags;
  let lagRates: number[];
  let passivation: PassivationFlags;
  try {
    flags = parseCannonFlags(argv, allowedFlags, { workers: 1, warmup: 3, rounds: 3 });
    lagRates = parseLagRates(argv);
    passivation = parsePassivationFlags(argv);
    if (flags.positional.length > 0) throw new UsageError(`unexpected argument "${flags.positional[0]}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(
      `error: ${error.message}\nUsage: npm run bench -- [--duration=10 --rounds=3 --connections=50 --accounts=1000 --warmup=3 --workers=1 --lag-rate=400,1000 (0 skips) --enforce-targets ` +
        `--passivation-accounts=${passivationDefaults.accounts} (0 skips) --passivation-factor=${passivationDefaults.factor} --passivation-idle-ms=${passivationDefaults.idleMs} --passivation-only]`,
    );
    return exitCodes.usage;
  }
  const log = (line: string) => console.log(line);
  const startActa = once(startActaServer);
  // The peer takes a database of its own on the Postgres Acta uses (embedded or DATABASE_URL's server).
  const startEmmett = once(async () => {
    const acta = await startActa();
    if (acta.databaseUrl === undefined) throw new Error('Acta runs without Postgres (EVENT_STORE_KIND=in-memory), so there is no server for the Emmett peer');
    return startEmmettPeer(acta.databaseUrl);
  });
  const baseline: Measured = {
    label: 'express-baseline',
    scenario: 'deposits-spread',
    start: startExpressBaseline,
    verifiesBalances: false,
    description: 'trivial Express 5 JSON POST route, same requests, no storage',
    rounds: [],
    serverBusyMs: [],
    boxCpuMs: [],
  };
  const spread: Measured = {
    label: 'acta deposits-spread',
    scenario: 'deposits-spread',
    start: startActa,
    verifiesBalances: true,
    description: `durable deposits round-robin over ${flags.accounts} accounts`,
    targetRatio: spreadTargetRatio,
    rounds: [],
    serverBusyMs: [],
    boxCpuMs: [],
  };
  const hot: Measured = {
    label: 'acta deposits-hot',
    scenario: 'deposits-hot',
    start: startActa,
    verifiesBalances: true,
    description: 'durable deposits all on one account',
    targetRatio: hotTargetRatio,
    rounds: [],
    serverBusyMs: [],
    boxCpuMs: [],
  };
  const emmettSpread: Measured = {
    label: 'emmett deposits-spread',
    scenario: 'deposits-spread',
    start: startEmmett,
    verifiesBalances: true,
    description: `the Emmett peer (load/peers/emmett): deposits round-robin over ${flags.accounts} accounts`,
    toleratedStatuses: peerConflictStatuses,
    rounds: [],
    serverBusyMs: [],
    boxCpuMs: [],
  };
  const emmettHot: Measured = {
    label: 'emmett deposits-hot',
    scenario: 'deposits-hot',
    start: startEmmett,
    verifiesBalances: true,
    description: 'the Emmett peer: deposits all on one account',
    toleratedStatuses: peerConflictStatuses,
    rounds: [],
    serverBusyMs: [],
    boxCpuMs: [],
  };
  const rows = passivation.only ? [] : [baseline, spread, hot, emmettSpread, emmettHot];
  const peers: PeerPair[] = passivation.only
    ? []
    : [
        { scenario: 'deposits-spread', acta: spread, peer: emmettSpread, targetRatio: peerTargetRatio },
        { scenario: 'deposits-hot', acta: hot, peer: emmettHot, targetRatio: peerTargetRatio },
      ];

  const started = new Map<() => Promise<StartedServer>, Promise<StartedServer>>();
  const lags: LagRow[] = [];
  try {
    for (const row of rows) await prepare(row, started, flags, log);
    for (let round = 1; round <= flags.rounds && rows.length > 0; round += 1) await measureRound(rows, round, flags, log);
    if (rows.length > 0) for (const rate of lagRates) lags.push(await measureLag(spread, rate, flags, log));
  } finally {
    // Last started first: the peer's database lives on the Postgres Acta's runtime may own (embedded).
    for (const server of [...started.values()].reverse()) await server.then((running) => running.close(), () => undefined);
  }
  // After the other servers closed: it boots its own runtime (same embedded Postgres data folder).
  let memory: MemoryGrowthRow | null = null;
  if (passivation.accounts > 0) {
    const options = { accounts: passivation.accounts, factor: passivation.factor, idleMs: passivation.idleMs, concurrency: flags.seedConcurrency, currency: flags.currency };
    memory = await measurePassivationMemory(options, log);
  }

  const machine = machineInfo();
  if (rows.length > 0) console.log(`\n${formatBenchTable(rows, baseline)}\n\n${formatCeilingLines(rows, baseline, machine.availableParallelism ?? machine.cores).join('\n')}`);
  for (const pair of peers) console.log(formatPeerLine(pair));
  for (const lag of lags) console.log(formatLagLine(lag));
  if (memory !== null) console.log(formatMemoryGrowthLine(memory));
  const settings = {
    durationS: flags.durationS,
    warmupS: flags.warmupS,
    rounds: flags.rounds,
    connections: flags.connections,
    accounts: flags.accounts,
    workers: flags.workers,
    storage: storageDescription(process.env),
  };
  // A passivation-only run would replace the throughput tables with nothing, so it writes no RESULTS.md.
  if (!passivation.only) {
    await writeFile(resultsPath, formatResultsMarkdown(rows, baseline, settings, machine, await readFindings(), lags, memory, peers));
    console.log(`\nWrote ${resultsPath}`);
  }

  const measured = rows.filter((row) => row.rounds.length > 0);
  const unclean = measured.filter((row) => !isCleanRow(row));
  if (unclean.length > 0) console.error(`FAIL: runs with non-2xx or errors: ${unclean.map((row) => row.label).join(', ')}`);
  const lagFailed = lags.filter((lag) => lag.failed > 0);
  for (const lag of lagFailed) console.error(`FAIL: ${lag.failed} deposits of the projection-lag run at ${lag.targetRatePerSec}/s were not answered 201`);
  const unbalanced = measured.filter((row) => (row.balanceChecks ?? []).some((verdict) => !verdict.ok));
  if (unbalanced.length > 0) console.error(`FAIL: balances differ from the deposits answered 2xx: ${unbalanced.map((row) => row.label).join(', ')}`);
  const missed = measured.filter((row) => missesTarget(row, baseline));
  if (missed.length > 0) console.error(`Targets missed: ${missed.map((row) => row.label).join(', ')}`);
  const memoryFailed = memory !== null && (memory.small === null || memory.large === null);
  if (memoryFailed) console.error(`FAIL: ${formatMemoryGrowthLine(memory as MemoryGrowthRow)}`);
  if (unclean.length > 0 || lagFailed.length > 0 || unbalanced.length > 0 || memoryFailed || (!passivation.only && baseline.rounds.length === 0)) return exitCodes.failed;
  return flags.enforceTargets && missed.length > 0 ? exitCodes.failed : exitCodes.passed;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = exitCodes.failed;
  },
);
