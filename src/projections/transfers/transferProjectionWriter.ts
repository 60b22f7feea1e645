// The projection-side write port both transfer read model adapters implement.
import { BatchOutcome, ProjectionBatch } from '../projectionBatch';

export interface TransferProjectionWriter {
  applyTransferBatch(batch: ProjectionBatch): Promise<BatchOutcome>;
}
