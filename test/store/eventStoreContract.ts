// The one event store contract: every adapter (in-memory, Postgres) runs this same suite.
import { expect } from 'chai';
import { AppendResult, EventStore } from '../../src/ports/eventStore';
import { Outbox, OutboxRow } from '../../src/ports/outbox';
import { StoredEvent } from '../../src/ports/storedEvent';
import { idempotencyRecord, newEvent, streamAppend, streamId, transactionRecord } from './fixtures';
import { eventually } from '../support/eventually';

export interface EventStoreHarness {
  store: EventStore;
  /** The outbox the store writes into, to check outbox rows commit with their events. */
  outbox: Outbox;
}

const farLeaseMs = 60_000;

function okResult(result: AppendResult | undefined): Extract<AppendResult, { ok: true }> {
  expect(result, 'append result').to.have.property('ok', true);
  return result as Extract<AppendResult, { ok: true }>;
}

function positionsIncrease(events: readonly StoredEvent[]): boolean {
  return events.every((event, index) => index === 0 || BigInt(event.globalPosition) > BigInt((events[index - 1] as StoredEvent).globalPosition));
}

export function eventStoreContract(setup: () => Promise<EventStoreHarness>): void {
  describe('event store contract', () => {
    let store: EventStore;
    let outbox: Outbox;

    beforeEach(async () => {
      ({ store, outbox } = await setup());
    });

    /** readAll, waiting (bounded) until at least `count` events are visible to log readers. */
    function readAllAtLeast(afterPosition: string, count: number, limit = 100): Promise<StoredEvent[]> {
      return eventually(`${count} events readable after ${afterPosition}`, () => store.readAll(afterPosition, limit), { until: (events) => events.length >= count });
    }

    /** Claims what the outbox holds under a live owner, which ends right after (its rows go free again). */
    async function inspectOutbox(streamsMax: number): Promise<OutboxRow[]> {
      const inspector = await outbox.acquireOwner();
      try {
        return await outbox.claim(inspector.id, streamsMax, farLeaseMs);
      } finally {
        await inspector.release();
      }
    }

    async function outboxStreams(): Promise<string[]> {
      return (await inspectOutbox(1_000)).map((row) => row.event.streamId);
    }

    describe('appendBatch', () => {
      it('appends to a new stream at versions 1..n with increasing positions', async () => {
        const stream = streamId();
        const append = streamAppend(stream, 0, 3);
        const [result] = await store.appendBatch([append]);
        const ok = okResult(result);
        expect(ok.lastVersion).to.equal(3);
        expect(ok.globalPositions).to.have.length(3);
        const events = await store.readStream(stream, 0, 10);
        expect(events.map((event) => event.streamVersion)).to.deep.equal([1, 2, 3]);
        expect(events.map((event) => event.globalPosition)).to.deep.equal(ok.globalPositions);
        expect(positionsIncrease(events)).to.equal(true);
        expect(events.map(({ eventId, type, data, metadata, occurredAt }) => ({ eventId, type, data, metadata, occurredAt }))).to.deep.equal(
          append.events,
        );
        expect(events.map((event) => event.streamId)).to.deep.equal(events.map(() => stream));
        expect(await store.streamVersion(stream)).to.equal(3);
      });

      it('appends after the expected version', async () => {
        const stream = streamId();
        await store.appendBatch([streamAppend(stream, 0, 2)]);
        const [result] = await store.appendBatch([streamAppend(stream, 2, 1)]);
        expect(okResult(result).lastVersion).to.equal(3);
        expect((await store.readStream(stream, 0, 10)).map((event) => event.streamVersion)).to.deep.equal([1, 2, 3]);
      });

      it('refuses a stale expected version with a stream_version conflict and writes nothing', async () => {
        const stream = streamId();
        await store.appendBatch([streamAppend(stream, 0, 2)]);
        const stale = streamAppend(stream, 1, 1, { transactions: [transactionRecord()], idempotency: [idempotencyRecord()] });
        expect(await store.appendBatch([stale])).to.deep.equal([{ ok: false, conflict: 'stream_version' }]);
        expect(await store.streamVersion(stream)).to.equal(2);
        expect((await store.findTransactions([stale.transactions[0]!.transactionId])).size).to.equal(0);
        expect((await store.findIdempotency([stale.idempotency[0]!.key])).size).to.equal(0);
        expect(await outboxStreams()).to.deep.equal([stream, stream]);
      });

      it('refuses an expected version ahead of the stream (it would leave a gap)', async () => {
        const stream = streamId();
        await store.appendBatch([streamAppend(stream, 0, 3)]);
        expect(await store.appendBatch([streamAppend(stream, 5, 1)])).to.deep.equal([{ ok: false, conflict: 'stream_version' }]);
        expect(await store.appendBatch([streamAppend(streamId(), 1, 1)])).to.deep.equal([{ ok: false, conflict: 'stream_version' }]);
        expect(await store.streamVersion(stream)).to.equal(3);
      });

      it('commits the other streams of a batch when one stream conflicts', async () => {
        const [stale, fresh, duplicate] = [streamId(), streamId(), streamId()];
        const taken = transactionRecord();
        await store.appendBatch([streamAppend(stale, 0, 1), streamAppend(streamId(), 0, 1, { transactions: [taken] })]);
        const before = store.appendTransactions();
        const results = await store.appendBatch([
          streamAppend(stale, 0, 1),
          streamAppend(fresh, 0, 2),
          streamAppend(duplicate, 0, 1, { transactions: [transactionRecord({ transactionId: taken.transactionId })] }),
        ]);
        expect(results[0]).to.deep.equal({ ok: false, conflict: 'stream_version' });
        expect(okResult(results[1]).lastVersion).to.equal(2);
        expect(results[2]).to.deep.equal({ ok: false, conflict: 'transaction_id' });
        expect(store.appendTransactions()).to.equal(before + 1);
        expect(await store.streamVersion(fresh)).to.equal(2);
        expect(await store.streamVersion(duplicate)).to.equal(0);
      });

      it('reports a reused transaction id as transaction_id and writes nothing of that stream', async () => {
        const record = transactionRecord();
        await store.appendBatch([streamAppend(streamId(), 0, 1, { transactions: [record] })]);
        const stream = streamId();
        const key = idempotencyRecord();
        const results = await store.appendBatch([
          streamAppend(stream, 0, 2, { transactions: [transactionRecord({ transactionId: record.transactionId, amount: 999 })], idempotency: [key] }),
        ]);
        expect(results).to.deep.equal([{ ok: false, conflict: 'transaction_id' }]);
        expect(await store.readStream(stream, 0, 10)).to.deep.equal([]);
        expect((await store.findIdempotency([key.key])).size).to.equal(0);
        expect((await store.findTransactions([record.transactionId])).get(record.transactionId)?.amount).to.equal(125);
        expect(await outboxStreams()).to.not.include(stream);
      });

      it('reports a reused Idempotency-Key as idempotency_key: no event, outbox row or record of that stream', async () => {
        const key = idempotencyRecord();
        const first = streamId();
        await store.appendBatch([streamAppend(first, 0, 1, { idempotency: [key] })]);
        const stream = streamId();
        const movement = transactionRecord();
        const results = await store.appendBatch([
          streamAppend(stream, 0, 2, { transactions: [movement], idempotency: [idempotencyRecord({ key: key.key })] }),
        ]);
        expect(results).to.deep.equal([{ ok: false, conflict: 'idempotency_key' }]);
        expect(await store.streamVersion(stream)).to.equal(0);
        expect((await store.findTransactions([movement.transactionId])).size).to.equal(0);
        expect(await outboxStreams()).to.deep.equal([first]);
        expect((await outbox.stats()).pending).to.equal(1);
      });

      it('reports a key or transaction id that two streams of one batch carry on the later stream, and commits the earlier', async () => {
        const key = idempotencyRecord();
        const movement = transactionRecord();
        const [a, b, c, d] = [streamId(), streamId(), streamId(), streamId()];
        const results = await store.appendBatch([
          streamAppend(a, 0, 1, { idempotency: [key] }),
          streamAppend(b, 0, 1, { idempotency: [idempotencyRecord({ key: key.key })] }),
          streamAppend(c, 0, 1, { transactions: [movement] }),
          streamAppend(d, 0, 1, { transactions: [transactionRecord({ transactionId: movement.transactionId })] }),
        ]);
        expect(results.map((result) => (result.ok ? 'ok' : result.conflict))).to.deep.equal(['ok', 'idempotency_key', 'ok', 'transaction_id']);
        expect([await store.streamVersion(a), await store.streamVersion(b), await store.streamVersion(c), await store.streamVersion(d)]).to.deep.equal([1, 0, 1, 0]);
        expect((await store.findIdempotency([key.key])).get(key.key)).to.deep.equal(key);
        expect((await store.findTransactions([movement.transactionId])).get(movement.transactionId)).to.deep.equal(movement);
      });

      it('round-trips event data and records holding quotes, backslashes, newlines and non-ASCII text exactly', async () => {
        const awkward = 'quote " backslash \\ brace { comma , newline \n tab \t unicode ✓ 😀 null-ish null';
        const stream = streamId();
        const event = newEvent({ data: { note: awkward, list: [awkward, { awkward }], amount: Number.MAX_SAFE_INTEGER } });
        const movement = transactionRecord({ response: { status: 201, body: { note: awkward } } });
        const key = idempotencyRecord({ key: `key-${awkward}`, requestHash: awkward, response: { status: 201, body: { note: awkward } } });
        const [result] = await store.appendBatch([streamAppend(stream, 0, 0, { events: [event], transactions: [movement], idempotency: [key] })]);
        okResult(result);
        const [stored] = await store.readStream(stream, 0, 10);
        expect({ eventId: stored?.eventId, type: stored?.type, data: stored?.data, metadata: stored?.metadata, occurredAt: stored?.occurredAt }).to.deep.equal(event);
        expect((await store.findTransactions([movement.transactionId])).get(movement.transactionId)).to.deep.equal(movement);
        expect((await store.findIdempotency([key.key])).get(key.key)).to.deep.equal(key);
        expect((await inspectOutbox(10)).map((row) => row.event)).to.deep.equal([stored]);
      });

      it('chains two appends of the same stream in one batch', async () => {
        const stream = streamId();
        const results = await store.appendBatch([streamAppend(stream, 0, 1), streamAppend(stream, 1, 2)]);
        expect(results.map((result) => okResult(result).lastVersion)).to.deep.equal([1, 3]);
        expect((await store.readStream(stream, 0, 10)).map((event) => event.streamVersion)).to.deep.equal([1, 2, 3]);
      });

      it('writes one outbox row per event holding the stored event', async () => {
        const stream = streamId();
        await store.appendBatch([streamAppend(stream, 0, 2, { topic: 'accounts' })]);
        const rows = await inspectOutbox(10);
        expect(rows.map((row) => row.topic)).to.deep.equal(['accounts', 'accounts']);
        expect(rows.map((row) => row.event)).to.deep.equal(await store.readStream(stream, 0, 10));
        expect(typeof rows[0]?.event.globalPosition).to.equal('string');
      });

      it('answers an empty batch with no results and no transaction', async () => {
        const before = store.appendTransactions();
        expect(await store.appendBatch([])).to.deep.equal([]);
        expect(store.appendTransactions()).to.equal(before);
      });

      it('counts committed batch transactions', async () => {
        const before = store.appendTransactions();
        await store.appendBatch([streamAppend(streamId(), 0, 1), streamAppend(streamId(), 0, 1)]);
        await store.appendBatch([streamAppend(streamId(), 0, 1)]);
        expect(store.appendTransactions()).to.equal(before + 2);
      });

      it('rejects the whole batch on a programmer error and writes nothing', async () => {
        const stream = streamId();
        const event = newEvent();
        const reused = streamAppend(streamId(), 0, 0, { events: [newEvent({ eventId: event.eventId })] });
        await store.appendBatch([streamAppend(streamId(), 0, 0, { events: [event] })]);
        const before = store.appendTransactions();
        let failure: unknown = null;
        await store.appendBatch([streamAppend(stream, 0, 1), reused]).catch((error: unknown) => (failure = error));
        expect(failure).to.be.instanceOf(Error);
        expect(await store.streamVersion(stream)).to.equal(0);
        expect(store.appendTransactions()).to.equal(before);
      });
    });

    describe('readStream', () => {
      it('returns events after a version, in version order, at most limit', async () => {
        const stream = streamId();
        await store.appendBatch([streamAppend(stream, 0, 3)]);
        await store.appendBatch([streamAppend(streamId(), 0, 1)]);
        await store.appendBatch([streamAppend(stream, 3, 2)]);
        expect((await store.readStream(stream, 0, 100)).map((event) => event.streamVersion)).to.deep.equal([1, 2, 3, 4, 5]);
        expect((await store.readStream(stream, 2, 2)).map((event) => event.streamVersion)).to.deep.equal([3, 4]);
        expect(await store.readStream(stream, 5, 10)).to.deep.equal([]);
        expect(await store.readStream(streamId(), 0, 10)).to.deep.equal([]);
        expect(await store.streamVersion(streamId())).to.equal(0);
      });
    });

    describe('readAll', () => {
      it('returns every stream in increasing position order, after a position, at most limit', async () => {
        const [a, b] = [streamId(), streamId()];
        await store.appendBatch([streamAppend(a, 0, 2)]);
        await store.appendBatch([streamAppend(b, 0, 1), streamAppend(a, 2, 1)]);
        const all = await readAllAtLeast('0', 4);
        expect(all).to.have.length(4);
        expect(positionsIncrease(all)).to.equal(true);
        expect(all.map((event) => `${event.streamId === a ? 'a' : 'b'}${event.streamVersion}`)).to.deep.equal(['a1', 'a2', 'b1', 'a3']);
        expect(await store.readAll(all[1]!.globalPosition, 1)).to.deep.equal([all[2]]);
        expect(await store.readAll(all[3]!.globalPosition, 10)).to.deep.equal([]);
        expect([...(await store.readStream(a, 0, 10)), ...(await store.readStream(b, 0, 10))].sort((x, y) => (BigInt(x.globalPosition) < BigInt(y.globalPosition) ? -1 : 1))).to.deep.equal(all);
      });
    });

    describe('command records', () => {
      it('keeps a response body as the exact JSON text it was given: key order, integer-like keys, escapes', async () => {
        // jsonb would answer {"a": …, "10": …, "zeta": …}: shortest keys first, with spaces.
        const body = { zeta: 1, '10': 'ten', '2': 'two', a: { y: 'é\n"\\ \u2028 😀', b: null, list: [3, 1.5, -0, 1e21] }, status: 404, code: 'account_not_found', ' ': true };
        const text = JSON.stringify(body);
        const key = idempotencyRecord({ response: { status: 404, body } });
        const movement = transactionRecord({ response: { status: 201, body } });
        const [result] = await store.appendBatch([streamAppend(streamId(), 0, 1, { transactions: [movement], idempotency: [key] })]);
        okResult(result);
        expect(JSON.stringify((await store.findIdempotency([key.key])).get(key.key)?.response.body)).to.equal(text);
        expect(JSON.stringify((await store.findTransactions([movement.transactionId])).get(movement.transactionId)?.response.body)).to.equal(text);
      });

      it('appends records without events at the expected version: nothing written to the stream, which is not created', async () => {
        const ghost = streamId();
        const key = idempotencyRecord({ response: { status: 404, body: { code: 'account_not_found' } } });
        const [result] = await store.appendBatch([streamAppend(ghost, 0, 0, { idempotency: [key] })]);
        expect(result).to.deep.equal({ ok: true, lastVersion: 0, globalPositions: [] });
        expect((await store.findIdempotency([key.key])).get(key.key)).to.deep.equal(key);
        expect(await store.streamVersion(ghost)).to.equal(0);
        expect(await store.readStream(ghost, 0, 10)).to.deep.equal([]);
        expect(await outboxStreams()).to.not.include(ghost);
      });

      it('refuses records without events decided at a version the stream has left (stream_version), writing none', async () => {
        const stream = streamId();
        await store.appendBatch([streamAppend(stream, 0, 2)]);
        const stale = idempotencyRecord();
        const ahead = idempotencyRecord();
        const results = await store.appendBatch([streamAppend(stream, 1, 0, { idempotency: [stale] }), streamAppend(streamId(), 3, 0, { idempotency: [ahead] })]);
        expect(results).to.deep.equal([
          { ok: false, conflict: 'stream_version' },
          { ok: false, conflict: 'stream_version' },
        ]);
        expect((await store.findIdempotency([stale.key, ahead.key])).size).to.equal(0);
        const current = idempotencyRecord();
        expect((await store.appendBatch([streamAppend(stream, 2, 0, { idempotency: [current] })]))[0]).to.deep.equal({ ok: true, lastVersion: 2, globalPositions: [] });
        expect(await store.streamVersion(stream)).to.equal(2);
      });

      it('checks that a free transaction id is still unrecorded, without taking it', async () => {
        const taken = transactionRecord();
        await store.appendBatch([streamAppend(streamId(), 0, 1, { transactions: [taken] })]);
        const refusedKey = idempotencyRecord();
        const [refused] = await store.appendBatch([streamAppend(streamId(), 0, 0, { idempotency: [refusedKey], freeTransactionIds: [taken.transactionId] })]);
        expect(refused).to.deep.equal({ ok: false, conflict: 'transaction_id' });
        expect((await store.findIdempotency([refusedKey.key])).size).to.equal(0);

        const free = 'still-free-' + streamId();
        const stream = streamId();
        const keptKey = idempotencyRecord();
        const [kept] = await store.appendBatch([streamAppend(stream, 0, 0, { idempotency: [keptKey], freeTransactionIds: [free] })]);
        expect(kept).to.have.property('ok', true);
        expect((await store.findIdempotency([keptKey.key])).size).to.equal(1);
        expect((await store.findTransactions([free])).size, 'the id stays free').to.equal(0);
        // The same append may take the id itself after a rejected movement that assumed it free.
        const later = transactionRecord({ transactionId: free });
        expect((await store.appendBatch([streamAppend(stream, 0, 1, { transactions: [later], freeTransactionIds: [free] })]))[0]).to.have.property('ok', true);
        expect((await store.findTransactions([free])).get(free)).to.deep.equal(later);
      });

      it('round-trips transaction and idempotency records exactly', async () => {
        const movement = transactionRecord({
          kind: 'withdrawal',
          amount: Number.MAX_SAFE_INTEGER,
          currency: 'JPY',
          streamVersion: 2,
          response: { status: 201, body: { accountId: 'a', balance: 0, nested: { ok: true, list: [1, 2] } } },
        });
        const key = idempotencyRecord({ operation: 'withdrawal', response: { status: 400, body: { code: 'insufficient_funds', title: 'Insufficient funds' } } });
        await store.appendBatch([streamAppend(streamId(), 0, 2, { transactions: [movement], idempotency: [key] })]);
        const movements = await store.findTransactions([movement.transactionId, 'missing']);
        const keys = await store.findIdempotency([key.key, 'missing']);
        expect([...movements.entries()]).to.deep.equal([[movement.transactionId, movement]]);
        expect([...keys.entries()]).to.deep.equal([[key.key, key]]);
        expect(movements.get(movement.transactionId)?.amount).to.be.a('number');
        expect((await store.findTransactions([])).size).to.equal(0);
        expect((await store.findIdempotency([])).size).to.equal(0);
      });
    });
  });
}
