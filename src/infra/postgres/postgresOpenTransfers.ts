// Unfinished transfers straight from the events table: a TransferRequested (partial index
// events_transfer_requested_idx) whose stream has no terminal event.
import type { Pool } from 'pg';
import { terminalTransferEventTypes } from '../../domain/transfer/transferEvents';
import { OpenTransferFinder } from '../../ports/openTransfers';

export class PostgresOpenTransfers implements OpenTransferFinder {
  constructor(private readonly pool: Pool) {}

  async openTransferIds(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ transfer_id: string }>({
      name: 'acta_open_transfers_v1',
      text: `
        select r.data->>'transferId' as transfer_id
        from events r
        where r.event_type = 'TransferRequested'
          and not exists (
            select 1 from events t where t.stream_id = r.stream_id and t.event_type = any($1::text[])
          )
        order by r.global_position
        limit $2`,
      values: [terminalTransferEventTypes, limit],
    });
    return rows.map((row) => row.transfer_id);
  }
}
