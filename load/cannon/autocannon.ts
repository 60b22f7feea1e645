// Raw-throughput runs with autocannon against a running Acta:
//   tsx load/cannon/autocannon.ts <deposits-spread|deposits-hot|balance-reads> [--duration=10 --connections=50 --base-url=...]
// Prepares the accounts first (not timed), then measures. Exit 0 when every response was 2xx,
// 1 on any non-2xx or connection error, 2 on bad flags or an unreachable service.
import { cannonScenarioNames, isCannonScenario, prepareCannonScenario } from './cannonScenarios';
import { parseCannonFlags } from './cannonFlags';
import { exitCodes } from '../shared/exitCodes';
import { probeHealth } from '../shared/healthProbe';
import { createHttpClient } from '../shared/httpClient';
import { loadLimits } from '../shared/limits';
import { formatCannonStats, isCleanRun, runCannon } from './runCannon';
import { UsageError } from '../shared/argv';

const allowedFlags = ['duration', 'connections', 'base-url', 'accounts', 'amount', 'currency', 'seed-concurrency', 'workers', 'warmup', 'json'];

const usage = [
  `Usage: tsx load/cannon/autocannon.ts <${cannonScenarioNames.join('|')}> [flags]`,
  '  --duration=10          seconds measured',
  '  --connections=50       concurrent connections',
  '  --base-url=…           API base, loopback only (default http://localhost:3000/api)',
  '  --accounts=1000        accounts for deposits-spread and balance-reads (deposits-hot uses one)',
  '  --amount=100           deposit amount in minor units',
  '  --currency=USD         account currency',
  '  --seed-concurrency=20  concurrent account creations while preparing',
  '  --workers=0            autocannon worker threads (0 = this thread)',
  '  --warmup=0             seconds of discarded warm-up before the measured run',
  '  --json                 print the stats as JSON',
].join('\n');

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return exitCodes.passed;
  }
  let flags;
  try {
    flags = parseCannonFlags(argv, allowedFlags);
    const scenario = flags.positional[0];
    if (flags.positional.length !== 1 || scenario === undefined || !isCannonScenario(scenario)) {
      throw new UsageError(`give exactly one scenario: ${cannonScenarioNames.join(', ')}`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${usage}`);
    return exitCodes.usage;
  }
  const scenario = flags.positional[0] as (typeof cannonScenarioNames)[number];
  const log = flags.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const client = createHttpClient({ baseUrl: flags.baseUrl, requestTimeoutMs: loadLimits.requestTimeoutMsDefault, maxSockets: flags.seedConcurrency });
  try {
    const healthy = await probeHealth(client, { attempts: loadLimits.healthAttemptsDefault, delayMs: loadLimits.healthRetryDelayMsDefault, log });
    if (!healthy) {
      console.error(`Service at ${flags.baseUrl} is not healthy after ${loadLimits.healthAttemptsDefault} attempts.`);
      return exitCodes.usage;
    }
    log(`Preparing ${scenario} ...`);
    const request = await prepareCannonScenario(scenario, client, flags);
    const run = { baseUrl: flags.baseUrl, request, connections: flags.connections, workers: flags.workers };
    if (flags.warmupS > 0) {
      log(`Warming up for ${flags.warmupS}s (discarded) ...`);
      await runCannon({ ...run, durationS: flags.warmupS });
    }
    log(`Running ${scenario} for ${flags.durationS}s with ${flags.connections} connections ...`);
    const stats = await runCannon({ ...run, durationS: flags.durationS });
    const clean = isCleanRun(stats);
    if (flags.json) console.log(JSON.stringify({ scenario, connections: flags.connections, ...stats, clean }, null, 2));
    else console.log(formatCannonStats(scenario, stats));
    if (!clean) console.error(`FAIL: ${stats.non2xx} non-2xx responses, ${stats.errors} errors, ${stats.totalRequests} requests.`);
    return clean ? exitCodes.passed : exitCodes.failed;
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('autocannon run failed:', error instanceof Error ? error.message : error);
    process.exitCode = exitCodes.failed;
  },
);
