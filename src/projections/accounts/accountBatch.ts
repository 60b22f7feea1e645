// The account projection's name and the batch write both account read model adapters implement.
import { BatchOutcome, ProjectionBatch } from '../projectionBatch';

/** Projection name in projection_checkpoints and projection_dead_letters. */
export const accountProjectionName = 'accounts';

export interface AccountProjectionWriter {
  applyAccountBatch(batch: ProjectionBatch): Promise<BatchOutcome>;
}
