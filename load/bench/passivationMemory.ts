// bench.ts's passivation measurement: does memory stay flat while the number of distinct accounts
// touched grows by a factor (shared/design.md, "memory stays bounded ... (passivation)")? Boots its
// own in-process server with a short ACCOUNT_IDLE_MS, touches N accounts (create + one deposit
// each, over HTTP), waits until every actor has passivated and the read side has stopped moving,
// forces a full GC and reads heapUsed / RSS; then touches factor × N more and measures again.
// The GC is forced through `global.gc` when node runs with --expose-gc; otherwise the flag is set at
// run time (v8.setFlagsFromString) and `gc` is taken from a fresh vm context, which sees it.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { StartedServer, startActaServer } from './benchTarget';
import { createCannonAccounts } from '../cannon/cannonAccounts';
import { probeHealth } from '../shared/healthProbe';
import { createHttpClient } from '../shared/httpClient';
import { RunIds } from '../shared/ids';
import { loadLimits } from '../shared/limits';
import { MemoryGrowthRow, MemoryStep, formatMemoryStep } from './memoryGrowth';
import { projectionLagMetric, scrapeBuckets } from './projectionLag';

export interface PassivationOptions {
  /** N: accounts touched before the first measurement. */
  accounts: number;
  /** The second measurement is taken after factor × N accounts in total. */
  factor: number;
  idleMs: number;
  concurrency: number;
  currency: string;
}

/** 50 × 100 = 5,000 accounts keeps the default bench's share near 20 s on a 2-core box (HTTP create + deposit each). */
export const passivationDefaults = { accounts: 50, factor: 100, idleMs: 200 } as const;
/** Bounds on the waits between touching and measuring: a server that never settles is reported. */
const passivateWaitMs = 30_000;
const settlePollMs = 250;
const readSideSettleMs = 30_000;
const healthAttempts = 20;
const healthDelayMs = 250;

interface ForcedGc {
  gc: () => void;
  how: string;
}

function forcedGc(): ForcedGc {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { gc: exposed, how: 'global.gc (node --expose-gc)' };
  v8.setFlagsFromString('--expose-gc');
  return { gc: runInNewContext('gc') as () => void, how: 'v8.setFlagsFromString("--expose-gc") + vm gc()' };
}

/** Polls until no actor is live (or the bound passes) and returns how many still are. */
async function waitForPassivation(server: StartedServer): Promise<number> {
  const live = server.liveActors ?? (() => 0);
  const deadline = Date.now() + passivateWaitMs;
  while (live() > 0 && Date.now() < deadline) await sleep(settlePollMs);
  return live();
}

/** Waits until the projection-lag histogram's event count stops moving: the read side has caught up. */
async function waitForReadSide(origin: string): Promise<void> {
  const deadline = Date.now() + readSideSettleMs;
  let previous = -1;
  for (;;) {
    const applied = (await scrapeBuckets(origin, projectionLagMetric)).get(Infinity) ?? 0;
    if (applied === previous || Date.now() > deadline) return;
    previous = applied;
    await sleep(4 * settlePollMs);
  }
}

async function touchAndMeasure(server: StartedServer, count: number, touchedBefore: number, ids: RunIds, options: PassivationOptions, gc: ForcedGc): Promise<MemoryStep> {
  const client = createHttpClient({ baseUrl: server.baseUrl, requestTimeoutMs: loadLimits.requestTimeoutMsDefault, maxSockets: options.concurrency });
  const started = performance.now();
  try {
    // The returned ids are dropped at once: the bench shares the server's heap and must not hold them.
    await createCannonAccounts(client, ids, { count, concurrency: options.concurrency, currency: options.currency, initialDeposit: 1 });
  } finally {
    client.close();
  }
  const touchSeconds = (performance.now() - started) / 1000;
  const liveActorsPeak = server.liveActors?.() ?? 0;
  await waitForReadSide(new URL(server.baseUrl).origin);
  const liveActors = await waitForPassivation(server);
  gc.gc();
  gc.gc();
  const memory = process.memoryUsage();
  return { accountsTouched: touchedBefore + count, liveActorsPeak, liveActors, heapUsedBytes: memory.heapUsed, rssBytes: memory.rss, touchSeconds };
}

export async function measurePassivationMemory(options: PassivationOptions, log: (line: string) => void): Promise<MemoryGrowthRow> {
  const gc = forcedGc();
  const row: MemoryGrowthRow = { idleMs: options.idleMs, gc: gc.how, small: null, large: null };
  let server: StartedServer | null = null;
  try {
    server = await startActaServer({ ACCOUNT_IDLE_MS: String(options.idleMs) });
    const probe = createHttpClient({ baseUrl: server.baseUrl, requestTimeoutMs: loadLimits.requestTimeoutMsDefault, maxSockets: 1 });
    try {
      if (!(await probeHealth(probe, { attempts: healthAttempts, delayMs: healthDelayMs, log }))) throw new Error(`server at ${server.baseUrl} never became healthy`);
    } finally {
      probe.close();
    }
    const ids = new RunIds('passivation');
    log(`Passivation memory: touching ${options.accounts} accounts (ACCOUNT_IDLE_MS=${options.idleMs}) ...`);
    row.small = await touchAndMeasure(server, options.accounts, 0, ids, options, gc);
    log(formatMemoryStep(row.small));
    const more = options.accounts * options.factor - options.accounts;
    log(`Passivation memory: touching ${more} more accounts (${options.factor} × ${options.accounts} in total) ...`);
    row.large = await touchAndMeasure(server, more, options.accounts, ids, options, gc);
    log(formatMemoryStep(row.large));
  } catch (error) {
    row.skipped = error instanceof Error ? error.message : String(error);
  } finally {
    await server?.close();
  }
  return row;
}
