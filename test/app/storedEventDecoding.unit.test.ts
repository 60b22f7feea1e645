// The write side decodes stored events with the projections' schemas before folding them: an
// account's activation and a transfer's load fold what decodes, and fail with an
// UndecodableEventError naming the event for what does not (an unknown type, data of the wrong shape).
import { expect } from 'chai';
import { activateAccount } from '../../src/app/activateAccount';
import { UndecodableEventError } from '../../src/app/events/decodeDomainEvent';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { MemorySnapshotStore } from '../../src/infra/memory/memorySnapshotStore';
import { EventStore } from '../../src/ports/eventStore';
import { StoredEvent } from '../../src/ports/storedEvent';
import { deposited, fundsHeld, newEvent, opened, requested, storedStream, storedTransfer } from '../projections/fixtures';

/** A store that holds one stream's events and pages them as the real ones do. */
function storeOf(events: readonly StoredEvent[]): Pick<EventStore, 'readStream'> {
  return {
    readStream: async (streamId, afterVersion, limit) =>
      events.filter((event) => event.streamId === streamId && event.streamVersion > afterVersion).slice(0, limit),
  };
}

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got none');
}

describe('decoding stored events on the write side', () => {
  describe('account activation', () => {
    it('folds a stream whose events decode, dropping data fields the domain does not know', async () => {
      const events = storedStream('acc-1', [opened('acc-1'), newEvent('MoneyDeposited', { accountId: 'acc-1', amount: 250, currency: 'EUR', transactionId: 'tx-1', extra: 'dropped' })]);
      const state = await activateAccount('acc-1', storeOf(events), new MemorySnapshotStore());
      expect(state).to.include({ status: 'ACTIVE', balance: 250, held: 0, version: 2, currency: 'EUR' });
    });

    const undecodable: Array<{ name: string; event: ReturnType<typeof newEvent>; reason: RegExp }> = [
      { name: 'an amount given as a string', event: newEvent('MoneyDeposited', { accountId: 'acc-1', amount: '10', currency: 'EUR', transactionId: 'tx-1' }), reason: /amount/ },
      { name: 'a deposit without its currency', event: newEvent('MoneyDeposited', { accountId: 'acc-1', amount: 10, transactionId: 'tx-1' }), reason: /currency/ },
      { name: 'an amount of 0', event: deposited('acc-1', 0), reason: /amount/ },
      { name: 'a type the account does not define', event: newEvent('MoneyTeleported', { accountId: 'acc-1' }), reason: /unknown event type/ },
      { name: 'a prototype property as type', event: newEvent('constructor', { accountId: 'acc-1' }), reason: /unknown event type/ },
    ];
    for (const row of undecodable) {
      it(`fails with an UndecodableEventError naming the event: ${row.name}`, async () => {
        const events = storedStream('acc-1', [opened('acc-1'), row.event]);
        const error = await failureOf(() => activateAccount('acc-1', storeOf(events), new MemorySnapshotStore()));
        expect(error).to.be.instanceOf(UndecodableEventError);
        expect(error).to.include({ name: 'UndecodableEventError', streamId: 'account-acc-1', streamVersion: 2, eventType: row.event.type });
        expect((error as Error).message).to.match(/account-acc-1 v2/).and.match(row.reason);
      });
    }
  });

  describe('transfer load', () => {
    it('folds a stream whose events decode', async () => {
      const events = storedTransfer('t-1', [requested('t-1', 'a', 'b', 5), fundsHeld('t-1')]);
      expect(await loadTransfer('t-1', storeOf(events))).to.include({ stage: 'credit', version: 2, amount: 5 });
    });

    it('fails with an UndecodableEventError naming the event whose data does not decode', async () => {
      const events = storedTransfer('t-1', [requested('t-1', 'a', 'b', 5), newEvent('TransferFailed', { transferId: 't-1', reason: 'x', stage: 'teleport', detail: '' })]);
      const error = await failureOf(() => loadTransfer('t-1', storeOf(events)));
      expect(error).to.be.instanceOf(UndecodableEventError);
      expect(error).to.include({ streamId: 'transfer-t-1', streamVersion: 2, eventType: 'TransferFailed' });
      expect((error as Error).message).to.match(/stage/);
    });

    it('fails with an UndecodableEventError for a type the transfer does not define', async () => {
      const events = storedTransfer('t-1', [newEvent('TransferTeleported', { transferId: 't-1' })]);
      const error = await failureOf(() => loadTransfer('t-1', storeOf(events)));
      expect(error).to.be.instanceOf(UndecodableEventError).with.property('streamVersion', 1);
    });
  });
});
