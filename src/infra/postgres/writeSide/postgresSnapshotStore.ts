// Snapshots in Postgres, one row per stream. The upsert's WHERE makes "an older snapshot never
// overwrites a newer one" hold even when two writers race: the row lock orders them and the loser's
// update matches nothing.
import type { Pool } from 'pg';
import { Snapshot, SnapshotStore } from '../../../ports/snapshotStore';
import { assertIsoTimestamp, assertVersion } from '../../storeAssertions';

interface SnapshotRow {
  stream_id: string;
  version: number;
  schema_version: number;
  state: Record<string, unknown>;
  created_at: Date;
}

export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly pool: Pool) {}

  async load(streamId: string): Promise<Snapshot | null> {
    const { rows } = await this.pool.query<SnapshotRow>({
      name: 'acta_load_snapshot_v1',
      text: 'select stream_id, version, schema_version, state, created_at from snapshots where stream_id = $1',
      values: [streamId],
    });
    const row = rows[0];
    if (row === undefined) return null;
    return {
      streamId: row.stream_id,
      version: row.version,
      schemaVersion: row.schema_version,
      state: row.state,
      createdAt: row.created_at.toISOString(),
    };
  }

  async save(snapshot: Snapshot): Promise<void> {
    assertVersion(snapshot.version);
    assertIsoTimestamp(snapshot.createdAt, 'snapshot createdAt');
    // Same version with a newer schema replaces the row: a deploy that changes the state's shape
    // can re-snapshot a quiet stream instead of replaying it on every activation.
    await this.pool.query({
      name: 'acta_save_snapshot_v1',
      text: `insert into snapshots (stream_id, version, schema_version, state, created_at)
             values ($1, $2, $3, $4, $5)
             on conflict (stream_id) do update
               set version = excluded.version, schema_version = excluded.schema_version,
                   state = excluded.state, created_at = excluded.created_at
               where (snapshots.version, snapshots.schema_version) < (excluded.version, excluded.schema_version)`,
      values: [snapshot.streamId, snapshot.version, snapshot.schemaVersion, JSON.stringify(snapshot.state), snapshot.createdAt],
    });
  }
}
