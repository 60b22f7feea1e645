// Crash-only start on the embedded default: 20 rounds in a row, each killing with SIGKILL at a
// random moment and starting again at once, which must come up every time with every acknowledged
// deposit still there. The kills, in turn:
//   burst          the whole process group (node and its postmaster) under a burst of deposits;
//   startup        the group, then the group of the next start during its start-up;
//   sigterm        the group during a SIGTERM drain under a burst;
//   server-only    node alone, under a burst: its postmaster lives on, orphaned;
//   postgres-only  the postmaster alone, under a burst: the server must exit 1 by itself.
// A deposit without a 201 (killed in flight, or refused) is asked again with its key after the
// restart until it has one (replayed if it had committed), so the balance must equal the sum of all
// deposits, each exactly once, read through ?minVersion=<last acknowledged version>. The random
// moments come from a printed seed (RESTART_SEED replays it); the restart times are printed.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { get } from '../support/app';
import { Server, killGroup, spawnEmbeddedServer, waitHealthy } from '../support/serverProcess';
import { seededRandom } from '../../load/shared/prng';
import { ClusterFolder, delay, lockPid, makeClusterFolder, removeCluster, within } from './embeddedCluster';
import { eventually } from '../support/eventually';

const pgPort = 27_420;
const rounds = 20;
const modes = ['burst', 'startup', 'sigterm', 'server-only', 'postgres-only'] as const;
type Mode = (typeof modes)[number];
const restartBounds = {
  /** The first start initialises the cluster. */
  firstStartMs: 90_000,
  /** Any later start, crash recovery and a dying or orphaned postmaster included. */
  restartMs: 60_000,
  /** A killed or signalled server is gone within this. */
  exitMs: 30_000,
  burstDeposits: 100,
  /** The moment of a kill after the burst began (or after the next start was spawned). */
  killAfterMsMax: 400,
  startupKillAfterMsMax: 4_000,
  sigtermKillAfterMsMax: 1_500,
} as const;
const seed = Number(process.env.RESTART_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);
const randomMs = (max: number) => Math.floor(random() * max);

interface Deposit {
  accountId: string;
  amount: number;
  key: string;
  transactionId: string;
  /** Set once a 201 was seen: the version it returned. */
  version: number | null;
}

