// The journal writer without a database: a fake store whose transactions the test completes by hand,
// so batching, the concurrency gate, the floor for an extra transaction, the split at the batch bound,
// failure fan-out and the overload answer are each seen exactly.
import { expect } from 'chai';
import { JournalOverloadedError, JournalWriter } from '../../src/app/journalWriter';
import { limits } from '../../src/config/limits';
import { AppendResult, StreamAppend } from '../../src/ports/eventStore';
import { NewEvent } from '../../src/ports/storedEvent';

interface Transaction {
  appends: readonly StreamAppend[];
  commit: (results?: AppendResult[]) => void;
  fail: (error: Error) => void;
}

/** A store whose appendBatch calls stay open until the test commits or fails them. */
class HeldStore {
  readonly transactions: Transaction[] = [];

  appendBatch(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      const committed = appends.map((append) => ({ ok: true as const, lastVersion: append.expectedVersion + append.events.length, globalPositions: [] }));
      this.transactions.push({ appends, commit: (results = committed) => resolve(results), fail: reject });
    });
  }

  sizes(): number[] {
    return this.transactions.map((transaction) => transaction.appends.length);
  }
}

function deposited(streamId: string): NewEvent {
  const metadata = { commandId: `cmd-${streamId}`, correlationId: `cmd-${streamId}`, causationId: null };
  return { eventId: `evt-${streamId}`, type: 'MoneyDeposited', data: { amount: 1 }, metadata, occurredAt: '2026-12-03T00:00:00.000Z' };
}

function appendTo(streamId: string, expectedVersion = 0): StreamAppend {
  return {
    streamId,
    expectedVersion,
    events: [deposited(streamId)],
    topic: 'accounts',
    transactions: [],
    idempotency: [],
  };
}

/** Lets promise callbacks (a transaction's finally, the next pump) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('JournalWriter', () => {
  it('writes a lone append at once, in a transaction of its own', async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 4, undefined, 16);
    const result = journal.append(appendTo('a', 3));
    expect(store.sizes()).to.deep.equal([1]);
    store.transactions[0]!.commit();
    expect(await result).to.deep.equal({ ok: true, lastVersion: 4, globalPositions: [] });
    expect(journal.stats()).to.deep.equal({ transactions: 1, appends: 1, lastBatchAppends: 1, queued: 0 });
  });

  it('gathers appends that arrive while a transaction is in flight into the next one, each answered by its own result', async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 1, undefined, 1);
    const first = journal.append(appendTo('a'));
    const waiting = ['b', 'c', 'd'].map((stream) => journal.append(appendTo(stream)));
    expect(store.sizes()).to.deep.equal([1]);
    expect(journal.stats().queued).to.equal(3);
    store.transactions[0]!.commit();
    await first;
    await settle();
    expect(store.sizes()).to.deep.equal([1, 3]);
    expect(store.transactions[1]!.appends.map((append) => append.streamId)).to.deep.equal(['b', 'c', 'd']);
    store.transactions[1]!.commit([
      { ok: true, lastVersion: 1, globalPositions: ['7'] },
      { ok: false, conflict: 'stream_version' },
      { ok: true, lastVersion: 1, globalPositions: ['8'] },
    ]);
    expect(await Promise.all(waiting)).to.deep.equal([
      { ok: true, lastVersion: 1, globalPositions: ['7'] },
      { ok: false, conflict: 'stream_version' },
      { ok: true, lastVersion: 1, globalPositions: ['8'] },
    ]);
    expect(journal.stats()).to.include({ transactions: 2, appends: 4, lastBatchAppends: 3 });
  });

  it('starts a transaction beside one in flight only once the floor of appends waits', async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 4, undefined, 3);
    void journal.append(appendTo('a'));
    void journal.append(appendTo('b'));
    void journal.append(appendTo('c'));
    expect(store.sizes(), 'two waiting appends are below the floor of three').to.deep.equal([1]);
    void journal.append(appendTo('d'));
    expect(store.sizes(), 'the third waiting append reaches the floor').to.deep.equal([1, 3]);
    store.transactions.forEach((transaction) => transaction.commit());
    await settle();
    expect(journal.stats()).to.include({ transactions: 2, appends: 4, queued: 0 });
  });

  it('never has more transactions in flight than its bound, and starts the next when one ends', async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 2, undefined, 1);
    const answers = ['a', 'b', 'c', 'd'].map((stream) => journal.append(appendTo(stream)));
    expect(store.sizes()).to.deep.equal([1, 1]);
    expect(journal.stats().queued).to.equal(2);
    store.transactions[1]!.commit();
    await settle();
    expect(store.sizes()).to.deep.equal([1, 1, 2]);
    store.transactions[0]!.commit();
    store.transactions[2]!.commit();
    expect((await Promise.all(answers)).map((answer) => answer.ok)).to.deep.equal([true, true, true, true]);
  });

  it(`splits a queue longer than journalBatchAppendsMax (${limits.journalBatchAppendsMax}) into transactions of at most that many`, async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 1, undefined, 1);
    const total = 1 + limits.journalBatchAppendsMax + 5;
    const answers = Array.from({ length: total }, (_, index) => journal.append(appendTo(`s-${index}`)));
    for (let round = 0; round < 3; round += 1) {
      store.transactions[round]!.commit();
      await settle();
    }
    expect(store.sizes()).to.deep.equal([1, limits.journalBatchAppendsMax, 5]);
    expect(await Promise.all(answers)).to.have.length(total);
  });

  it('fails every append of a failed transaction with its error, and the appends after it still go through', async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 1, undefined, 1);
    const first = journal.append(appendTo('a'));
    const sameBatch = [journal.append(appendTo('b')), journal.append(appendTo('c'))];
    store.transactions[0]!.commit();
    await first;
    await settle();
    const lost = new Error('connection terminated');
    store.transactions[1]!.fail(lost);
    const outcomes = await Promise.allSettled(sameBatch);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.status))).to.deep.equal([lost, lost]);
    const later = journal.append(appendTo('d'));
    expect(store.sizes()).to.deep.equal([1, 2, 1]);
    store.transactions[2]!.commit();
    expect(await later).to.include({ ok: true });
    expect(journal.stats(), 'a failed transaction is not counted as written').to.include({ transactions: 2, appends: 2 });
  });

  it(`answers JournalOverloadedError at once when ${limits.journalQueueAppendsMax} appends already wait, queueing nothing`, async () => {
    const store = new HeldStore();
    const journal = new JournalWriter(store, 1, undefined, limits.journalBatchAppendsMax);
    void journal.append(appendTo('in-flight'));
    for (let index = 0; index < limits.journalQueueAppendsMax; index += 1) void journal.append(appendTo(`w-${index}`));
    expect(journal.stats().queued).to.equal(limits.journalQueueAppendsMax);
    let refusal: unknown;
    await journal.append(appendTo('one-too-many')).catch((error: unknown) => { refusal = error; });
    expect(refusal).to.be.instanceOf(JournalOverloadedError);
    expect(journal.stats().queued).to.equal(limits.journalQueueAppendsMax);
  });

  it('reports each written batch with its appends and events', async () => {
    const store = new HeldStore();
    const batches: Array<[number, number]> = [];
    const journal = new JournalWriter(store, 1, (appends, events) => batches.push([appends, events]), 1);
    const twoEvents = { ...appendTo('a'), events: [deposited('a'), deposited('a')] };
    const answer = journal.append(twoEvents);
    store.transactions[0]!.commit();
    await answer;
    expect(batches).to.deep.equal([[1, 2]]);
  });
});
