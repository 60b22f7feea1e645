// The transfer read model in memory (EVENT_STORE_KIND=in-memory), with the Postgres adapter's
// semantics: the same plan (planBatch), rows that only move forward, a dead letter per poison
// message offset, a checkpoint per partition (memoryProjectionBook.ts).
import { TransferReadModel, TransferSummaryRow } from '../../ports/transferReadModel';
import { BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from '../../projections/projectionBatch';
import { transferStreamProjection, TransferProjectionWriter } from '../../projections/transfers/transferProjection';
import { TransferRowsSource } from '../../projections/verify/verifyTransfers';
import { MemoryProjectionBook, MemoryRows, upsertForward } from './memoryProjectionBook';

export class MemoryTransferReadModel implements TransferReadModel, TransferProjectionWriter, TransferRowsSource {
  private readonly transfers = new Map<string, TransferSummaryRow>();
  private readonly book = new MemoryProjectionBook();
  private readonly batchRows: MemoryRows<TransferSummaryRow, never> = {
    row: (transferId) => {
      const row = this.transfers.get(transferId);
      return row ? { ...row } : null;
    },
    write: (rows) => {
      for (const row of rows) upsertForward(this.transfers, row.transferId, row);
    },
  };

  constructor(private readonly readStream: ReadStream) {}

  async transfer(transferId: string): Promise<TransferSummaryRow | null> {
    return this.batchRows.row(transferId);
  }

  async transfersAfter(after: string | null, limit: number): Promise<TransferSummaryRow[]> {
    return this.rows()
      .filter((row) => after === null || row.transferId > after)
      .sort((a, b) => (a.transferId < b.transferId ? -1 : a.transferId > b.transferId ? 1 : 0))
      .slice(0, limit);
  }

  async applyTransferBatch(batch: ProjectionBatch): Promise<BatchOutcome> {
    return this.book.apply(transferStreamProjection, this.batchRows, batch, this.readStream);
  }

  /** Replaces one transfer's row with a fresh fold (rebuild); null removes it. */
  replaceTransfer(transferId: string, row: TransferSummaryRow | null): void {
    this.transfers.delete(transferId);
    if (row) this.batchRows.write([row], []);
  }

  /** Swaps in a whole rebuilt read model at once: readers see the old one or the new one. */
  replaceAll(rows: readonly TransferSummaryRow[]): void {
    this.transfers.clear();
    this.batchRows.write(rows, []);
  }

  /** Every row, for rebuild, verify and tests. */
  rows(): TransferSummaryRow[] {
    return [...this.transfers.values()].map((row) => ({ ...row }));
  }

  deadLetters(): DeadLetter[] {
    return this.book.deadLetters();
  }

  checkpoint(projection: string, topic: string, partition: number): string | null {
    return this.book.checkpoint(projection, topic, partition);
  }
}
