// The one outbox contract, run against every adapter. Leases expire through the harness: fake time
// for the in-memory adapter, a tiny real lease and a bounded poll for Postgres. Claimants are live
// owners (acquireOwner); the harness kills one as its process's death would: MemoryOwners.kill, or
// pg_terminate_backend of the owner's session.
import { expect } from 'chai';
import { EventStore } from '../../src/ports/eventStore';
import { Outbox, OutboxRow } from '../../src/ports/outbox';
import { Owner } from '../../src/ports/ownerPresence';
import { streamAppend, streamId } from './fixtures';

export interface OutboxHarness {
  store: EventStore;
  outbox: Outbox;
  /** A lease the harness can make expire. */
  shortLeaseMs: number;
  /** Resolves once every lease granted with shortLeaseMs has expired. */
  expireShortLeases(): Promise<void>;
  /** Ends the owner as a crash of its process would; resolves once the store no longer counts it live. */
  kill(owner: Owner): Promise<void>;
}

const longLeaseMs = 60_000;

function streamsOf(rows: readonly OutboxRow[]): string[] {
  return [...new Set(rows.map((row) => row.event.streamId))];
}

function labels(rows: readonly OutboxRow[], names: ReadonlyMap<string, string>): string[] {
  return rows.map((row) => `${names.get(row.event.streamId)}${row.event.streamVersion}`);
}

