// The outbox relay against real Postgres: rows leased by a relay that is alive but stuck (it holds
// its owner lock and never publishes) are published by another relay once the lease expires (the
// backstop; a relay that dies loses its rows at once, test/relay/relayTakeover.test.ts), in
// stream-version order, and the outbox ends up empty. And with a
// private Kafka broker that is stopped mid-test: writes keep answering 201 and the read model catches
// up once the broker is back.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { OutboxRelay, startOutboxRelay } from '../../actors/outboxRelay/outboxRelay';
import { accountTopic } from '../../src/app/runAccountTurn';
import { createLogger } from '../../src/infra/logger';
import { MemoryBus } from '../../src/infra/memory/memoryBus';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresOutbox } from '../../src/infra/postgres/writeSide/postgresOutbox';
import { Owner } from '../../src/ports/ownerPresence';
import { StoredEvent } from '../../src/ports/storedEvent';
import { HttpResult, TestApp, get, post, startTestApp } from '../support/app';
import { TestDatabase, createTestDatabase } from '../support/database';
import { streamAppend, streamId } from '../store/fixtures';
import { eventually } from '../support/eventually';

const execFileAsync = promisify(execFile);

describe('outbox relay (real Postgres)', function () {
  this.timeout(60_000);

  describe('lease expiry after a stuck relay', () => {
    let db: TestDatabase;
    let relay: OutboxRelay | null = null;
    let bus: MemoryBus | null = null;

    before(async () => {
      db = await createTestDatabase();
    });
    let stuckOwner: Owner | null = null;
    after(async () => {
      await relay?.stop();
      await bus?.close();
      await stuckOwner?.release();
      await db?.drop();
    });

    it('publishes rows a stuck live owner leased, only after the lease expires, in stream-version order, and empties the outbox', async () => {
      const store = new PostgresEventStore(db.pool);
      const outbox = new PostgresOutbox(db.pool);
      expect(accountTopic).to.equal('acta.account');
      const streams = [streamId(), streamId()];
      const perStream = 4;
      for (const stream of streams) {
        // Two appends per stream so each stream has rows from more than one transaction.
        const [first] = await store.appendBatch([streamAppend(stream, 0, 2, { topic: accountTopic })]);
        expect(first).to.have.property('ok', true);
        const [second] = await store.appendBatch([streamAppend(stream, 2, perStream - 2, { topic: accountTopic })]);
        expect(second).to.have.property('ok', true);
      }
      expect((await outbox.stats()).pending).to.equal(streams.length * perStream);

      const leaseMs = 300;
      const stuck = await outbox.acquireOwner();
      stuckOwner = stuck;
      const crashed = await outbox.claim(stuck.id, 1_000, leaseMs);
      const claimedAt = Date.now();
      expect(crashed).to.have.length(streams.length * perStream);
      // The stuck owner stays live and never publishes, releases nor deletes.

      bus = new MemoryBus();
      const received: Array<{ at: number; event: StoredEvent }> = [];
      await bus.subscribe('relay-test-consumer', [accountTopic], async (batch) => {
        for (const message of batch.messages) received.push({ at: Date.now(), event: JSON.parse(message.value) as StoredEvent });
      });
      relay = startOutboxRelay({ outbox, bus, logger: createLogger('silent'), leaseMs: 5_000 });
      // While the lease holds, a live relay must not take the rows (its first round runs at once).
      relay.wake();
      await eventually('a relay round', async () => relay!.stats().rounds, { until: (rounds) => rounds >= 1, timeoutMs: 5_000 });
      if (Date.now() - claimedAt < leaseMs) expect(received, 'published while the crashed lease still held').to.have.length(0);

      await eventually('every row published', async () => received.length, { until: (count) => count >= streams.length * perStream, timeoutMs: 15_000, intervalMs: 20 });
      await eventually('the outbox drained', () => outbox.stats(), { until: (stats) => stats.pending === 0, timeoutMs: 5_000 });

      expect(received).to.have.length(streams.length * perStream, 'each row published exactly once');
      for (const { at } of received) expect(at - claimedAt, 'published before the lease expired').to.be.at.least(leaseMs - 5);
      for (const stream of streams) {
        const versions = received.filter(({ event }) => event.streamId === stream).map(({ event }) => event.streamVersion);
        expect(versions, `versions of ${stream}`).to.deep.equal(Array.from({ length: perStream }, (_, i) => i + 1));
      }
      const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from outbox_events');
      expect(rows[0]!.n).to.equal(0);
      expect(relay.stats().published).to.equal(streams.length * perStream);
    });
  });

  describe('Kafka down during writes (second broker)', function () {
    // A private broker in its own state folder and on its own ports, so stopping it never touches the
    // shared broker (19092, .kafka/). The folder is removed in after(). The folder and ports are fixed,
    // so two runs of this file at the same time (e.g. two suites) would share, and stop, one broker.
    this.timeout(300_000);
    const projectRoot = path.resolve(__dirname, '../..');
    const stateDir = path.join(projectRoot, '.kafka-relay-test');
    const brokerEnv = { ...process.env, KAFKA_STATE_DIR: stateDir, KAFKA_PORT: '29092', KAFKA_CONTROLLER_PORT: '29093' };
    const brokers = '127.0.0.1:29092';
    let app: TestApp | null = null;
    let counter = 0;
    const newId = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

    /** Runs scripts/kafka.sh <command> for the private broker only; bounded, fails with its stderr. */
    async function kafka(command: 'start' | 'stop'): Promise<number> {
      const startedAt = Date.now();
      try {
        await execFileAsync('bash', ['scripts/kafka.sh', command], { cwd: projectRoot, env: brokerEnv, timeout: 120_000, killSignal: 'SIGKILL' });
      } catch (error) {
        const { stderr } = error as { stderr?: string };
        throw new Error(`kafka.sh ${command} (${stateDir}) failed: ${(error as Error).message}\n${stderr ?? ''}`, { cause: error });
      }
      return Date.now() - startedAt;
    }

    async function deposit(accountId: string, amount: number): Promise<HttpResult> {
      const result = await post(app!.baseUrl, `/api/accounts/${accountId}/deposits`, { amount, currency: 'USD', transactionId: newId('t') });
      expect(result.status, JSON.stringify(result.body)).to.equal(201);
      return result;
    }

    /** GET balance?minVersion, retried on 503 read_model_behind until timeoutMs. */
    function balanceAtLeast(accountId: string, minVersion: number, timeoutMs: number): Promise<HttpResult> {
      const path = `/api/accounts/${accountId}/balance?minVersion=${minVersion}`;
      return eventually(`balance of ${accountId} at version ${minVersion}`, () => get(app!.baseUrl, path), {
        until: (result) => result.status !== 503,
        timeoutMs,
        intervalMs: 250,
      });
    }

    before(async () => {
      const ms = await kafka('start');
      if (process.env.RELAY_TEST_TIMINGS) console.log(`      private broker started in ${ms} ms`);
      app = await startTestApp({ env: { KAFKA_BROKERS: brokers, READ_WAIT_MS: '20000' } });
    });
    after(async () => {
      // Each step runs even if an earlier one fails, so no broker or folder is left behind.
      const failures: unknown[] = [];
      await app?.close().catch((error: unknown) => failures.push(error));
      await kafka('stop').catch((error: unknown) => failures.push(error));
      await rm(stateDir, { recursive: true, force: true }).catch((error: unknown) => failures.push(error));
      if (failures.length > 0) throw failures[0];
    });

    it('keeps accepting writes (201) while the broker is down and the read model converges after it returns', async () => {
      const timings = process.env.RELAY_TEST_TIMINGS ? (line: string) => console.log(`      ${line}`) : () => {};
      const accountId = newId('relay');
      const created = await post(app!.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-relay', currency: 'USD' });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const first = await deposit(accountId, 100);
      let balance = 100;
      let version = first.body.version as number;
      expect(first.body).to.include({ balance, version: 2 });

      // The Kafka path works: the read model reaches the write's version through the private broker.
      const firstReadAt = Date.now();
      const viaKafka = await get(app!.baseUrl, `/api/accounts/${accountId}/balance?minVersion=${version}`);
      expect(viaKafka.status, `read through the broker: ${JSON.stringify(viaKafka.body)}`).to.equal(200);
      expect(viaKafka.body).to.include({ accountId, balance, version });
      timings(`first read through the broker answered 200 in ${Date.now() - firstReadAt} ms`);

      timings(`broker stopped in ${await kafka('stop')} ms`);
      for (let i = 1; i <= 5; i++) {
        const startedAt = Date.now();
        const written = await deposit(accountId, 10 * i);
        balance += 10 * i;
        version = written.body.version as number;
        expect(written.body).to.include({ balance, version: 2 + i });
        timings(`deposit ${i} while the broker is down: 201 in ${Date.now() - startedAt} ms`);
      }

      timings(`broker restarted in ${await kafka('start')} ms`);
      const restartedAt = Date.now();
      const last = await balanceAtLeast(accountId, version, 60_000);
      expect(last.status, `read after the broker returned: ${JSON.stringify(last.body)}`).to.equal(200);
      expect(last.body).to.include({ accountId, balance, version });
      timings(`read model converged ${Date.now() - restartedAt} ms after the restart`);
    });
  });
});
