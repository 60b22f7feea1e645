// Snapshots are an optimisation only: the stream stays the source of truth. A snapshot whose
// schema version the code does not know is ignored and the stream is replayed from the start.

export interface Snapshot {
  streamId: string;
  version: number;
  schemaVersion: number;
  state: Record<string, unknown>;
  createdAt: string;
}

export interface SnapshotStore {
  load(streamId: string): Promise<Snapshot | null>;
  /** Keeps only the newest snapshot per stream; an older version never overwrites a newer one. */
  save(snapshot: Snapshot): Promise<void>;
}
