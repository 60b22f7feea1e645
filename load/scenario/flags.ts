// The scenario runner's command line: every flag of the seed's load runner plus Acta's own
// (--read-your-writes, --json, --max-unexpected-failures, --seed, --request-timeout-ms).
// Like the seed, a flag that is absent falls back to an environment variable named after it
// (`--base-url` → BASE_URL). Unlike the seed, unknown flags and bad values are errors (exit 2).
import { randomInt } from 'node:crypto';
import { UsageError, tokenizeArgv } from '../shared/argv';
import { readBoolean, readInt, readNumber } from '../shared/flagValues';
import { loadLimits } from '../shared/limits';
import { parseLoopbackBaseUrl } from '../shared/loopback';

export interface OperationWeights {
  deposit: number;
  withdraw: number;
  balance: number;
  history: number;
  create: number;
  transfer: number;
  transferStatus: number;
}

export interface ScenarioConfig {
  durationS: number;
  workers: number;
  accounts: number;
  seedConcurrency: number;
  initialDeposit: number;
  minAmount: number;
  maxAmount: number;
  maxTransferAmount: number;
  baseUrl: string;
  currency: string;
  historyLimit: number;
  hotAccountRatio: number;
  hotSelectionRate: number;
  weights: OperationWeights;
  healthAttempts: number;
  healthRetryDelayMs: number;
  requestTimeoutMs: number;
  removeCompletedTransfersFromPool: boolean;
  readYourWrites: boolean;
  json: boolean;
  maxUnexpectedFailures: number;
  /** PRNG seed of the run; printed so a run's choices can be replayed. */
  seed: number;
}

/** The seed's defaults (base URL and currency follow Acta's README: port 3000, USD). */
export const scenarioDefaults = {
  duration: 60,
  workers: 20,
  accounts: 100,
  seedConcurrency: 10,
  initialDeposit: 10_000,
  minAmount: 100,
  maxAmount: 1_500,
  baseUrl: 'http://localhost:3000/api',
  currency: 'USD',
  historyLimit: 20,
  hotAccountRatio: 0.1,
  hotSelectionRate: 0.8,
  weights: { deposit: 35, withdraw: 30, balance: 20, history: 10, create: 5, transfer: 0, transferStatus: 0 },
  maxUnexpectedFailures: 0,
} as const;

/** Largest seed accepted; 32 bits is what the PRNG consumes. */
const seedMax = 2 ** 32 - 1;
/** A weight is a relative share; this cap only keeps the cumulative sum exact. */
const weightMax = 1_000_000;

const flagDocs: ReadonlyArray<[flag: string, help: string]> = [
  ['duration', `seconds of workload after seeding (default ${scenarioDefaults.duration}, max ${loadLimits.durationMaxS})`],
  ['workers', `concurrent request loops (default ${scenarioDefaults.workers})`],
  ['accounts', `accounts seeded before the workload (default ${scenarioDefaults.accounts})`],
  ['seed-concurrency', `concurrent account creations while seeding (default ${scenarioDefaults.seedConcurrency})`],
  ['initial-deposit', `opening deposit per seeded account, 0 to skip (default ${scenarioDefaults.initialDeposit})`],
  ['min-amount', `smallest deposit/withdrawal/transfer in minor units (default ${scenarioDefaults.minAmount})`],
  ['max-amount', `largest deposit/withdrawal in minor units (default ${scenarioDefaults.maxAmount})`],
  ['max-transfer-amount', 'largest transfer in minor units (default: --max-amount)'],
  ['base-url', `API base, loopback only (default ${scenarioDefaults.baseUrl})`],
  ['currency', `ISO 4217 code for every account (default ${scenarioDefaults.currency})`],
  ['history-limit', `limit for history reads (default ${scenarioDefaults.historyLimit})`],
  ['hot-account-ratio', `share of the pool that is hot, 0..1 (default ${scenarioDefaults.hotAccountRatio})`],
  ['hot-selection-rate', `chance a pick targets the hot slice, 0..1 (default ${scenarioDefaults.hotSelectionRate})`],
  ['deposit-weight', `mix weight (default ${scenarioDefaults.weights.deposit})`],
  ['withdraw-weight', `mix weight (default ${scenarioDefaults.weights.withdraw})`],
  ['balance-weight', `mix weight (default ${scenarioDefaults.weights.balance})`],
  ['history-weight', `mix weight (default ${scenarioDefaults.weights.history})`],
  ['create-weight', `mix weight (default ${scenarioDefaults.weights.create})`],
  ['transfer-weight', `mix weight, alias --transfer-initiate-weight (default ${scenarioDefaults.weights.transfer})`],
  ['transfer-status-weight', `mix weight (default ${scenarioDefaults.weights.transferStatus})`],
  ['remove-completed-transfers-from-pool', 'stop polling transfers once COMPLETED/FAILED (default false)'],
  ['health-retries', `health probe attempts (default ${loadLimits.healthAttemptsDefault})`],
  ['health-retry-delay-ms', `pause between health attempts (default ${loadLimits.healthRetryDelayMsDefault})`],
  ['request-timeout-ms', `per-request timeout (default ${loadLimits.requestTimeoutMsDefault})`],
  ['read-your-writes', 'reads pass minVersion = this worker\'s last write version for the account (default false)'],
  ['json', 'print the summary as JSON on stdout; progress goes to stderr (default false)'],
  ['max-unexpected-failures', `exit 1 when unexpected failures exceed this (default ${scenarioDefaults.maxUnexpectedFailures})`],
  ['seed', 'PRNG seed, printed at start (default: random)'],
];

const aliases: Readonly<Record<string, string>> = { 'transfer-initiate-weight': 'transfer-weight' };
const knownFlags = new Set(flagDocs.map(([flag]) => flag));

