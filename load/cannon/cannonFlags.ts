// Command line of autocannon.ts and bench.ts: `--key=value` like the scenario runner, fewer flags.
import { UsageError, tokenizeArgv } from '../shared/argv';
import { readBoolean, readInt } from '../shared/flagValues';
import { loadLimits } from '../shared/limits';
import { parseLoopbackBaseUrl } from '../shared/loopback';

export interface CannonFlags {
  positional: string[];
  durationS: number;
  connections: number;
  baseUrl: string;
  accounts: number;
  amount: number;
  currency: string;
  seedConcurrency: number;
  workers: number;
  warmupS: number;
  /** bench.ts: measurement rounds, each measuring every row once, back to back. */
  rounds: number;
  json: boolean;
  enforceTargets: boolean;
}

export interface CannonDefaults {
  duration: number;
  connections: number;
  baseUrl: string;
  accounts: number;
  amount: number;
  currency: string;
  seedConcurrency: number;
  workers: number;
  warmup: number;
  rounds: number;
}

export const cannonDefaults: CannonDefaults = {
  duration: 10,
  connections: 50,
  baseUrl: 'http://localhost:3000/api',
  accounts: 1_000,
  amount: 100,
  currency: 'USD',
  seedConcurrency: 20,
  /** Worker threads default per tool: autocannon.ts targets another process, bench.ts its own. */
  workers: 0,
  warmup: 0,
  rounds: 1,
};

/** Autocannon worker threads; more than the cores available only adds contention. */
const workersMax = 16;
/** Warm-up runs are discarded, so more than a minute only wastes time. */
const warmupMaxS = 60;
/** Rounds of a bench run; each one measures every row for the full duration. */
const roundsMax = 20;

export function parseCannonFlags(argv: readonly string[], allowed: readonly string[], overrides: Partial<CannonDefaults> = {}): CannonFlags {
  const d = { ...cannonDefaults, ...overrides };
  const { flags, positional } = tokenizeArgv(argv);
  for (const flag of flags.keys()) {
    if (!allowed.includes(flag)) throw new UsageError(`unknown flag --${flag}`);
  }
  const int = (flag: string, fallback: number, min: number, max: number) => {
    const raw = flags.get(flag);
    return raw === undefined ? fallback : readInt(flag, raw, { min, max });
  };
  const bool = (flag: string) => {
    const raw = flags.get(flag);
    return raw === undefined ? false : readBoolean(flag, raw);
  };
  const currency = flags.get('currency') ?? d.currency;
  if (!/^[A-Z]{3}$/.test(currency)) throw new UsageError(`--currency must be a 3-letter upper-case code, got "${currency}"`);
  return {
    positional,
    durationS: int('duration', d.duration, 1, loadLimits.durationMaxS),
    connections: int('connections', d.connections, 1, loadLimits.connectionsMax),
    baseUrl: parseLoopbackBaseUrl('base-url', flags.get('base-url') ?? d.baseUrl),
    accounts: int('accounts', d.accounts, 1, loadLimits.cannonAccountsMax),
    amount: int('amount', d.amount, 1, loadLimits.moneyMax),
    currency,
    seedConcurrency: int('seed-concurrency', d.seedConcurrency, 1, loadLimits.seedConcurrencyMax),
    workers: int('workers', d.workers, 0, workersMax),
    warmupS: int('warmup', d.warmup, 0, warmupMaxS),
    rounds: int('rounds', d.rounds, 1, roundsMax),
    json: bool('json'),
    enforceTargets: bool('enforce-targets'),
  };
}
