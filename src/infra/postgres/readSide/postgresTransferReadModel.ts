// The transfer read model on Postgres: GET /api/transfers/:id, the transfer projector's batch
// write (applyProjectionBatch.ts: one transaction per batch), and the keyset pages verify reads.
import type { Pool } from 'pg';
import { TransferReadModel, TransferSummaryRow } from '../../../ports/transferReadModel';
import { BatchOutcome, ProjectionBatch, ReadStream } from '../../../projections/projectionBatch';
import { TransferProjectionWriter } from '../../../projections/transfers/transferProjection';
import { TransferRowsSource } from '../../../projections/verify/verifyTransfers';
import { applyProjectionBatch } from './applyProjectionBatch';
import { toTransfer, transferColumns, TransferDbRow } from './transferReadModelRows';
import { transferTables } from './transferTables';

export class PostgresTransferReadModel implements TransferReadModel, TransferProjectionWriter, TransferRowsSource {
  /** `readStream` is EventStore.readStream: the source gaps are repaired from. */
  constructor(
    private readonly pool: Pool,
    private readonly readStream: ReadStream,
  ) {}

  async transfer(transferId: string): Promise<TransferSummaryRow | null> {
    const { rows } = await this.pool.query<TransferDbRow>({
      name: 'acta_transfer_summary_v1',
      text: `select ${transferColumns} from transfer_summary where transfer_id = $1`,
      values: [transferId],
    });
    return rows[0] ? toTransfer(rows[0]) : null;
  }

  async transfersAfter(after: string | null, limit: number): Promise<TransferSummaryRow[]> {
    const { rows } = await this.pool.query<TransferDbRow>(
      `select ${transferColumns} from transfer_summary where ($1::text is null or transfer_id > $1) order by transfer_id limit $2`,
      [after, limit],
    );
    return rows.map(toTransfer);
  }

  async applyTransferBatch(batch: ProjectionBatch): Promise<BatchOutcome> {
    return applyProjectionBatch(this.pool, transferTables, batch, this.readStream);
  }
}
