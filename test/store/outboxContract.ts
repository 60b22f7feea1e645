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

    /** a1 a2 (first), then b1, then a3: stream a holds the oldest row. */
    async function appendTwoStreams(): Promise<void> {
      await store.appendBatch([streamAppend(a, 0, 2, { topic: 'accounts' })]);
      await store.appendBatch([streamAppend(b, 0, 1, { topic: 'accounts' })]);
      await store.appendBatch([streamAppend(a, 2, 1, { topic: 'accounts' })]);
    }

    it('claims whole streams, oldest first, each in version order, with the stored events', async () => {
      await appendTwoStreams();
      const rows = await outbox.claim(relay.r1, 10, longLeaseMs);
      expect(labels(rows, names)).to.deep.equal(['a1', 'a2', 'a3', 'b1']);
      expect(rows.map(({ topic, attempts }) => ({ topic, attempts }))).to.deep.equal(rows.map(() => ({ topic: 'accounts', attempts: 0 })));
      expect(new Set(rows.map((row) => row.id)).size).to.equal(4);
      expect(rows.map((row) => row.event)).to.deep.equal([...(await store.readStream(a, 0, 10)), ...(await store.readStream(b, 0, 10))]);
    });

    it('takes at most streamsMax streams and every row of each', async () => {
      await appendTwoStreams();
      expect(labels(await outbox.claim(relay.r1, 1, longLeaseMs), names)).to.deep.equal(['a1', 'a2', 'a3']);
      expect(labels(await outbox.claim(relay.r2, 1, longLeaseMs), names)).to.deep.equal(['b1']);
      expect(await outbox.claim(relay.r3, 10, longLeaseMs)).to.deep.equal([]);
    });

    it('keeps a leased stream, including rows added after the claim, from other claimers until published', async () => {
      await appendTwoStreams();
      const first = await outbox.claim(relay.r1, 1, longLeaseMs);
      await store.appendBatch([streamAppend(a, 3, 1)]);
      expect(labels(await outbox.claim(relay.r2, 10, longLeaseMs), names)).to.deep.equal(['b1']);
      await outbox.markPublished(relay.r1, first.map((row) => row.id));
      expect(labels(await outbox.claim(relay.r3, 10, longLeaseMs), names)).to.deep.equal(['a4']);
    });

    it('never gives the same stream to two concurrent claimers', async () => {
      const streams = Array.from({ length: 12 }, () => streamId());
      await store.appendBatch(streams.map((stream) => streamAppend(stream, 0, 2)));
      const claims = await Promise.all(Array.from({ length: 6 }, (_, index) => outbox.claim(owners[index]!.id, 3, longLeaseMs)));
      const claimed = claims.flatMap(streamsOf);
      expect(new Set(claimed).size, 'a stream claimed twice').to.equal(claimed.length);
      expect([...claimed].sort()).to.deep.equal([...streams].sort());
      for (const rows of claims) expect(rows.length).to.equal(streamsOf(rows).length * 2);
    });

    it('deletes published rows only for the owner holding them', async () => {
      await appendTwoStreams();
      const rows = await outbox.claim(relay.r1, 10, longLeaseMs);
      await outbox.markPublished(relay.r2, rows.map((row) => row.id));
      expect((await outbox.stats()).pending).to.equal(4);
      await outbox.markPublished(relay.r1, rows.slice(0, 3).map((row) => row.id));
      expect((await outbox.stats()).pending).to.equal(1);
      await outbox.markPublished(relay.r1, []);
      expect((await outbox.stats()).pending).to.equal(1);
    });

    it('a claim first deletes the published rows it is given (only the owner\'s), then sees their streams free', async () => {
      await appendTwoStreams();
      const first = await outbox.claim(relay.r1, 1, longLeaseMs);
      expect(labels(first, names)).to.deep.equal(['a1', 'a2', 'a3']);
      await store.appendBatch([streamAppend(a, 3, 1, { topic: 'accounts' })]);
      // Another owner's acknowledgement deletes nothing: stream a stays leased to relay-1.
      expect(labels(await outbox.claim(relay.r2, 10, longLeaseMs, first.map((row) => row.id)), names)).to.deep.equal(['b1']);
      expect((await outbox.stats()).pending).to.equal(5);
      const next = await outbox.claim(relay.r1, 10, longLeaseMs, first.map((row) => row.id));
      expect(labels(next, names)).to.deep.equal(['a4']);
      expect((await outbox.stats()).pending).to.equal(2);
    });

    it('releases rows of the owner for another attempt, counting it', async () => {
      await appendTwoStreams();
      const rows = await outbox.claim(relay.r1, 1, longLeaseMs);
      await outbox.release(relay.r2, rows.map((row) => row.id));
      expect(labels(await outbox.claim(relay.r3, 10, longLeaseMs), names)).to.deep.equal(['b1']);
      await outbox.release(relay.r1, rows.map((row) => row.id));
      const again = await outbox.claim(relay.r4, 10, longLeaseMs);
      expect(labels(again, names)).to.deep.equal(['a1', 'a2', 'a3']);
      expect(again.map((row) => row.attempts)).to.deep.equal([1, 1, 1]);
    });

    it('makes rows claimable again when their lease expires, and the old owner loses them', async () => {
      await appendTwoStreams();
      const crashed = await outbox.claim(relay.r1, 10, harness.shortLeaseMs);
      expect(crashed).to.have.length(4);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs)).to.deep.equal([]);
      await harness.expireShortLeases();
      const taken = await outbox.claim(relay.r2, 10, longLeaseMs);
      expect(labels(taken, names)).to.deep.equal(['a1', 'a2', 'a3', 'b1']);
      await outbox.markPublished(relay.r1, crashed.map((row) => row.id));
      expect((await outbox.stats()).pending).to.equal(4);
      await outbox.markPublished(relay.r2, taken.map((row) => row.id));
      expect(await outbox.stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
    });

    it('frees the claims of an owner that dies at once: another owner takes them whole, in order, before their lease ends', async () => {
      await appendTwoStreams();
      const dead = owners[0]!;
      const crashed = await outbox.claim(dead.id, 10, longLeaseMs);
      expect(crashed).to.have.length(4);
      await store.appendBatch([streamAppend(a, 3, 1, { topic: 'accounts' })]);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs), 'a live owner keeps its streams').to.deep.equal([]);
      await harness.kill(dead);
      const taken = await outbox.claim(relay.r2, 10, longLeaseMs);
      expect(labels(taken, names)).to.deep.equal(['a1', 'a2', 'a3', 'a4', 'b1']);
      // The dead owner can no longer delete or release what it had claimed.
      await outbox.markPublished(dead.id, crashed.map((row) => row.id));
      await outbox.release(dead.id, crashed.map((row) => row.id));
      expect(await outbox.claim(relay.r3, 10, longLeaseMs), 'the new owner holds them now').to.deep.equal([]);
      await outbox.markPublished(relay.r2, taken.map((row) => row.id));
      expect(await outbox.stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
    });

    it('gives an owner that has ended nothing, even free rows', async () => {
      await appendTwoStreams();
      const dead = owners[0]!;
      await harness.kill(dead);
      expect(await outbox.claim(dead.id, 10, longLeaseMs)).to.deep.equal([]);
      expect(labels(await outbox.claim(relay.r2, 10, longLeaseMs), names)).to.deep.equal(['a1', 'a2', 'a3', 'b1']);
    });

    it('never takes the streams of a live owner, while a dead owner\'s streams beside them are taken', async () => {
      await appendTwoStreams();
      expect(labels(await outbox.claim(relay.r1, 1, longLeaseMs), names)).to.deep.equal(['a1', 'a2', 'a3']);
      const dead = owners[1]!;
      expect(labels(await outbox.claim(dead.id, 1, longLeaseMs), names)).to.deep.equal(['b1']);
      await harness.kill(dead);
      for (const claimant of [relay.r3, relay.r4]) {
        const rows = await outbox.claim(claimant, 10, longLeaseMs);
        expect(rows.map((row) => row.event.streamId), 'stream a stays with its live owner').to.not.include(a);
        if (claimant === relay.r3) expect(labels(rows, names)).to.deep.equal(['b1']);
      }
    });

    it('lets an owner released on purpose be taken over at once', async () => {
      await appendTwoStreams();
      const leaving = owners[0]!;
      expect(await outbox.claim(leaving.id, 10, longLeaseMs)).to.have.length(4);
      await leaving.release();
      expect(leaving.isLive()).to.equal(false);
      expect(await outbox.claim(relay.r2, 10, longLeaseMs)).to.have.length(4);
    });

    it('reports pending rows and the age of the oldest', async () => {
      expect(await outbox.stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
      await appendTwoStreams();
      const stats = await outbox.stats();
      expect(stats.pending).to.equal(4);
      expect(stats.oldestAgeMs).to.be.a('number').and.to.be.at.least(0);
    });
  });
}
