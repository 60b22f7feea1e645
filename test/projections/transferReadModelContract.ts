// The contract every transfer read model adapter passes (Postgres and in-memory): batch apply with
// duplicates, gaps, poison messages and checkpoints, one transaction per batch, rows that only move
// forward, and the query GET /api/transfers/:id makes.
import { expect } from 'chai';
import { EventStore } from '../../src/ports/eventStore';
import { TransferReadModel } from '../../src/ports/transferReadModel';
import { TransferProjectionWriter, transferStreamProjection } from '../../src/projections/transfers/transferProjection';
import { foldStream } from '../../src/projections/rebuild/foldStreams';
import { TransferRowsSource } from '../../src/projections/verify/verifyTransfers';
import { StoredEvent } from '../../src/ports/storedEvent';
import {
  appendAccounts,
  appendTransfers,
  asMessage,
  compensationStarted,
  consumed,
  destinationCredited,
  fundsHeld,
  newEvent,
  opened,
  requested,
  toTransferBatch,
  transferCompleted,
  transferFailed,
  transferTestTopic,
} from './fixtures';
import { ReadModelFixture } from './readModelContract';

export interface TransferReadModelFixture extends Pick<ReadModelFixture, 'failReadStream' | 'holdReadStream' | 'dump' | 'deadLetters' | 'checkpoint' | 'close'> {
  store: EventStore;
  readModel: TransferReadModel & TransferProjectionWriter & TransferRowsSource;
  /** A second writer on the same storage (another projector member after a rebalance). */
  otherWriter(): TransferProjectionWriter;
}

/** What the projection must hold for a stream: its full fold. */
const foldOf = (events: StoredEvent[]) => foldStream(transferStreamProjection, { streamId: events[0]!.streamId, start: null, events }).row;

