// The contract every account read model adapter passes (Postgres and in-memory): batch apply with
// duplicates, gaps, poison messages and checkpoints, and the queries the gateway makes.
import { expect } from 'chai';
import { EventStore } from '../../src/ports/eventStore';
import { AccountReadModel } from '../../src/ports/readModel';
import { AccountProjectionWriter, accountStreamProjection } from '../../src/projections/accounts/accountProjection';
import { ReadStream } from '../../src/projections/projectionBatch';
import { accountStreamId } from '../../src/domain/account/accountEvents';
import { foldStream } from '../../src/projections/rebuild/foldStreams';
import {
  appendAccounts, asMessage, consumed, deposited, frozen, holdCaptured, holdPlaced, holdReleased, newEvent, opened, stored, testTopic,
  toAccountBatch, transferCredited, withdrawn,
} from './fixtures';

export interface ReadModelFixture {
  store: EventStore;
  readModel: AccountReadModel & AccountProjectionWriter;
  /** Makes the read model's injected readStream reject (null: works again). */
  failReadStream(error: Error | null): void;
  /** Makes readStream wait until the returned release() is called. */
  holdReadStream(): () => void;
  /** A second writer on the same storage (another projector member after a rebalance). */
  otherWriter(): AccountProjectionWriter;
  /** Every row of the read model, as text. */
  dump(): Promise<string>;
  deadLetters(): Promise<Array<{ offset: string; key: string; error: string }>>;
  checkpoint(topic: string, partition: number): Promise<string | null>;
  close(): Promise<void>;
}

