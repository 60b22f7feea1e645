// `npm run bench`: in ONE process, back to back, measures (a) a trivial Express JSON POST route,
// (b) Acta's durable deposit path spread over many accounts and (c) on one hot account, then
// prints the ratios to (a) and writes load/RESULTS.md. autocannon runs in a worker thread by
// default so the client does not share the event loop of the in-process server it measures.
// Exit 1 when a measured run saw non-2xx or errors (or, with --enforce-targets, missed a target).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BenchRow, formatBenchTable, formatResultsMarkdown, machineInfo } from './benchReport';
import { StartedServer, startActaServer } from './benchTarget';
import { parseCannonFlags, CannonFlags } from './cannonFlags';
import { CannonScenarioName, prepareCannonScenario } from './cannonScenarios';
import { exitCodes } from './exitCodes';
import { probeHealth } from './healthProbe';
import { createHttpClient } from './httpClient';
import { loadLimits } from './limits';
import { CannonStats, formatCannonStats, isCleanRun, runCannon } from './runCannon';
import { startExpressBaseline } from './expressBaseline';
import { UsageError } from './usageError';

/** The design's targets, as multiples of the Express baseline measured in the same run. */
const spreadTargetRatio = 0.75;
const hotTargetRatio = 0.6;
/** A server that is not healthy after this many probes is reported, not waited for. */
const benchHealthAttempts = 20;
const benchHealthDelayMs = 250;

const allowedFlags = ['duration', 'connections', 'accounts', 'amount', 'currency', 'seed-concurrency', 'workers', 'warmup', 'enforce-targets'];
const resultsPath = path.join(__dirname, 'RESULTS.md');

async function measure(server: StartedServer, scenario: CannonScenarioName, flags: CannonFlags, log: (line: string) => void): Promise<CannonStats> {
  const client = createHttpClient({ baseUrl: server.baseUrl, requestTimeoutMs: loadLimits.requestTimeoutMsDefault, maxSockets: flags.seedConcurrency });
  try {
    const healthy = await probeHealth(client, { attempts: benchHealthAttempts, delayMs: benchHealthDelayMs, log });
    if (!healthy) throw new Error(`server at ${server.baseUrl} never became healthy`);
    const request = await prepareCannonScenario(scenario, client, { ...flags, baseUrl: server.baseUrl });
    const run = { baseUrl: server.baseUrl, request, connections: flags.connections, workers: flags.workers };
    if (flags.warmupS > 0) await runCannon({ ...run, durationS: flags.warmupS });
    return await runCannon({ ...run, durationS: flags.durationS });
  } finally {
    client.close();
  }
}

/** Runs `scenarios` against one server from `start`; a server that cannot start marks its rows skipped. */
async function measureServer(
  start: () => Promise<StartedServer>,
  rows: Array<BenchRow & { scenario: CannonScenarioName }>,
  flags: CannonFlags,
  log: (line: string) => void,
): Promise<void> {
  let server: StartedServer;
  try {
    server = await start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log(`Cannot start server for ${rows.map((row) => row.label).join(', ')}: ${reason}`);
    for (const row of rows) row.skipped = reason;
    return;
  }
  try {
    for (const row of rows) {
      log(`Measuring ${row.label} (${flags.warmupS}s warm-up + ${flags.durationS}s) ...`);
      row.stats = await measure(server, row.scenario, flags, log);
      log(formatCannonStats(row.label, row.stats));
    }
  } finally {
    await server.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let flags: CannonFlags;
  try {
    flags = parseCannonFlags(argv, allowedFlags, { workers: 1, warmup: 3 });
    if (flags.positional.length > 0) throw new UsageError(`unexpected argument "${flags.positional[0]}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\nUsage: npm run bench -- [--duration=10 --connections=50 --accounts=1000 --warmup=3 --workers=1 --enforce-targets]`);
    return exitCodes.usage;
  }
  const log = (line: string) => console.log(line);
  const baseline = { label: 'express-baseline', scenario: 'deposits-spread' as const, description: 'trivial Express 5 JSON POST route, same requests, no storage' };
  const spread = {
    label: 'acta deposits-spread',
    scenario: 'deposits-spread' as const,
    description: `durable deposits round-robin over ${flags.accounts} accounts`,
    targetRatio: spreadTargetRatio,
  };
  const hot = { label: 'acta deposits-hot', scenario: 'deposits-hot' as const, description: 'durable deposits all on one account', targetRatio: hotTargetRatio };
  const rows: Array<BenchRow & { scenario: CannonScenarioName }> = [baseline, spread, hot];

  await measureServer(startExpressBaseline, [baseline], flags, log);
  await measureServer(startActaServer, [spread, hot], flags, log);

  const baselineStats: CannonStats | undefined = (baseline as BenchRow).stats;
  console.log(`\n${formatBenchTable(rows, baselineStats)}`);
  const settings = { durationS: flags.durationS, warmupS: flags.warmupS, connections: flags.connections, accounts: flags.accounts, workers: flags.workers };
  await writeFile(resultsPath, formatResultsMarkdown(rows, baselineStats, settings, machineInfo()));
  console.log(`\nWrote ${resultsPath}`);

  const measured = rows.filter((row) => row.stats !== undefined);
  const unclean = measured.filter((row) => !isCleanRun(row.stats!));
  if (unclean.length > 0) console.error(`FAIL: runs with non-2xx or errors: ${unclean.map((row) => row.label).join(', ')}`);
  const missed = measured.filter((row) => {
    if (row.targetRatio === undefined || baselineStats === undefined) return false;
    return row.stats!.requestsPerSec / baselineStats.requestsPerSec < row.targetRatio;
  });
  if (missed.length > 0) console.error(`Targets missed: ${missed.map((row) => row.label).join(', ')}`);
  if (unclean.length > 0 || baselineStats === undefined) return exitCodes.failed;
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
