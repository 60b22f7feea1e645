// Relay takeover without waiting out leases, on real Postgres: rows claimed by a relay owner whose
// session died are published by a live relay at once (their 30 s lease still far from over), in
// stream order; a live owner's streams are never taken; a relay that loses its own owner connection
// claims nothing more under it and goes on under a new owner; and two live relays on one database
// never publish one stream at once (every stream arrives exactly once, in version order).
import { expect } from 'chai';
import { OutboxRelay, startOutboxRelay } from '../../actors/outboxRelay/outboxRelay';
import { accountTopic } from '../../src/app/runAccountTurn';
import { createLogger } from '../../src/infra/logger';
import { MemoryBus } from '../../src/infra/memory/memoryBus';
import { PostgresOwner, liveOwners } from '../../src/infra/postgres/presence/ownerPresence';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresOutbox } from '../../src/infra/postgres/writeSide/postgresOutbox';
import { Owner } from '../../src/ports/ownerPresence';
import { StoredEvent } from '../../src/ports/storedEvent';
import { TestDatabase, createTestDatabase } from '../support/database';
import { streamAppend, streamId } from '../store/fixtures';
import { eventually } from '../support/eventually';

const farLeaseMs = 30_000;

describe('outbox relay takeover by owner presence (real Postgres)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  let outbox: PostgresOutbox;
  let bus: MemoryBus;
  let received: StoredEvent[];
  const relays: OutboxRelay[] = [];
  const owners: Owner[] = [];

  before(async () => {
    db = await createTestDatabase({ poolMax: 12 });
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.truncate();
    store = new PostgresEventStore(db.pool);
    outbox = new PostgresOutbox(db.pool);
    bus = new MemoryBus();
    received = [];
    await bus.subscribe('takeover-test', [accountTopic], async (batch) => {
      for (const message of batch.messages) received.push(JSON.parse(message.value) as StoredEvent);
    });
  });
  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    for (const owner of owners.splice(0)) await owner.release();
    await bus.close();
  });

  async function appendStreams(count: number, perStream: number): Promise<string[]> {
    const streams = Array.from({ length: count }, () => streamId());
    await store.appendBatch(streams.map((stream) => streamAppend(stream, 0, perStream, { topic: accountTopic })));
    return streams;
  }

  function startRelay(): OutboxRelay {
    const relay = startOutboxRelay({ outbox, bus, logger: createLogger('silent') });
    relays.push(relay);
    return relay;
  }

  async function owner(): Promise<PostgresOwner> {
    const acquired = (await outbox.acquireOwner()) as PostgresOwner;
    owners.push(acquired);
    return acquired;
  }

  async function terminate(pid: number): Promise<void> {
    const { rows } = await db.pool.query<{ ended: boolean }>('select pg_terminate_backend($1, 5000) as ended', [pid]);
    expect(rows[0]?.ended).to.equal(true);
  }

  function versionsOf(stream: string): number[] {
    return received.filter((event) => event.streamId === stream).map((event) => event.streamVersion);
  }

  const drained = () => eventually('the outbox drained', () => outbox.stats(), { until: (stats) => stats.pending === 0, timeoutMs: 15_000 });

  it('publishes what a dead owner had claimed at once, while its lease still holds, in version order', async () => {
    const streams = await appendStreams(2, 4);
    const dead = await owner();
    expect(await outbox.claim(dead.id, 10, farLeaseMs)).to.have.length(8);
    const { rows } = await db.pool.query<{ until: Date }>('select max(claimed_until) as until from outbox_events');
    const leaseEnd = rows[0]!.until;
    await terminate(dead.backendPid);
    await eventually('the dead owner no longer live', async () => dead.isLive(), { until: (live) => !live });

    startRelay();
    await drained();
    for (const stream of streams) expect(versionsOf(stream), stream).to.deep.equal([1, 2, 3, 4]);
    expect(received).to.have.length(8);
    const { rows: still } = await db.pool.query<{ holds: boolean }>('select $1::timestamptz > clock_timestamp() as holds', [leaseEnd]);
    expect(still[0]?.holds, 'published before the dead owner\'s lease would have expired').to.equal(true);
  });

  it('never claims past the rows a live owner holds; publishes them, then the newer ones, once that owner ends', async () => {
    const [held] = await appendStreams(1, 2);
    const live = await owner();
    expect(await outbox.claim(live.id, 10, farLeaseMs)).to.have.length(2);
    const relay = startRelay();
    const [later] = await appendStreams(1, 3);
    relay.wake();
    const rounds = relay.stats().rounds;
    await eventually('three relay rounds', async () => relay.stats().rounds, { until: (now) => now >= rounds + 3 });
    expect(received, 'nothing goes out ahead of a live owner\'s rows').to.deep.equal([]);
    await live.release();
    relay.wake();
    await drained();
    expect(received.map((event) => [event.streamId, event.streamVersion])).to.deep.equal([
      [held, 1],
      [held, 2],
      [later, 1],
      [later, 2],
      [later, 3],
    ]);
  });

  it('claims nothing more under an owner whose connection was terminated, and goes on under a new one', async () => {
    const relay = startRelay();
    const [first] = await appendStreams(1, 2);
    relay.wake();
    await eventually('the first stream published', async () => versionsOf(first!), { until: (versions) => versions.length === 2 });
    const before = relay.stats().owner;
    expect(await liveOwners(db.pool)).to.include(before);
    const { rows } = await db.pool.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [before]);
    expect(rows).to.have.length(1);
    await terminate(rows[0]!.pid);
    const [second] = await appendStreams(1, 3);
    relay.wake();
    await eventually('the second stream published by the new owner', async () => versionsOf(second!), { until: (versions) => versions.length === 3, timeoutMs: 10_000 });
    const after = relay.stats().owner;
    expect(after).to.not.equal(before);
    const live = await liveOwners(db.pool);
    expect(live).to.include(after);
    expect(live).to.not.include(before);
    await drained();
  });

  it('lets two live relays share one outbox without ever publishing a stream twice or out of order', async () => {
    const [one, two] = [startRelay(), startRelay()];
    const streams: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      const fresh = Array.from({ length: 5 }, () => streamId());
      streams.push(...fresh);
      // Each round appends to new streams and to earlier ones, so streams grow while being published.
      const growing = streams.slice(0, 5).filter((stream) => !fresh.includes(stream));
      const versions = await Promise.all(growing.map((stream) => store.streamVersion(stream)));
      await store.appendBatch([
        ...fresh.map((stream) => streamAppend(stream, 0, 2, { topic: accountTopic })),
        ...growing.map((stream, index) => streamAppend(stream, versions[index]!, 1, { topic: accountTopic })),
      ]);
      one.wake();
      two.wake();
    }
    await drained();
    for (const stream of streams) {
      const versions = versionsOf(stream);
      const length = await store.streamVersion(stream);
      expect(versions, stream).to.deep.equal(Array.from({ length }, (_, index) => index + 1));
    }
    expect(one.stats().published + two.stats().published).to.equal(received.length);
  });
});