describe('kill -9 at random moments and restart at once, 20 rounds (embedded default)', function () {
  this.timeout(15 * 60_000);
  let folder: ClusterFolder;
  let server: Server | null = null;
  const accounts = Array.from({ length: 4 }, (_, index) => `acc-crash-${index}-${randomUUID()}`);
  const deposits: Deposit[] = [];

  before(async () => {
    process.stdout.write(`      seed ${seed} (RESTART_SEED=${seed} replays the moments)\n`);
    folder = await makeClusterFolder('crash-restart');
    server = await spawnEmbeddedServer({ dataDir: folder.dataDir, pgPort });
    await waitHealthy(server, restartBounds.firstStartMs);
    for (const accountId of accounts) {
      const opened = await postJson(server.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-crash', currency: 'USD' }, randomUUID());
      expect(opened.status).to.equal(201);
    }
  });
  after(async () => {
    if (server) {
      killGroup(server.child, 'SIGTERM');
      await within(server.exited, 25_000, 'the last server stops').catch(() => killGroup(server!.child, 'SIGKILL'));
    }
    await removeCluster(folder);
  });

  it('comes up after every kill with every acknowledged deposit', async () => {
    const report: Array<{ round: number; mode: Mode; moments: number[]; restartMs: number; unknownsAsked: number }> = [];
    for (let round = 0; round < rounds; round += 1) {
      const mode = modes[round % modes.length]!;
      const burst = startBurst(server!.baseUrl);
      const moments = [randomMs(restartBounds.killAfterMsMax)];
      await delay(moments[0]!);
      if (mode === 'burst') {
        killGroup(server!.child, 'SIGKILL');
      } else if (mode === 'startup') {
        killGroup(server!.child, 'SIGKILL');
        await within(server!.exited, restartBounds.exitMs, 'the killed server exits');
        server = await spawnEmbeddedServer({ dataDir: folder.dataDir, pgPort });
        moments.push(randomMs(restartBounds.startupKillAfterMsMax));
        await delay(moments[1]!);
        killGroup(server.child, 'SIGKILL');
      } else if (mode === 'sigterm') {
        server!.child.kill('SIGTERM');
        moments.push(randomMs(restartBounds.sigtermKillAfterMsMax));
        await delay(moments[1]!);
        killGroup(server!.child, 'SIGKILL');
      } else if (mode === 'server-only') {
        server!.child.kill('SIGKILL');
      } else {
        const postmaster = await lockPid(folder.dataDir);
        expect(postmaster, 'the running server has a postmaster').to.not.equal(null);
        process.kill(postmaster!, 'SIGKILL');
        const exit = await within(server!.exited, restartBounds.exitMs, 'the server exits when its Postgres dies');
        expect(exit, `a server that lost its database exits 1 by itself: ${server!.stderr()}`).to.deep.equal({ code: 1, signal: null });
        expect(server!.stderr()).to.include('Acta crashed').and.include('embedded Postgres');
      }
      await within(server!.exited, restartBounds.exitMs, `round ${round} (${mode}): the killed server exits`);
      await burst;

      const restartedAt = Date.now();
      server = await spawnEmbeddedServer({ dataDir: folder.dataDir, pgPort });
      await waitHealthy(server, restartBounds.restartMs);
      const restartMs = Date.now() - restartedAt;
      const unknownsAsked = await askUnknownsAgain(server.baseUrl);
      await expectBalances(server.baseUrl, `round ${round} (${mode}, moments ${moments.join('/')} ms)`);
      report.push({ round, mode, moments, restartMs, unknownsAsked });
    }
    const times = report.map((entry) => entry.restartMs).sort((a, b) => a - b);
    process.stdout.write(`      seed ${seed}; restart ms per round: ${report.map((entry) => `${entry.round}:${entry.mode}@${entry.moments.join('/')}=${entry.restartMs}`).join(' ')}\n`);
    const askedAgain = report.reduce((sum, entry) => sum + entry.unknownsAsked, 0);
    const median = times[Math.floor(times.length / 2)];
    process.stdout.write(`      restart ms min ${times[0]} median ${median} max ${times[times.length - 1]}; deposits ${deposits.length}, asked again ${askedAgain}\n`);
  });

  /** 100 concurrent deposits over the accounts; resolves once each has an answer or a network error. */
  function startBurst(baseUrl: string): Promise<void> {
    const burst = Array.from({ length: restartBounds.burstDeposits }, (_, index) => {
      const deposit: Deposit = { accountId: accounts[index % accounts.length]!, amount: 1 + Math.floor(random() * 10_000), key: randomUUID(), transactionId: randomUUID(), version: null };
      deposits.push(deposit);
      return send(baseUrl, deposit).catch((error: unknown) => {
        // The kill cuts requests off: the outcome stays unknown until the deposit is asked again.
        expect(String(error)).to.match(/fetch failed|other side closed|ECONNRESET|ECONNREFUSED|socket/i);
      });
    });
    return Promise.all(burst).then(() => undefined);
  }

  /** Every deposit without a 201 is asked again with its key until it has one. */
  async function askUnknownsAgain(baseUrl: string): Promise<number> {
    const unknown = deposits.filter((deposit) => deposit.version === null);
    for (let start = 0; start < unknown.length; start += 20) {
      await Promise.all(
        unknown.slice(start, start + 20).map(async (deposit) => {
          for (let attempt = 0; deposit.version === null; attempt += 1) {
            expect(attempt, `deposit ${deposit.key} answered 201 after the restart`).to.be.below(50);
            await send(baseUrl, deposit);
            if (deposit.version === null) await delay(100);
          }
        }),
      );
    }
    return unknown.length;
  }

  async function expectBalances(baseUrl: string, context: string): Promise<void> {
    for (const accountId of accounts) {
      const mine = deposits.filter((deposit) => deposit.accountId === accountId);
      const expected = mine.reduce((sum, deposit) => sum + deposit.amount, 0);
      const minVersion = Math.max(1, ...mine.map((deposit) => deposit.version ?? 0));
      const path = `/api/accounts/${accountId}/balance?minVersion=${minVersion}`;
      const balance = await eventually(`${context}: balance of ${accountId} readable`, () => get(baseUrl, path), { until: (result) => result.status !== 503, timeoutMs: 30_000 });
      expect([balance.status, balance.body.balance], `${context}: balance of ${accountId} at version ${minVersion}`).to.deep.equal([200, expected]);
    }
  }
});

async function send(baseUrl: string, deposit: Deposit): Promise<void> {
  const response = await postJson(baseUrl, `/api/accounts/${deposit.accountId}/deposits`, { amount: deposit.amount, currency: 'USD', transactionId: deposit.transactionId }, deposit.key);
  if (response.status === 201) deposit.version = response.body.version as number;
  // Anything but 201 or a transient 503 would be a defect: a deposit to an open account succeeds.
  else expect(response.status, JSON.stringify(response.body)).to.equal(503);
}

async function postJson(baseUrl: string, path: string, body: unknown, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