export function readModelContract(open: () => Promise<ReadModelFixture>): void {
  let fixture: ReadModelFixture;

  beforeEach(async () => {
    fixture = await open();
  });
  afterEach(async () => {
    await fixture.close();
  });

  const apply = (messages: Array<{ key: string; value: string }>, firstOffset = 0, partition = 0) =>
    fixture.readModel.applyAccountBatch(toAccountBatch(consumed(messages, firstOffset, partition)));

  it('applies a batch: summaries, history in stream order, outcome and last versions', async () => {
    const streams = await appendAccounts(fixture.store, {
      a: [opened('a'), deposited('a', 100), withdrawn('a', 30)],
      b: [opened('b', 'USD'), deposited('b', 5, 'USD')],
    });
    const [a, b] = [streams.get('a')!, streams.get('b')!];

    const outcome = await apply([a[0]!, b[0]!, a[1]!, b[1]!, a[2]!].map(asMessage));

    expect(outcome).to.deep.include({ applied: 5, skipped: 0, gapsRepaired: 0, deadLettered: 0 });
    expect([...outcome.lastVersions]).to.have.deep.members([
      ['account-a', 3],
      ['account-b', 2],
    ]);
    expect(outcome.lastOccurredAt.get('account-a')).to.equal(a[2]!.occurredAt);
    expect(await fixture.readModel.summary('a')).to.deep.include({ balance: 70, availableBalance: 70, version: 3, currency: 'EUR', status: 'ACTIVE' });
    expect(await fixture.readModel.summary('b')).to.deep.include({ balance: 5, version: 2, currency: 'USD' });

    const history = await fixture.readModel.history('a', 10, 0);
    expect(history?.total).to.equal(3);
    expect(history?.entries.map((entry) => [entry.streamVersion, entry.eventType, entry.balanceAfter])).to.deep.equal([
      [1, 'AccountCreated', 0],
      [2, 'MoneyDeposited', 100],
      [3, 'MoneyWithdrawn', 70],
    ]);
    expect(history?.entries[1]).to.deep.equal({
      eventId: a[1]!.eventId,
      accountId: 'a',
      streamVersion: 2,
      eventType: 'MoneyDeposited',
      amount: 100,
      currency: 'EUR',
      transactionId: a[1]!.data.transactionId,
      balanceAfter: 100,
      occurredAt: a[1]!.occurredAt,
    });
    const page = await fixture.readModel.history('a', 1, 1);
    expect(page).to.deep.include({ total: 3, limit: 1, offset: 1 });
    expect(page?.entries.map((entry) => entry.streamVersion)).to.deep.equal([2]);
    expect(await fixture.readModel.history('a', 10, 3)).to.deep.include({ entries: [], total: 3 });
    expect(await fixture.readModel.summary('nobody')).to.equal(null);
    expect(await fixture.readModel.history('nobody', 10, 0)).to.equal(null);
  });

  it('projects holds and transfer legs: the summary’s available balance, every leg in the statement', async () => {
    const a = (
      await appendAccounts(fixture.store, {
        a: [
          opened('a'),
          deposited('a', 1_000),
          holdPlaced('a', 't-1', 400, 'b'),
          holdCaptured('a', 't-1', 400, 'b'),
          holdPlaced('a', 't-2', 100, 'c'),
          holdReleased('a', 't-2', 100, 'account_frozen'),
          transferCredited('a', 't-3', 50, 'd'),
          holdPlaced('a', 't-4', 200, 'b'),
        ],
      })
    ).get('a')!;

    const outcome = await apply(a.map(asMessage));

    expect(outcome).to.deep.include({ applied: 8, deadLettered: 0 });
    expect(await fixture.readModel.summary('a')).to.deep.include({ balance: 650, availableBalance: 450, version: 8 });
    const history = await fixture.readModel.history('a', 10, 0);
    expect(history?.entries).to.deep.equal(foldStream(accountStreamProjection, { streamId: 'account-a', start: null, events: a }).entries);
    expect(history?.entries.map((entry) => [entry.eventType, entry.direction ?? null, entry.counterpartyAccountId ?? null, entry.transferId ?? null, entry.balanceAfter])).to.deep.equal([
      ['AccountCreated', null, null, null, 0],
      ['MoneyDeposited', null, null, null, 1_000],
      ['HoldPlaced', null, 'b', 't-1', 1_000],
      ['HoldCaptured', 'debit', 'b', 't-1', 600],
      ['HoldPlaced', null, 'c', 't-2', 600],
      ['HoldReleased', null, null, 't-2', 600],
      ['TransferCredited', 'credit', 'd', 't-3', 650],
      ['HoldPlaced', null, 'b', 't-4', 650],
    ]);
  });

  it('is idempotent: the same batch applied twice leaves the same rows', async () => {
    const streams = await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 100)], b: [opened('b'), frozen('b')] });
    const messages = [...streams.get('a')!, ...streams.get('b')!].map(asMessage);

    await apply(messages);
    const once = await fixture.dump();
    const again = await apply(messages);

    expect(again).to.deep.include({ applied: 0, skipped: 4, gapsRepaired: 0, deadLettered: 0 });
    expect(await fixture.dump()).to.equal(once);
  });

  it('skips duplicates and old versions inside one batch', async () => {
    const a = (await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 10), deposited('a', 20)] })).get('a')!;

    const outcome = await apply([a[0]!, a[1]!, a[0]!, a[1]!, a[2]!, a[1]!].map(asMessage));

    expect(outcome).to.deep.include({ applied: 3, skipped: 3, deadLettered: 0 });
    expect(await fixture.readModel.summary('a')).to.deep.include({ version: 3, balance: 30 });
  });

  it('repairs a gap from the event store before applying the event that revealed it', async () => {
    const a = (await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 1), deposited('a', 2), deposited('a', 4), deposited('a', 8)] })).get('a')!;

    const outcome = await apply([a[0]!, a[3]!, a[4]!].map(asMessage));

    expect(outcome).to.deep.include({ applied: 3, gapsRepaired: 1, deadLettered: 0 });
    expect(outcome.lastVersions.get('account-a')).to.equal(5);
    expect(await fixture.readModel.summary('a')).to.deep.include({ version: 5, balance: 15 });
    expect((await fixture.readModel.history('a', 10, 0))?.entries.map((entry) => entry.balanceAfter)).to.deep.equal([0, 1, 3, 7, 15]);
  });

  it('repairs a gap at the start of a stream the read model has never seen', async () => {
    const a = (await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 1), deposited('a', 2)] })).get('a')!;

    const outcome = await apply([asMessage(a[2]!)]);

    expect(outcome).to.deep.include({ applied: 1, gapsRepaired: 1 });
    expect((await fixture.readModel.history('a', 10, 0))?.total).to.equal(3);
  });

  it('dead-letters a gap the event store cannot fill, and invents nothing', async () => {
    const orphan = stored('orphan', 3, deposited('orphan', 5));

    const outcome = await apply([asMessage(orphan)]);

    expect(outcome).to.deep.include({ applied: 0, deadLettered: 1 });
    const [letter] = await fixture.deadLetters();
    expect(letter?.error).to.match(/^gap_unrepairable: /);
    expect(await fixture.readModel.summary('orphan')).to.equal(null);
  });

  it('dead-letters poison messages while the other accounts of the batch keep projecting', async () => {
    // The seed's bug: a freeze of a never-created account, then its creation at v2.
    const streams = await appendAccounts(fixture.store, {
      a: [opened('a'), deposited('a', 10)],
      ghost: [frozen('ghost'), opened('ghost')],
      b: [opened('b'), deposited('b', 7)],
    });
    const [a, ghost, b] = [streams.get('a')!, streams.get('ghost')!, streams.get('b')!];
    const messages = [
      asMessage(a[0]!), // 0
      { key: 'account-a', value: '{"this is": not json' }, // 1
      asMessage(ghost[0]!), // 2: account_not_found
      asMessage(a[1]!), // 3
      asMessage(ghost[1]!), // 4: its stream stops at v1
      asMessage(b[0]!), // 5
      asMessage({ ...b[1]!, type: 'MoneyTeleported' }), // 6: unknown type
    ];

    const outcome = await apply(messages);

    expect(outcome).to.deep.include({ applied: 3, deadLettered: 4 });
    const letters = await fixture.deadLetters();
    expect(letters.map((letter) => [letter.offset, letter.error.split(':')[0]])).to.have.deep.members([
      ['1', 'undecodable_message'],
      ['2', 'account_not_found'],
      ['4', 'stream_blocked'],
      ['6', 'unknown_event_type'],
    ]);
    expect(letters.find((letter) => letter.offset === '1')?.key).to.equal('account-a');
    expect(await fixture.readModel.summary('a')).to.deep.include({ version: 2, balance: 10 });
    expect(await fixture.readModel.summary('b')).to.deep.include({ version: 1 });
    expect(await fixture.readModel.summary('ghost')).to.equal(null);
    expect(await fixture.checkpoint(testTopic, 0)).to.equal('7');
  });

  it('keeps a stream stopped at its poison event in later batches, without skipping it', async () => {
    const a = (await appendAccounts(fixture.store, { a: [opened('a'), newEvent('HoldPlaced', { accountId: 'a' }), deposited('a', 5)] })).get('a')!;
    await apply(a.map(asMessage));

    const later = await apply([asMessage(a[2]!)], 3);

    expect(later).to.deep.include({ applied: 0, deadLettered: 1 });
    expect(await fixture.readModel.summary('a')).to.deep.include({ version: 1, balance: 0 });
  });

  it('records a redelivered poison message once', async () => {
    const poison = [{ key: 'account-x', value: 'garbage' }];
    await apply(poison, 41);
    await apply(poison, 41);
    expect(await fixture.deadLetters()).to.have.length(1);
  });

  it('writes the checkpoint of the partition with the batch', async () => {
    const a = (await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 1), deposited('a', 2)] })).get('a')!;
    expect(await fixture.checkpoint(testTopic, 2)).to.equal(null);

    await apply([asMessage(a[0]!), asMessage(a[1]!)], 10, 2);
    expect(await fixture.checkpoint(testTopic, 2)).to.equal('12');
    await apply([asMessage(a[2]!)], 12, 2);
    expect(await fixture.checkpoint(testTopic, 2)).to.equal('13');
    expect(await fixture.checkpoint(testTopic, 0)).to.equal(null);
  });

  it('writes nothing when applying fails part-way (one transaction)', async () => {
    const streams = await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 1), deposited('a', 2)], b: [opened('b')] });
    await apply([asMessage(streams.get('a')![0]!)]);
    const before = await fixture.dump();
    fixture.failReadStream(new Error('connection lost while repairing a gap'));

    // b applies first in memory; a's gap repair then fails: neither may land.
    const failing = apply([asMessage(streams.get('b')![0]!), asMessage(streams.get('a')![2]!)], 1);

    await expectRejection(failing, /connection lost/);
    expect(await fixture.dump()).to.equal(before);
    expect(await fixture.checkpoint(testTopic, 0)).to.equal('1');
    fixture.failReadStream(null);
    expect(await apply([asMessage(streams.get('b')![0]!), asMessage(streams.get('a')![2]!)], 1)).to.deep.include({ applied: 2, gapsRepaired: 1 });
  });

  it('never moves a summary back when a slower writer applies an older fold of the stream', async () => {
    const streams = await appendAccounts(fixture.store, { a: [opened('a'), deposited('a', 1), deposited('a', 2), deposited('a', 4)], b: [opened('b'), deposited('b', 9)] });
    const [a, b] = [streams.get('a')!, streams.get('b')!];
    const release = fixture.holdReadStream();
    // The slow writer has folded a to v2, then waits on b's gap repair.
    const slow = fixture.readModel.applyAccountBatch(toAccountBatch(consumed([a[0]!, a[1]!, b[1]!].map(asMessage), 0)));
    await fixture.otherWriter().applyAccountBatch(toAccountBatch(consumed(a.map(asMessage), 0, 1)));
    release();
    await slow;

    expect(await fixture.readModel.summary('a')).to.deep.include({ version: 4, balance: 7 });
    expect((await fixture.readModel.history('a', 10, 0))?.entries.map((entry) => entry.balanceAfter)).to.deep.equal([0, 1, 3, 7]);
    expect(await fixture.readModel.summary('b')).to.deep.include({ version: 2, balance: 9 });
  });

  it('reads a gap longer than one readStream page', async function () {
    this.timeout(60_000);
    const events = [opened('long'), ...Array.from({ length: 1_100 }, () => deposited('long', 1))];
    const streamId = accountStreamId('long');
    await fixture.store.appendBatch([{ streamId, expectedVersion: 0, events, topic: testTopic, transactions: [], idempotency: [] }]);
    const last = (await fixture.store.readStream(streamId, events.length - 1, 1))[0]!;

    const outcome = await apply([asMessage(last)]);

    expect(outcome).to.deep.include({ applied: 1, gapsRepaired: 1 });
    expect(await fixture.readModel.summary('long')).to.deep.include({ version: 1_101, balance: 1_100 });
  });
}

/** An event store readStream that tests can make fail or wait. */
export function readStreamHooks(store: EventStore): { readStream: ReadStream; controls: Pick<ReadModelFixture, 'failReadStream' | 'holdReadStream'> } {
  let failure: Error | null = null;
  let gate: Promise<void> | null = null;
  const readStream: ReadStream = async (streamId, after, limit) => {
    if (gate) await gate;
    if (failure) throw failure;
    return store.readStream(streamId, after, limit);
  };
  return {
    readStream,
    controls: {
      failReadStream: (error) => {
        failure = error;
      },
      holdReadStream: () => {
        let release = () => {};
        gate = new Promise((resolve) => {
          release = () => {
            gate = null;
            resolve();
          };
        });
        return release;
      },
    },
  };
}

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(String(error instanceof Error ? error.message : error)).to.match(pattern);
    return;
  }
  expect.fail('expected the promise to reject');
}