export function scenarioUsage(): string {
  const labels = flagDocs.map(([flag]) => `  --${flag}=…`);
  const width = Math.max(...labels.map((label) => label.length)) + 2;
  const lines = flagDocs.map(([, help], index) => labels[index].padEnd(width) + help);
  return ['Usage: tsx load/scenario/scenario.ts [--flag=value ...]', '', ...lines, '', 'Exit: 0 pass, 1 unexpected failures over threshold, 2 bad flags or service unreachable.'].join('\n');
}

/** `env` supplies the seed-compatible fallbacks; tests pass {} so the machine's environment cannot leak in. */
export function parseScenarioFlags(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ScenarioConfig {
  const { flags, positional } = tokenizeArgv(argv);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}" (flags look like --name=value)`);
  for (const [alias, canonical] of Object.entries(aliases)) {
    const value = flags.get(alias);
    if (value === undefined) continue;
    if (flags.has(canonical)) throw new UsageError(`give --${canonical} or --${alias}, not both`);
    flags.delete(alias);
    flags.set(canonical, value);
  }
  for (const flag of flags.keys()) {
    if (!knownFlags.has(flag)) throw new UsageError(`unknown flag --${flag}`);
  }
  const raw = (flag: string): string | undefined => flags.get(flag) ?? env[flag.toUpperCase().replace(/-/g, '_')];
  const int = (flag: string, fallback: number, min: number, max: number): number => {
    const value = raw(flag);
    return value === undefined ? fallback : readInt(flag, value, { min, max });
  };
  const num = (flag: string, fallback: number, min: number, max: number): number => {
    const value = raw(flag);
    return value === undefined ? fallback : readNumber(flag, value, { min, max });
  };
  const bool = (flag: string): boolean => {
    const value = raw(flag);
    return value === undefined ? false : readBoolean(flag, value);
  };
  const weight = (flag: string, fallback: number): number => num(flag, fallback, 0, weightMax);

  const d = scenarioDefaults;
  const money = loadLimits.moneyMax;
  const minAmount = int('min-amount', d.minAmount, 1, money);
  const maxAmount = int('max-amount', d.maxAmount, 1, money);
  const config: ScenarioConfig = {
    durationS: num('duration', d.duration, 0.1, loadLimits.durationMaxS),
    workers: int('workers', d.workers, 1, loadLimits.workersMax),
    accounts: int('accounts', d.accounts, 1, loadLimits.seedAccountsMax),
    seedConcurrency: int('seed-concurrency', d.seedConcurrency, 1, loadLimits.seedConcurrencyMax),
    initialDeposit: int('initial-deposit', d.initialDeposit, 0, money),
    minAmount,
    maxAmount,
    maxTransferAmount: int('max-transfer-amount', maxAmount, 1, money),
    baseUrl: parseLoopbackBaseUrl('base-url', raw('base-url') ?? d.baseUrl),
    currency: readCurrency(raw('currency') ?? d.currency),
    historyLimit: int('history-limit', d.historyLimit, 1, loadLimits.historyLimitMax),
    hotAccountRatio: num('hot-account-ratio', d.hotAccountRatio, 0, 1),
    hotSelectionRate: num('hot-selection-rate', d.hotSelectionRate, 0, 1),
    weights: {
      deposit: weight('deposit-weight', d.weights.deposit),
      withdraw: weight('withdraw-weight', d.weights.withdraw),
      balance: weight('balance-weight', d.weights.balance),
      history: weight('history-weight', d.weights.history),
      create: weight('create-weight', d.weights.create),
      transfer: weight('transfer-weight', d.weights.transfer),
      transferStatus: weight('transfer-status-weight', d.weights.transferStatus),
    },
    healthAttempts: int('health-retries', loadLimits.healthAttemptsDefault, 1, loadLimits.healthAttemptsMax),
    healthRetryDelayMs: int('health-retry-delay-ms', loadLimits.healthRetryDelayMsDefault, 0, loadLimits.healthRetryDelayMsMax),
    requestTimeoutMs: int('request-timeout-ms', loadLimits.requestTimeoutMsDefault, 1, loadLimits.requestTimeoutMsMax),
    removeCompletedTransfersFromPool: bool('remove-completed-transfers-from-pool'),
    readYourWrites: bool('read-your-writes'),
    json: bool('json'),
    maxUnexpectedFailures: int('max-unexpected-failures', d.maxUnexpectedFailures, 0, Number.MAX_SAFE_INTEGER),
    seed: int('seed', randomInt(0, 2 ** 31), 0, seedMax),
  };
  checkRelations(config);
  return config;
}

function readCurrency(value: string): string {
  if (!/^[A-Z]{3}$/.test(value)) throw new UsageError(`--currency must be a 3-letter upper-case ISO 4217 code, got "${value}"`);
  return value;
}

/** Rules between flags, checked after each flag is valid on its own. */
function checkRelations(config: ScenarioConfig): void {
  if (config.minAmount > config.maxAmount) {
    throw new UsageError(`--min-amount (${config.minAmount}) must not exceed --max-amount (${config.maxAmount})`);
  }
  if (config.maxTransferAmount < config.minAmount) {
    throw new UsageError(`--max-transfer-amount (${config.maxTransferAmount}) must be at least --min-amount (${config.minAmount})`);
  }
  const weights = Object.values(config.weights);
  if (weights.reduce((sum, w) => sum + w, 0) <= 0) throw new UsageError('at least one operation weight must be above 0');
  const transfers = config.weights.transfer + config.weights.transferStatus > 0;
  if (transfers && config.accounts < 2) throw new UsageError('transfers need --accounts of at least 2');
}
