// Rebuild and verify of the in-memory read models (EVENT_STORE_KIND=in-memory): the same folds as
// on Postgres, so a full rebuild gives the rows the live projection built, one account or transfer
// can be rebuilt, and verify finds tampered rows of either read model.
import { expect } from 'chai';
import { seededRandom } from '../../load/shared/prng';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { createMemoryProjectionRebuilder } from '../../src/infra/memory/memoryProjectionRebuilder';
import { MemoryReadModel } from '../../src/infra/memory/memoryReadModel';
import { MemoryTransferReadModel } from '../../src/infra/memory/memoryTransferReadModel';
import { isAccountStream } from '../../src/projections/accounts/accountProjection';
import { isTransferStream } from '../../src/projections/transfers/transferProjection';
import { verifyFailed } from '../../src/projections/verify/verifyReport';
import { toAccountBatch, toTransferBatch } from './fixtures';
import { appendHistories, appendTransferStreams, projectHostilely, randomHistories, randomTransfers } from './liveProjection';

const seed = Number(process.env.TEST_SEED ?? Date.now() % 2 ** 31);

describe('projection rebuild and verify (in memory)', () => {
  let store: MemoryEventStore;
  let readModel: MemoryReadModel;
  let transferReadModel: MemoryTransferReadModel;

  beforeEach(async () => {
    store = new MemoryEventStore();
    readModel = new MemoryReadModel(store.readStream.bind(store));
    transferReadModel = new MemoryTransferReadModel(store.readStream.bind(store));
    const random = seededRandom(seed);
    await appendHistories(store, randomHistories(random, 40, 10));
    await appendTransferStreams(store, randomTransfers(random, 20));
    await projectHostilely(store, { owns: isAccountStream, apply: (batch) => readModel.applyAccountBatch(toAccountBatch(batch)) }, random);
    await projectHostilely(store, { owns: isTransferStream, apply: (batch) => transferReadModel.applyTransferBatch(toTransferBatch(batch)) }, random);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`memory rebuild tests: seed ${seed} (TEST_SEED=${seed} replays it)\n`);
  });

  /** Every row in key order (the maps keep insertion order, which a rebuild does not preserve). */
  const dump = () => {
    const { summaries, entries } = readModel.rows();
    return JSON.stringify({
      summaries: summaries.sort((a, b) => a.accountId.localeCompare(b.accountId)),
      entries: entries.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.streamVersion - b.streamVersion),
      transfers: transferReadModel.rows().sort((a, b) => a.transferId.localeCompare(b.transferId)),
    });
  };

  it('rebuilds both read models into exactly the rows the live projection built', async () => {
    const live = dump();
    readModel.replaceAll([], []);
    transferReadModel.replaceAll([]);

    const result = await createMemoryProjectionRebuilder({ readModel, transferReadModel, store }).rebuildAll();

    expect(result).to.deep.include({ accounts: 40, transfers: 20, streams: 60, poisoned: [], reconciledAccounts: 0, reconciledTransfers: 0 });
    expect(dump()).to.equal(live);
  });

  it('verify finds a tampered transfer and a tampered account; rebuilding each one restores them', async () => {
    const live = dump();
    const rebuilder = createMemoryProjectionRebuilder({ readModel, transferReadModel, store });
    expect(verifyFailed(await rebuilder.verify())).to.equal(false);
    const transfer = (await transferReadModel.transfer('tr-4'))!;
    transferReadModel.replaceTransfer('tr-4', { ...transfer, amount: transfer.amount + 1 });
    transferReadModel.replaceTransfer('tr-5', null);
    const account = (await readModel.summary('acc-3'))!;
    readModel.replaceAccount('acc-3', { ...account, availableBalance: account.availableBalance - 1 }, (await readModel.history('acc-3', 500, 0))!.entries);

    const report = await rebuilder.verify();

    expect(verifyFailed(report)).to.equal(true);
    expect(report.drifts.map((drift) => [drift.kind, drift.table, drift.key, drift.fields ?? null])).to.have.deep.members([
      ['different', 'transfer_summary', 'tr-4', ['amount']],
      ['missing', 'transfer_summary', 'tr-5', null],
      ['different', 'account_summary', 'acc-3', ['availableBalance']],
    ]);
    expect(report).to.deep.include({ driftedAccounts: 1, driftedTransfers: 2 });
    expect(await rebuilder.rebuildTransfer('tr-4')).to.deep.include({ transferId: 'tr-4', found: true, poison: null });
    await rebuilder.rebuildTransfer('tr-5');
    await rebuilder.rebuildAccount('acc-3');
    expect(dump()).to.equal(live);
    expect(await rebuilder.rebuildTransfer('never-existed')).to.deep.include({ found: false, version: 0 });
  });
});
