// The database's view of the cluster: nodes with a live lock-backed owner (node_owners joined to the
// granted advisory locks), and what each one's owners hold right now.
import type { Pool } from 'pg';
import { NodeOwnership } from '../../../ports/clusterView';
import { liveOwnerKeysSql, ownerKeySql } from './ownerPresence';

interface OwnerRow {
  node_id: string;
  kind: string;
  owner_id: string;
  address: string | null;
  started_at: Date;
  transfers: number;
  streams: number;
}

export async function nodeOwnership(pool: Pool): Promise<NodeOwnership[]> {
  const { rows } = await pool.query<OwnerRow>(`
    select o.node_id, o.kind, o.owner_id, o.address, o.started_at,
           (select count(*)::int from transfer_owners t where t.owner = o.owner_id) as transfers,
           (select count(distinct e.stream_id)::int from outbox_events b
            join events e on e.global_position between b.first_position and b.last_position
            where b.claimed_by = o.owner_id) as streams
    from node_owners o
    where ${ownerKeySql('o.owner_id')} in (${liveOwnerKeysSql})
    order by o.node_id, o.started_at`);
  const nodes = new Map<string, NodeOwnership>();
  for (const row of rows) {
    const node = nodes.get(row.node_id) ?? {
      nodeId: row.node_id,
      address: null,
      startedAt: row.started_at.toISOString(),
      owners: [],
      transfersDriven: 0,
      outboxStreamsClaimed: 0,
    };
    if (row.kind === 'node') {
      node.address = row.address;
      node.startedAt = row.started_at.toISOString();
    }
    node.owners.push({ kind: row.kind, ownerId: row.owner_id });
    node.transfersDriven += row.transfers;
    node.outboxStreamsClaimed += row.streams;
    nodes.set(row.node_id, node);
  }
  return [...nodes.values()];
}
