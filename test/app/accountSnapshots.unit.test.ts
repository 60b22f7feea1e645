// The snapshot policy: one snapshot each time a commit crosses a multiple of the interval (a turn
// that jumps several versions takes one), holding the state at its version; a failed save is told,
// never thrown.
import { expect } from 'chai';
import { accountSnapshot, snapshotDue, snapshotOnCommit } from '../../src/app/accountSnapshots';
import { AccountState, accountSnapshotSchemaVersion, initialAccountState } from '../../src/domain/account/accountState';
import { Snapshot } from '../../src/ports/snapshotStore';
import { eventually } from '../support/eventually';

const at = (version: number): AccountState => ({ ...initialAccountState('a'), version, balance: version * 10 });

describe('account snapshot policy', () => {
  it('is due exactly when a commit crosses a multiple of the interval', () => {
    expect(snapshotDue(at(0), at(2), 3)).to.equal(false);
    expect(snapshotDue(at(2), at(3), 3)).to.equal(true);
    expect(snapshotDue(at(3), at(5), 3)).to.equal(false);
    expect(snapshotDue(at(5), at(12), 3)).to.equal(true);
  });

  it('keeps the state at its version under the known schema', () => {
    const snapshot = accountSnapshot(at(6), 'now');
    expect(snapshot).to.deep.equal({ streamId: 'account-a', version: 6, schemaVersion: accountSnapshotSchemaVersion, state: { ...at(6) }, createdAt: 'now' });
  });

  it('saves on a crossing commit only, and tells a failed save instead of throwing', async () => {
    const saved: Snapshot[] = [];
    const failures: string[] = [];
    let fail = false;
    const committed = snapshotOnCommit({
      snapshots: { save: async (snapshot) => (fail ? Promise.reject(new Error('disk full')) : void saved.push(snapshot)) },
      intervalVersions: 3,
      now: () => 'now',
      saveFailed: (error, accountId) => failures.push(`${accountId}: ${(error as Error).message}`),
      savesInFlightMax: 4,
    });
    committed(at(1), at(2));
    committed(at(2), at(4));
    expect(saved.map((snapshot) => snapshot.version)).to.deep.equal([4]);
    fail = true;
    committed(at(5), at(6));
    await eventually('the failed save told', () => failures.length === 1);
    expect(failures).to.deep.equal(['a: disk full']);
  });

  it('skips a due snapshot while savesInFlightMax saves are in flight, and saves again once one settles', async () => {
    const started: Snapshot[] = [];
    const finishers: Array<() => void> = [];
    const skipped: string[] = [];
    const committed = snapshotOnCommit({
      snapshots: {
        save: (snapshot) =>
          new Promise<void>((resolve) => {
            started.push(snapshot);
            finishers.push(resolve);
          }),
      },
      intervalVersions: 3,
      now: () => 'now',
      saveFailed: () => expect.fail('no save fails here'),
      savesInFlightMax: 2,
      saveSkipped: (accountId) => skipped.push(accountId),
    });
    const account = (id: string, version: number): AccountState => ({ ...at(version), accountId: id });
    for (const id of ['a', 'b', 'c']) committed(account(id, 2), account(id, 3));
    expect(started.map((snapshot) => snapshot.streamId)).to.deep.equal(['account-a', 'account-b']);
    expect(skipped).to.deep.equal(['c']);
    finishers[0]!();
    await new Promise((resolve) => setImmediate(resolve));
    committed(account('c', 5), account('c', 6));
    expect(started).to.have.length(3);
    expect(started[2]).to.include({ streamId: 'account-c', version: 6 });
    expect(skipped).to.deep.equal(['c']);
  });
});
