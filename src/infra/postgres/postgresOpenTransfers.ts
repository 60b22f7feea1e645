// Unfinished transfers straight from the events table: a TransferRequested (partial index
// events_transfer_requested_idx) whose stream has no terminal event.
//
// A transfer that is terminal stays terminal, so each sweep starts at a watermark instead of the
// first transfer ever made: the position of the oldest open transfer the last sweep found, or, when
// it found none, the lowest position a transaction that has not committed yet could still write
// (snapshot xmin × positions per transaction, as readAll reasons). Every transfer below the
// watermark was seen terminal, so the sweep's cost follows the open transfers, not all of history.
import type { Pool } from 'pg';
import { terminalTransferEventTypes } from '../../domain/transfer/transferEvents';
import { OpenTransferFinder } from '../../ports/openTransfers';
import { positionsPerTransaction } from './migrations';

export class PostgresOpenTransfers implements OpenTransferFinder {
  private watermark = 0n;

  constructor(private readonly pool: Pool) {}

  async openTransferIds(limit: number): Promise<string[]> {
    // Taken before the search: a transaction that commits later has an id at least this xmin.
    const { rows: snapshot } = await this.pool.query<{ xmin: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
    const safe = BigInt(snapshot[0]!.xmin) * BigInt(positionsPerTransaction);
    const { rows } = await this.pool.query<{ transfer_id: string; position: string }>({
      name: 'acta_open_transfers_v2',
      text: `
        select r.data->>'transferId' as transfer_id, r.global_position::text as position
        from events r
        where r.event_type = 'TransferRequested'
          and r.global_position >= $3::bigint
          and not exists (
            select 1 from events t where t.stream_id = r.stream_id and t.event_type = any($1::text[])
          )
        order by r.global_position
        limit $2`,
      values: [terminalTransferEventTypes, limit, this.watermark.toString()],
    });
    const oldestOpen = rows[0] ? BigInt(rows[0].position) : safe;
    this.watermark = oldestOpen < safe ? oldestOpen : safe;
    return rows.map((row) => row.transfer_id);
  }

  /** Where the next sweep starts (observability and tests). */
  sweepsFrom(): bigint {
    return this.watermark;
  }
}
