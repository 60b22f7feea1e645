// What every in-memory read model keeps besides its rows: the dead letters and the partition
// checkpoints, and the batch write itself. A batch is planned first (planBatch, the same plan as on
// Postgres) and then written without an await in between, which is this adapter's transaction.
import { BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from '../../projections/projectionBatch';
import { keysOfBatch, planBatch } from '../../projections/planBatch';
import { ProjectedRow, StreamProjection } from '../../projections/streamProjection';
import { memoryReadModelLimits } from '../../config/limits';

/** A read model's rows as the batch write sees them. */
export interface MemoryRows<Row, Entry> {
  /** A copy of one key's row, null when there is none. */
  row(key: string): Row | null;
  /** Writes rows (forward only) and entries (never overwritten); must not await. */
  write(rows: readonly Row[], entries: readonly Entry[]): void;
}

/** Sets the row unless the map already holds the same or a newer version of it. */
export function upsertForward<Row extends ProjectedRow>(rows: Map<string, Row>, key: string, row: Row): void {
  const existing = rows.get(key);
  if (!existing || existing.version < row.version) rows.set(key, { ...row });
}

export class MemoryProjectionBook {
  private readonly deadLetterLog = new Map<string, DeadLetter>();
  private readonly checkpointMap = new Map<string, string>();

  async apply<Row extends ProjectedRow, Entry>(
    projection: StreamProjection<Row, Entry>,
    rows: MemoryRows<Row, Entry>,
    batch: ProjectionBatch,
    readStream: ReadStream,
  ): Promise<BatchOutcome> {
    const current = new Map<string, Row>();
    for (const key of keysOfBatch(projection, batch)) {
      const row = rows.row(key);
      if (row) current.set(key, row);
    }
    const plan = await planBatch(projection, batch, current, readStream);
    // From here to the end nothing awaits: the whole plan lands at once.
    rows.write(plan.rows, plan.entries);
    for (const letter of plan.deadLetters) this.recordDeadLetter(letter);
    this.checkpointMap.set(checkpointKey(batch.projection, batch.topic, batch.partition), batch.nextOffset);
    return plan.outcome;
  }

  deadLetters(): DeadLetter[] {
    return [...this.deadLetterLog.values()];
  }

  checkpoint(projection: string, topic: string, partition: number): string | null {
    return this.checkpointMap.get(checkpointKey(projection, topic, partition)) ?? null;
  }

  /** A redelivered poison message is recorded once: its partition offset is its key. */
  private recordDeadLetter(letter: DeadLetter): void {
    const key = `${checkpointKey(letter.projection, letter.topic, letter.partition)}@${letter.offset}`;
    if (this.deadLetterLog.has(key)) return;
    this.deadLetterLog.set(key, { ...letter });
    if (this.deadLetterLog.size > memoryReadModelLimits.deadLettersMax) {
      const oldest = this.deadLetterLog.keys().next().value;
      if (oldest !== undefined) this.deadLetterLog.delete(oldest);
    }
  }
}

function checkpointKey(projection: string, topic: string, partition: number): string {
  return `${projection}/${topic}/${partition}`;
}
