// Fault runs: a bank workload of careful clients (deposits, withdrawals, transfers, retried with the
// same Idempotency-Key after any network error or 503) against the real server process while the
// faults production brings happen underneath it:
//   1. kill -9 of the server at random moments, restarted at once, again and again;
//   2. a restart of the Postgres cluster the server writes to (a private cluster, under load);
//   3. a kill -9 of the Kafka broker in Kafka mode, started again with the project's script.
// Afterwards the invariants of bankInvariants.ts are checked from the event store and the API, and
// the run's figures are printed. The random moments come from a printed seed (FAULT_SEED replays it).
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import type { Pool } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/infra/postgres/embedded/embeddedPostgres';
import { createPool } from '../../src/infra/postgres/connection/pool';
import { TestDatabase, createTestDatabase } from '../support/database';
import { requireKafkaBrokers } from '../support/kafka';
import { Server, killGroup, startServer, stopHard } from '../support/serverProcess';
import { seededRandom } from '../../load/shared/prng';
import { BankWorkload } from './bankWorkload';
import { settleAndCheck as settleAndCheckAll } from './bankInvariants';
import { eventually } from '../support/eventually';

const run = promisify(execFile);
const projectRoot = path.resolve(__dirname, '../..');
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);

/** Bounds of one fault run. */
const faultLimits = {
  killsMin: 10,
  /** A kill lands this long (uniformly) after the server answered /health. */
  killAfterMsMin: 200,
  killAfterMsMax: 1_500,
  /** After the last fault, how long the read side may take to drain and transfers to finish. */
  settleMs: 60_000,
  /** How long a command is retried before the client gives up on it (counted as unknown). */
  commandRetryBudgetMs: 60_000,
} as const;

function workload(baseUrl: () => string): BankWorkload {
  return new BankWorkload(baseUrl, {
    accounts: 10,
    clients: 12,
    currency: 'EUR',
    requestTimeoutMs: 15_000,
    commandRetryBudgetMs: faultLimits.commandRetryBudgetMs,
    retryPauseMs: 50,
    random,
  });
}

interface Figures {
  [name: string]: number | string | null;
}

/** Settles the read side, checks every invariant on the node, prints the run's figures. */
async function settleAndCheck(label: string, load: BankWorkload, pool: Pool, baseUrl: string, figures: Figures): Promise<void> {
  await settleAndCheckAll({ label: `fault run "${label}" (seed ${seed})`, load, pool, nodeUrls: [baseUrl], settleMs: faultLimits.settleMs, figures });
}

async function restartTimed(databaseUrl: string, env: Record<string, string>): Promise<{ server: Server; ms: number }> {
  const started = Date.now();
  const server = await startServer(databaseUrl, env);
  return { server, ms: Date.now() - started };
}

describe('fault runs: careful clients, kills and restarts, then the invariants', function () {
  this.timeout(300_000);

  describe('kill -9 of the server at random moments', () => {
    let db: TestDatabase;
    let server: Server | null = null;

    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      await stopHard(server);
      await db?.drop();
    });

    it(`keeps every acknowledged command exactly once through ${faultLimits.killsMin} kills`, async () => {
      server = await startServer(db.url);
      const load = workload(() => server!.baseUrl);
      await load.open();
      load.start();
      const restarts: number[] = [];
      try {
        for (let kill = 0; kill < faultLimits.killsMin; kill += 1) {
          await delay(faultLimits.killAfterMsMin + random() * (faultLimits.killAfterMsMax - faultLimits.killAfterMsMin));
          killGroup(server.child, 'SIGKILL');
          await server.exited;
          const restarted = await restartTimed(db.url, {});
          server = restarted.server;
          restarts.push(restarted.ms);
        }
        await delay(1_000);
      } finally {
        await load.stop();
      }
      await settleAndCheck('server kill -9', load, db.pool, server.baseUrl, {
        kills: restarts.length,
        restartMsMax: Math.max(...restarts),
        restartMsMedian: [...restarts].sort((a, b) => a - b)[Math.floor(restarts.length / 2)]!,
      });
    });
  });

  describe('a restart of the Postgres cluster under load', () => {
    let parent: string;
    let postgres: EmbeddedPostgres | null = null;
    let server: Server | null = null;
    let pool: Pool | null = null;
    // Below the ephemeral port range (32768-60999), so no outgoing connection can hold it.
    const port = 27_500 + Math.floor(random() * 90);

    before(async () => {
      parent = await fs.mkdtemp(path.join(os.tmpdir(), 'acta-fault-pg-'));
      // As root the cluster runs as the `postgres` user, who must reach the folder.
      await fs.chmod(parent, 0o755);
      postgres = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), port });
      pool = createPool(postgres.connectionString, { max: 2, applicationName: 'acta-fault-check' });
    });
    after(async () => {
      await stopHard(server);
      await pool?.end();
      await postgres?.stop();
      await fs.rm(parent, { recursive: true, force: true });
    });

    it('comes back by itself and keeps every acknowledged command exactly once', async () => {
      const url = postgres!.connectionString;
      server = await startServer(url);
      const load = workload(() => server!.baseUrl);
      await load.open();
      load.start();
      let downMs: number;
      let firstAckAfterMs: number;
      try {
        await delay(2_000);
        const stopped = Date.now();
        await postgres!.stop();
        postgres = null;
        await delay(1_500);
        postgres = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), port });
        downMs = Date.now() - stopped;
        const ackedBefore = load.counts().acked;
        const back = Date.now();
        await eventually('commands acknowledged again after Postgres is back', () => load.counts().acked, {
          until: (acked) => acked > ackedBefore,
          timeoutMs: 30_000,
          intervalMs: 20,
        });
        firstAckAfterMs = Date.now() - back;
        await delay(3_000);
      } finally {
        await load.stop();
      }
      // The checker's pool lost its connections with the restart; pg replaces them on the next query.
      await settleAndCheck('Postgres restart', load, pool!, server.baseUrl, { postgresDownMs: downMs, firstAckAfterPostgresBackMs: firstAckAfterMs });
      expect((await fetch(`${server.baseUrl}/readyz`)).status, 'ready again').to.equal(200);
    });
  });

  describe('kill -9 of the Kafka broker in Kafka mode', () => {
    let db: TestDatabase;
    let server: Server | null = null;
    const brokers = requireKafkaBrokers();

    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      await stopHard(server);
      await db?.drop();
      // Whatever happened, leave the suite's broker running for the tests after this one.
      await run('bash', ['scripts/kafka.sh', 'start'], { cwd: projectRoot });
    });

    it('projects everything once the broker is back, keeping every acknowledged command exactly once', async () => {
      server = await startServer(db.url, { KAFKA_BROKERS: brokers.join(',') });
      const load = workload(() => server!.baseUrl);
      await load.open();
      load.start();
      let brokerDownMs: number;
      try {
        await delay(2_000);
        const pid = Number((await fs.readFile(path.join(projectRoot, '.kafka', 'kafka.pid'), 'utf8')).trim());
        const killed = Date.now();
        process.kill(pid, 'SIGKILL');
        await delay(2_000);
        await run('bash', ['scripts/kafka.sh', 'start'], { cwd: projectRoot });
        brokerDownMs = Date.now() - killed;
        await delay(3_000);
      } finally {
        await load.stop();
      }
      await settleAndCheck('Kafka broker kill -9', load, db.pool, server.baseUrl, { brokerDownMs });
    });
  });
});
