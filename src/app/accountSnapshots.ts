// When an account's state is snapshotted, and what the snapshot holds: one each time a commit
// crosses a multiple of the interval (so a turn that appends many events still takes one), saved
// in the background. Snapshots are an optimisation only: a failed save is reported, never fatal.
import { accountStreamId } from '../domain/account/accountEvents';
import { AccountState, accountSnapshotSchemaVersion } from '../domain/account/accountState';
import { Snapshot, SnapshotStore } from '../ports/snapshotStore';

export interface AccountSnapshotDeps {
  snapshots: Pick<SnapshotStore, 'save'>;
  intervalVersions: number;
  now: () => string;
  /** Told when a save fails (the stream remains the source of truth). */
  saveFailed: (error: unknown, accountId: string) => void;
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
  return (before, after) => {
    if (!snapshotDue(before, after, deps.intervalVersions)) return;
    deps.snapshots.save(accountSnapshot(after, deps.now())).catch((error: unknown) => deps.saveFailed(error, after.accountId));
  };
}
