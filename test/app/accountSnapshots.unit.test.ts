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
    });
    committed(at(1), at(2));
    committed(at(2), at(4));
    expect(saved.map((snapshot) => snapshot.version)).to.deep.equal([4]);
    fail = true;
    committed(at(5), at(6));
    await eventually('the failed save told', () => failures.length === 1);
    expect(failures).to.deep.equal(['a: disk full']);
  });
});
