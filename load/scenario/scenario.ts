// Command-line entry of the scenario runner: `tsx load/scenario/scenario.ts --duration=10 ...`.
// Exit 0 when unexpected failures are within --max-unexpected-failures, 1 when over it (or on a
// crash), 2 on bad flags or an unreachable service. Ctrl-C once stops early and still summarises.
import { exitCodes } from '../shared/exitCodes';
import { parseScenarioFlags, ScenarioConfig, scenarioUsage } from './flags';
import { runScenario } from './runScenario';
import { formatSummary } from './summary';
import { UsageError } from '../shared/argv';

/** After the summary, a stray handle (a socket the server keeps open) must not keep the process alive. */
const exitGraceMs = 2_000;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(scenarioUsage());
    return exitCodes.passed;
  }
  let config: ScenarioConfig;
  try {
    config = parseScenarioFlags(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${scenarioUsage()}`);
    return exitCodes.usage;
  }
  // Under --json stdout carries only the summary, so progress goes to stderr.
  const log = config.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    log('Interrupted: stopping the workload early (Ctrl-C again to abort)...');
    stop.abort();
  });
  const result = await runScenario(config, { log, signal: stop.signal });
  if (result.summary !== undefined) {
    if (config.json) console.log(JSON.stringify({ ...result.summary, exitCode: result.exitCode, problem: result.problem }, null, 2));
    else console.log(formatSummary(result.summary));
  }
  if (result.problem !== undefined) console.error(result.problem);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), exitGraceMs).unref();
  },
  (error: unknown) => {
    console.error('load scenario crashed:', error);
    process.exit(exitCodes.failed);
  },
);