export function transferReadModelContract(open: () => Promise<TransferReadModelFixture>): void {
  let fixture: TransferReadModelFixture;

  beforeEach(async () => {
    fixture = await open();
  });
  afterEach(async () => {
    await fixture.close();
  });

  const apply = (messages: Array<{ key: string; value: string }>, firstOffset = 0, partition = 0) =>
    fixture.readModel.applyTransferBatch(toTransferBatch(consumed(messages, firstOffset, partition, transferTestTopic)));

  it('applies a batch: one row per transfer, equal to the fold of its stream, with outcome and last versions', async () => {
    const streams = await appendTransfers(fixture.store, {
      ok: [requested('ok', 'a', 'b', 100), fundsHeld('ok'), destinationCredited('ok'), transferCompleted('ok')],
      poor: [requested('poor', 'a', 'b', 9_000), transferFailed('poor', 'insufficient_funds', 'hold')],
      frozen: [requested('frozen', 'a', 'c', 7, 'USD'), fundsHeld('frozen'), compensationStarted('frozen', 'account_frozen', 'credit')],
    });
    const [ok, poor, frozen] = [streams.get('ok')!, streams.get('poor')!, streams.get('frozen')!];

    const outcome = await apply([ok[0]!, poor[0]!, frozen[0]!, ok[1]!, poor[1]!, ok[2]!, frozen[1]!, ok[3]!, frozen[2]!].map(asMessage));

    expect(outcome).to.deep.include({ applied: 9, skipped: 0, gapsRepaired: 0, deadLettered: 0 });
    expect([...outcome.lastVersions]).to.have.deep.members([
      ['transfer-ok', 4],
      ['transfer-poor', 2],
      ['transfer-frozen', 3],
    ]);
    expect(outcome.lastOccurredAt.get('transfer-ok')).to.equal(ok[3]!.occurredAt);
    for (const events of [ok, poor, frozen]) {
      expect(await fixture.readModel.transfer(events[0]!.data.transferId as string)).to.deep.equal(foldOf(events));
    }
    expect(await fixture.readModel.transfer('ok')).to.deep.include({ status: 'COMPLETED', stage: null, amount: 100 });
    expect(await fixture.readModel.transfer('poor')).to.deep.include({ status: 'FAILED', failureReason: 'insufficient_funds', failureStage: 'hold' });
    expect(await fixture.readModel.transfer('frozen')).to.deep.include({ status: 'PENDING', stage: 'release', currency: 'USD', failureStage: 'credit' });
    expect(await fixture.readModel.transfer('nobody')).to.equal(null);
    expect((await fixture.readModel.transfersAfter(null, 2)).map((row) => row.transferId)).to.deep.equal(['frozen', 'ok']);
    expect((await fixture.readModel.transfersAfter('ok', 10)).map((row) => row.transferId)).to.deep.equal(['poor']);
  });

  it('is idempotent: the same batch applied twice leaves the same rows, duplicates inside a batch are skipped', async () => {
    const t = (await appendTransfers(fixture.store, { t: [requested('t', 'a', 'b', 5), fundsHeld('t'), destinationCredited('t')] })).get('t')!;
    const messages = [t[0]!, t[1]!, t[0]!, t[1]!, t[2]!].map(asMessage);

    expect(await apply(messages)).to.deep.include({ applied: 3, skipped: 2 });
    const once = await fixture.dump();
    expect(await apply(messages)).to.deep.include({ applied: 0, skipped: 5, deadLettered: 0 });
    expect(await fixture.dump()).to.equal(once);
  });

  it('repairs a gap from the event store before applying the event that revealed it', async () => {
    const t = (await appendTransfers(fixture.store, { t: [requested('t', 'a', 'b', 5), fundsHeld('t'), destinationCredited('t'), transferCompleted('t')] })).get('t')!;

    const outcome = await apply([asMessage(t[3]!)]);

    expect(outcome).to.deep.include({ applied: 1, gapsRepaired: 1, deadLettered: 0 });
    expect(await fixture.readModel.transfer('t')).to.deep.equal(foldOf(t));
  });

  it('dead-letters poison messages while the other transfers of the batch keep projecting, and keeps a poisoned stream stopped', async () => {
    const streams = await appendTransfers(fixture.store, {
      good: [requested('good', 'a', 'b', 5), fundsHeld('good')],
      early: [fundsHeld('early'), requested('early', 'a', 'b', 5)],
    });
    const account = (await appendAccounts(fixture.store, { a: [opened('a')] })).get('a')!;
    const [good, early] = [streams.get('good')!, streams.get('early')!];
    const messages = [
      asMessage(good[0]!), // 0
      { key: 'transfer-good', value: '{"not": json' }, // 1: undecodable
      asMessage(early[0]!), // 2: transfer_not_found
      asMessage(account[0]!), // 3: an account stream on the transfer topic
      asMessage(early[1]!), // 4: its stream stops at v1
      asMessage({ ...good[1]!, type: 'TransferTeleported' }), // 5: unknown type
    ];

    const outcome = await apply(messages);

    expect(outcome).to.deep.include({ applied: 1, deadLettered: 5 });
    const letters = await fixture.deadLetters();
    expect(letters.map((letter) => [letter.offset, letter.error.split(':')[0]])).to.have.deep.members([
      ['1', 'undecodable_message'],
      ['2', 'transfer_not_found'],
      ['3', 'not_a_transfer_stream'],
      ['4', 'stream_blocked'],
      ['5', 'unknown_event_type'],
    ]);
    expect(await fixture.readModel.transfer('good')).to.deep.include({ version: 1, stage: 'hold' });
    expect(await fixture.readModel.transfer('early')).to.equal(null);
    expect(await fixture.checkpoint(transferTestTopic, 0)).to.equal('6');

    // The whole batch redelivered: its poison messages are recorded once; then the good stream's
    // real v2 still applies.
    expect(await apply(messages)).to.deep.include({ applied: 0, skipped: 1, deadLettered: 5 });
    expect(await fixture.deadLetters()).to.have.length(5);
    expect(await apply([asMessage(good[1]!)], 6)).to.deep.include({ applied: 1, deadLettered: 0 });
    expect(await fixture.readModel.transfer('good')).to.deep.include({ version: 2, stage: 'credit' });
    expect(await fixture.checkpoint(transferTestTopic, 0)).to.equal('7');
  });

  it('writes nothing when applying fails part-way (one transaction)', async () => {
    const streams = await appendTransfers(fixture.store, { a: [requested('a', 'x', 'y', 1), fundsHeld('a'), destinationCredited('a')], b: [requested('b', 'x', 'y', 2)] });
    await apply([asMessage(streams.get('a')![0]!)]);
    const before = await fixture.dump();
    fixture.failReadStream(new Error('connection lost while repairing a gap'));

    // b applies first in memory; a's gap repair then fails: neither may land.
    const failing = apply([asMessage(streams.get('b')![0]!), asMessage(streams.get('a')![2]!)], 1);

    let failure: unknown = null;
    await failing.catch((error: unknown) => {
      failure = error;
    });
    expect(String(failure)).to.match(/connection lost/);
    expect(await fixture.dump()).to.equal(before);
    expect(await fixture.checkpoint(transferTestTopic, 0)).to.equal('1');
    fixture.failReadStream(null);
    expect(await apply([asMessage(streams.get('b')![0]!), asMessage(streams.get('a')![2]!)], 1)).to.deep.include({ applied: 2, gapsRepaired: 1 });
  });

  it('never moves a row back when a slower writer applies an older fold of the stream', async () => {
    const streams = await appendTransfers(fixture.store, {
      a: [requested('a', 'x', 'y', 1), fundsHeld('a'), destinationCredited('a'), transferCompleted('a')],
      b: [requested('b', 'x', 'y', 2), fundsHeld('b')],
    });
    const [a, b] = [streams.get('a')!, streams.get('b')!];
    const release = fixture.holdReadStream();
    // The slow writer has folded a to v2, then waits on b's gap repair.
    const slow = fixture.readModel.applyTransferBatch(toTransferBatch(consumed([a[0]!, a[1]!, b[1]!].map(asMessage), 0, 0, transferTestTopic)));
    await fixture.otherWriter().applyTransferBatch(toTransferBatch(consumed(a.map(asMessage), 0, 1, transferTestTopic)));
    release();
    await slow;

    expect(await fixture.readModel.transfer('a')).to.deep.include({ version: 4, status: 'COMPLETED' });
    expect(await fixture.readModel.transfer('b')).to.deep.include({ version: 2 });
  });

  it('dead-letters a transfer event whose data the domain could not have written', async () => {
    const t = (await appendTransfers(fixture.store, { t: [newEvent('TransferRequested', { transferId: 't', amount: 5 })] })).get('t')!;
    expect(await apply([asMessage(t[0]!)])).to.deep.include({ applied: 0, deadLettered: 1 });
    expect((await fixture.deadLetters())[0]?.error).to.match(/^invalid_event_data: /);
    expect(await fixture.readModel.transfer('t')).to.equal(null);
  });
}