export function outboxContract(setup: () => Promise<OutboxHarness>): void {
  describe('outbox contract', () => {
    let harness: OutboxHarness;
    let store: EventStore;
    let outbox: Outbox;
    let a: string;
    let b: string;
    let names: Map<string, string>;

    let owners: Owner[];
    /** Live owners' ids by the names the tests give them. */
    let relay: Record<string, string>;

    beforeEach(async () => {
      harness = await setup();
      ({ store, outbox } = harness);
      [a, b] = [streamId(), streamId()];
      names = new Map([
        [a, 'a'],
        [b, 'b'],
      ]);
      owners = await Promise.all(Array.from({ length: 6 }, () => outbox.acquireOwner()));
      relay = Object.fromEntries(owners.map((owner, index) => [`r${index + 1}`, owner.id]));
    });
    afterEach(async () => {
      await Promise.all(owners.map((owner) => owner.release()));
    });

    /** Three commits, three rows: a1 a2, then b1, then a3. */
    async function appendTwoStreams(): Promise<void> {
      await store.appendBatch([streamAppend(a, 0, 2, { topic: 'accounts' })]);
      await store.appendBatch([streamAppend(b, 0, 1, { topic: 'accounts' })]);
      await store.appendBatch([streamAppend(a, 2, 1, { topic: 'accounts' })]);
    }

    const idsOf = (rows: readonly OutboxRow[]) => [...new Set(rows.map((row) => row.id))];

    it('claims rows oldest first (commit order), each row\'s events in position order, with the stored events', async () => {
      await appendTwoStreams();
      const rows = await outbox.claim(relay.r1, 10, longLeaseMs);
      expect(labels(rows, names)).to.deep.equal(['a1', 'a2', 'b1', 'a3']);
      expect(rows.map(({ topic, attempts }) => ({ topic, attempts }))).to.deep.equal(rows.map(() => ({ topic: 'accounts', attempts: 0 })));
      expect(rows.map((row) => row.id), 'the events of one commit share its row').to.deep.equal([rows[0]!.id, rows[0]!.id, rows[2]!.id, rows[3]!.id]);
      expect(idsOf(rows)).to.have.length(3);
      const [streamA, streamB] = [await store.readStream(a, 0, 10), await store.readStream(b, 0, 10)];
      expect(rows.map((row) => row.event)).to.deep.equal([streamA[0], streamA[1], streamB[0], streamA[2]]);
    });

    it('writes one row per commit and topic, whatever the number of streams in it', async () => {
      await store.appendBatch([streamAppend(a, 0, 1, { topic: 'accounts' }), streamAppend(b, 0, 2, { topic: 'transfers' }), streamAppend(streamId(), 0, 1, { topic: 'accounts' })]);
      const rows = await outbox.claim(relay.r1, 10, longLeaseMs);
      expect(rows).to.have.length(4);
      const byId = new Map(idsOf(rows).map((id) => [id, rows.filter((row) => row.id === id).map((row) => row.topic)]));
      expect([...byId.values()].map((topics) => [...new Set(topics)])).to.have.deep.members([['accounts'], ['transfers']]);
      expect(rows.filter((row) => row.topic === 'transfers').map((row) => row.event.streamVersion)).to.deep.equal([1, 2]);
    });

    it('takes whole rows until eventsMax events are taken, at least one row', async () => {
      await appendTwoStreams();
      const first = await outbox.claim(relay.r1, 1, longLeaseMs);
      expect(labels(first, names), 'a row is never split').to.deep.equal(['a1', 'a2']);
      const second = await outbox.claim(relay.r1, 2, longLeaseMs);
      expect(labels(second, names)).to.deep.equal(['b1', 'a3']);
      await outbox.release(relay.r1, idsOf([...first, ...second]));
      expect(labels(await outbox.claim(relay.r2, 3, longLeaseMs), names), 'three events reached: a3 waits').to.deep.equal(['a1', 'a2', 'b1']);
    });

    it('passes over the rows the claimant holds and takes the newer ones', async () => {
      await appendTwoStreams();
      expect(labels(await outbox.claim(relay.r1, 1, longLeaseMs), names)).to.deep.equal(['a1', 'a2']);
      expect(labels(await outbox.claim(relay.r1, 1, longLeaseMs), names)).to.deep.equal(['b1']);
      expect(labels(await outbox.claim(relay.r1, 10, longLeaseMs), names)).to.deep.equal(['a3']);
      expect(await outbox.claim(relay.r1, 10, longLeaseMs)).to.deep.equal([]);
    });

    it('never claims past a row another live owner holds, rows committed later included, until it is published', async () => {
      await appendTwoStreams();
      const first = await outbox.claim(relay.r1, 1, longLeaseMs);
      await store.appendBatch([streamAppend(a, 3, 1)]);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs)).to.deep.equal([]);
      await outbox.markPublished(relay.r1, idsOf(first));
      expect(labels(await outbox.claim(relay.r3, 10, longLeaseMs), names)).to.deep.equal(['b1', 'a3', 'a4']);
    });

    it('never gives the same row to two concurrent claimers, and the rows go out oldest first', async () => {
      const streams = Array.from({ length: 12 }, () => streamId());
      for (const stream of streams) await store.appendBatch([streamAppend(stream, 0, 2)]);
      const claims = await Promise.all(Array.from({ length: 6 }, (_, index) => outbox.claim(owners[index]!.id, 3, longLeaseMs)));
      const claimed = claims.flatMap(idsOf);
      expect(new Set(claimed).size, 'a row claimed twice').to.equal(claimed.length);
      expect(claims.filter((rows) => rows.length > 0), 'the first claim holds the oldest rows; the others stop there').to.have.length(1);
      expect(claims.flatMap(streamsOf)).to.deep.equal(streams.slice(0, 2));
    });

    it('deletes published rows only for the owner holding them', async () => {
      await appendTwoStreams();
      const rows = await outbox.claim(relay.r1, 10, longLeaseMs);
      await outbox.markPublished(relay.r2, idsOf(rows));
      expect((await outbox.stats()).pending).to.equal(4);
      await outbox.markPublished(relay.r1, idsOf(rows).slice(0, 1));
      expect((await outbox.stats()).pending).to.equal(2);
      await outbox.markPublished(relay.r1, []);
      expect((await outbox.stats()).pending).to.equal(2);
    });

    it('a claim first deletes the published rows it is given (only the owner\'s), then takes the rows after them', async () => {
      await appendTwoStreams();
      const first = await outbox.claim(relay.r1, 1, longLeaseMs);
      expect(labels(first, names)).to.deep.equal(['a1', 'a2']);
      await store.appendBatch([streamAppend(a, 3, 1, { topic: 'accounts' })]);
      // Another owner's acknowledgement deletes nothing: a1 a2 stay leased to relay-1.
      expect(await outbox.claim(relay.r2, 10, longLeaseMs, idsOf(first))).to.deep.equal([]);
      expect((await outbox.stats()).pending).to.equal(5);
      const next = await outbox.claim(relay.r1, 10, longLeaseMs, idsOf(first));
      expect(labels(next, names)).to.deep.equal(['b1', 'a3', 'a4']);
      expect((await outbox.stats()).pending).to.equal(3);
    });

    it('releases rows of the owner for another attempt, counting it', async () => {
      await appendTwoStreams();
      const rows = await outbox.claim(relay.r1, 1, longLeaseMs);
      await outbox.release(relay.r2, idsOf(rows));
      expect(await outbox.claim(relay.r3, 10, longLeaseMs), 'still relay-1\'s').to.deep.equal([]);
      await outbox.release(relay.r1, idsOf(rows));
      const again = await outbox.claim(relay.r4, 10, longLeaseMs);
      expect(labels(again, names)).to.deep.equal(['a1', 'a2', 'b1', 'a3']);
      expect(again.map((row) => row.attempts)).to.deep.equal([1, 1, 0, 0]);
    });

    it('makes rows claimable again when their lease expires, and the old owner loses them', async () => {
      await appendTwoStreams();
      const crashed = await outbox.claim(relay.r1, 10, harness.shortLeaseMs);
      expect(crashed).to.have.length(4);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs)).to.deep.equal([]);
      await harness.expireShortLeases();
      const taken = await outbox.claim(relay.r2, 10, longLeaseMs);
      expect(labels(taken, names)).to.deep.equal(['a1', 'a2', 'b1', 'a3']);
      await outbox.markPublished(relay.r1, idsOf(crashed));
      expect((await outbox.stats()).pending).to.equal(4);
      await outbox.markPublished(relay.r2, idsOf(taken));
      expect(await outbox.stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
    });

    it('frees the claims of an owner that dies at once: another owner takes them whole, in order, before their lease ends', async () => {
      await appendTwoStreams();
      const dead = owners[0]!;
      const crashed = await outbox.claim(dead.id, 10, longLeaseMs);
      expect(crashed).to.have.length(4);
      await store.appendBatch([streamAppend(a, 3, 1, { topic: 'accounts' })]);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs), 'a live owner keeps its rows').to.deep.equal([]);
      await harness.kill(dead);
      const taken = await outbox.claim(relay.r2, 10, longLeaseMs);
      expect(labels(taken, names)).to.deep.equal(['a1', 'a2', 'b1', 'a3', 'a4']);
      // The dead owner can no longer delete or release what it had claimed.
      await outbox.markPublished(dead.id, idsOf(crashed));
      await outbox.release(dead.id, idsOf(crashed));
      expect(await outbox.claim(relay.r3, 10, longLeaseMs), 'the new owner holds them now').to.deep.equal([]);
      await outbox.markPublished(relay.r2, idsOf(taken));
      expect(await outbox.stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
    });

    it('gives an owner that has ended nothing, even free rows', async () => {
      await appendTwoStreams();
      const dead = owners[0]!;
      await harness.kill(dead);
      expect(await outbox.claim(dead.id, 10, longLeaseMs)).to.deep.equal([]);
      expect(labels(await outbox.claim(relay.r2, 10, longLeaseMs), names)).to.deep.equal(['a1', 'a2', 'b1', 'a3']);
    });

    it('takes a dead owner\'s rows at once and stops at the rows a live owner holds after them', async () => {
      await appendTwoStreams();
      const held = await outbox.claim(relay.r1, 10, longLeaseMs);
      await outbox.release(relay.r1, idsOf(held).slice(0, 1));
      const dead = owners[1]!;
      expect(labels(await outbox.claim(dead.id, 10, longLeaseMs), names)).to.deep.equal(['a1', 'a2']);
      await harness.kill(dead);
      expect(labels(await outbox.claim(relay.r3, 10, longLeaseMs), names), 'b1 and a3 stay with their live owner').to.deep.equal(['a1', 'a2']);
      expect(await outbox.claim(relay.r4, 10, longLeaseMs)).to.deep.equal([]);
    });

    it('lets an owner released on purpose be taken over at once', async () => {
      await appendTwoStreams();
      const leaving = owners[0]!;
      expect(await outbox.claim(leaving.id, 10, longLeaseMs)).to.have.length(4);
      await leaving.release();
      expect(leaving.isLive()).to.equal(false);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs)).to.have.length(4);
    });

    it('reports the pending events and the age of the oldest row', async () => {
      expect(await outbox.stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
      await appendTwoStreams();
      const stats = await outbox.stats();
      expect(stats.pending).to.equal(4);
      expect(stats.oldestAgeMs).to.be.a('number').and.to.be.at.least(0);
    });
  });
}
