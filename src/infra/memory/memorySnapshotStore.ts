// In-memory snapshots, one per stream; an older (version, schemaVersion) never replaces a newer one,
// as in the Postgres adapter.
import { Snapshot, SnapshotStore } from '../../ports/snapshotStore';
import { assertIsoTimestamp, assertVersion } from '../storeAssertions';

export class MemorySnapshotStore implements SnapshotStore {
  private readonly snapshots = new Map<string, Snapshot>();

  async load(streamId: string): Promise<Snapshot | null> {
    const snapshot = this.snapshots.get(streamId);
    return snapshot === undefined ? null : structuredClone(snapshot);
  }

  async save(snapshot: Snapshot): Promise<void> {
    assertVersion(snapshot.version);
    assertIsoTimestamp(snapshot.createdAt, 'snapshot createdAt');
    const current = this.snapshots.get(snapshot.streamId);
    if (current !== undefined && !isNewer(snapshot, current)) return;
    this.snapshots.set(snapshot.streamId, structuredClone(snapshot));
  }
}

function isNewer(candidate: Snapshot, current: Snapshot): boolean {
  return candidate.version > current.version || (candidate.version === current.version && candidate.schemaVersion > current.schemaVersion);
}
