// When an account's state is snapshotted, and what the snapshot holds: one each time a commit
// crosses a multiple of the interval (so a turn that appends many events still takes one), saved
// in the background. Snapshots are an optimisation only: a failed save is reported, never fatal.
//
// Saves in flight are bounded (limits.snapshotSavesInFlightMax); a snapshot due while that many are
// in flight is skipped, and that account takes its next one at the next multiple. Accounts whose
// versions move together (a payroll run, the bench's round-robin deposits) cross a multiple within
// the same second, and unbounded, their saves would queue for the pool the journal writes through.
import { accountStreamId } from '../domain/account/accountEvents';
import { AccountState, accountSnapshotSchemaVersion } from '../domain/account/accountState';
import { Snapshot, SnapshotStore } from '../ports/snapshotStore';

export interface AccountSnapshotDeps {
  snapshots: Pick<SnapshotStore, 'save'>;
  intervalVersions: number;
  now: () => string;
  /** Told when a save fails (the stream remains the source of truth). */
  saveFailed: (error: unknown, accountId: string) => void;
  /** Saves in flight at most; a snapshot due beyond them is skipped. */
  savesInFlightMax: number;
  /** Told when a due snapshot is skipped because savesInFlightMax saves are in flight. */
  saveSkipped?: (accountId: string) => void;
}

export function snapshotDue(before: AccountState, after: AccountState, intervalVersions: number): boolean {
  return Math.floor(before.version / intervalVersions) !== Math.floor(after.version / intervalVersions);
}

export function accountSnapshot(state: AccountState, createdAt: string): Snapshot {
  // AccountState is plain JSON data (strings, numbers, a record of holds), which is what a snapshot keeps.
  const data: Record<string, unknown> = { ...state };
  return { streamId: accountStreamId(state.accountId), version: state.version, schemaVersion: accountSnapshotSchemaVersion, state: data, createdAt };
}

/** The turn's `committed` hook: snapshots the new state when the commit crossed an interval. */
export function snapshotOnCommit(deps: AccountSnapshotDeps): (before: AccountState, after: AccountState) => void {
  let inFlight = 0;
  return (before, after) => {
    if (!snapshotDue(before, after, deps.intervalVersions)) return;
    if (inFlight >= deps.savesInFlightMax) {
      deps.saveSkipped?.(after.accountId);
      return;
    }
    inFlight += 1;
    deps.snapshots
      .save(accountSnapshot(after, deps.now()))
      .catch((error: unknown) => deps.saveFailed(error, after.accountId))
      .finally(() => {
        inFlight -= 1;
      });
  };
}
