// Decides, in memory and before anything is written, what one batch does to a projection's read
// model: which events apply, which are duplicates, which gaps must be filled from the event store
// first, and which messages are poison. Every read model adapter writes the resulting plan in one
// step, so one bad message can never abort the others of its batch.
//
// A poison event stops its own stream there (the read model never skips an event, which would
// show a wrong balance or status); later events of that stream are dead-lettered as stream_blocked
// until a fixed projection rebuilds the stream. Every other stream keeps projecting.
import { StoredEvent } from '../ports/storedEvent';
import { poison, PoisonEventError } from './poisonEventError';
import { BatchItem, BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from './projectionBatch';
import { projectionLimits } from '../config/limits';
import { Projected, ProjectedRow, StreamProjection } from './streamProjection';

export interface BatchPlan<Row, Entry> {
  outcome: BatchOutcome;
  /** Rows the batch changed, in their final state. */
  rows: Row[];
  /** New entries in the order they were applied. */
  entries: Entry[];
  deadLetters: DeadLetter[];
}

interface StreamProgress<Row> {
  row: Row | null;
  changed: boolean;
  /** The poison event this stream is stopped at, once one was met. */
  blocked: PoisonEventError | null;
}

/** The row keys whose current rows the plan needs. */
export function keysOfBatch<Row extends ProjectedRow, Entry>(projection: StreamProjection<Row, Entry>, batch: ProjectionBatch): string[] {
  const keys = new Set<string>();
  for (const item of batch.items) {
    if ('event' in item && projection.ownsStream(item.event.streamId)) keys.add(projection.keyOfStream(item.event.streamId));
  }
  return [...keys];
}

/** `current` holds the read model's rows of keysOfBatch(batch) (absent: no row). */
export async function planBatch<Row extends ProjectedRow, Entry>(
  projection: StreamProjection<Row, Entry>,
  batch: ProjectionBatch,
  current: ReadonlyMap<string, Row>,
  readStream: ReadStream,
): Promise<BatchPlan<Row, Entry>> {
  const streams = new Map<string, StreamProgress<Row>>();
  const entries: Entry[] = [];
  const deadLetters: DeadLetter[] = [];
  const outcome: BatchOutcome = { applied: 0, skipped: 0, gapsRepaired: 0, deadLettered: 0, lastVersions: new Map(), lastOccurredAt: new Map() };

  const deadLetter = (item: BatchItem, error: PoisonEventError) => {
    deadLetters.push(deadLetterOf(batch, item, error));
    outcome.deadLettered += 1;
  };
  const apply = (progress: StreamProgress<Row>, projected: Projected<Row, Entry>) => {
    progress.row = projected.row;
    progress.changed = true;
    if (projected.entry !== null) entries.push(projected.entry);
  };
  const project = (row: Row | null, event: StoredEvent) => projectOrPoison(projection, row, event);

  for (const item of batch.items) {
    if ('poison' in item) {
      deadLetter(item, item.poison);
      continue;
    }
    const { event } = item;
    const key = keyOrPoison(projection, event.streamId);
    if (key instanceof PoisonEventError) {
      deadLetter(item, key);
      continue;
    }
    let progress = streams.get(event.streamId);
    if (!progress) {
      progress = { row: current.get(key) ?? null, changed: false, blocked: null };
      streams.set(event.streamId, progress);
    }
    const version = progress.row?.version ?? 0;
    if (event.streamVersion <= version) {
      outcome.skipped += 1;
      continue;
    }
    if (progress.blocked === null && event.streamVersion > version + 1) {
      const gap = await repairGap(progress, event.streamId, event.streamVersion - 1, readStream, project, apply);
      if (gap !== null) {
        deadLetter(item, gap);
        continue;
      }
      outcome.gapsRepaired += 1;
    }
    if (progress.blocked !== null) {
      deadLetter(item, blockedBy(event.streamId, progress));
      continue;
    }
    const projected = project(progress.row, event);
    if (projected instanceof PoisonEventError) {
      progress.blocked = projected;
      deadLetter(item, projected);
      continue;
    }
    apply(progress, projected);
    outcome.applied += 1;
  }

  const rows: Row[] = [];
  for (const [streamId, progress] of streams) {
    if (progress.row === null) continue;
    outcome.lastVersions.set(streamId, progress.row.version);
    outcome.lastOccurredAt.set(streamId, progress.row.updatedAt);
    if (progress.changed) rows.push(progress.row);
  }
  return { outcome, rows, entries, deadLetters };
}

/**
 * Applies the stream's events up to `throughVersion` from the event store. Returns null when the
 * gap is filled, or the error to dead-letter the message that revealed it with.
 */
async function repairGap<Row extends ProjectedRow, Entry>(
  progress: StreamProgress<Row>,
  streamId: string,
  throughVersion: number,
  readStream: ReadStream,
  project: (row: Row | null, event: StoredEvent) => Projected<Row, Entry> | PoisonEventError,
  apply: (progress: StreamProgress<Row>, projected: Projected<Row, Entry>) => void,
): Promise<PoisonEventError | null> {
  for (;;) {
    const version = progress.row?.version ?? 0;
    if (version >= throughVersion) return null;
    const page = await readStream(streamId, version, Math.min(projectionLimits.gapRepairPageEvents, throughVersion - version));
    // The message that revealed the gap was published from a committed transaction, so the store
    // holds every earlier version; if it does not, nothing this projector can do will fill it.
    if (page.length === 0) return poison('gap_unrepairable', `${streamId} has no v${version + 1} in the event store`);
    for (const event of page) {
      const projected = project(progress.row, event);
      if (projected instanceof PoisonEventError) {
        progress.blocked = projected;
        return blockedBy(streamId, progress);
      }
      apply(progress, projected);
    }
  }
}

function projectOrPoison<Row extends ProjectedRow, Entry>(
  projection: StreamProjection<Row, Entry>,
  row: Row | null,
  event: StoredEvent,
): Projected<Row, Entry> | PoisonEventError {
  try {
    return projection.project(row, event);
  } catch (error) {
    // Only a poison verdict is a value here; anything else is a defect and must fail the batch.
    if (error instanceof PoisonEventError) return error;
    throw error;
  }
}

/** A stream of another kind on this projection's topic is poison for it. */
function keyOrPoison<Row extends ProjectedRow, Entry>(projection: StreamProjection<Row, Entry>, streamId: string): string | PoisonEventError {
  try {
    return projection.keyOfStream(streamId);
  } catch (error) {
    if (error instanceof PoisonEventError) return error;
    throw error;
  }
}

function blockedBy<Row extends ProjectedRow>(streamId: string, progress: StreamProgress<Row>): PoisonEventError {
  const at = (progress.row?.version ?? 0) + 1;
  return poison('stream_blocked', `${streamId} stops at v${at}, a poison event (${progress.blocked?.message ?? 'unknown'})`);
}

function deadLetterOf(batch: ProjectionBatch, item: BatchItem, error: PoisonEventError): DeadLetter {
  return {
    projection: batch.projection,
    topic: batch.topic,
    partition: batch.partition,
    offset: item.offset,
    key: storableText(item.key, projectionLimits.deadLetterErrorCharsMax),
    payload: storableText(item.payload, projectionLimits.deadLetterPayloadCharsMax),
    error: storableText(error.message, projectionLimits.deadLetterErrorCharsMax),
  };
}

/** Postgres text cannot hold NUL: escape it, so recording the poison can never fail in turn. */
function storableText(value: string, charsMax: number): string {
  const escaped = value.replaceAll('\u0000', '\\u0000');
  return escaped.length > charsMax ? `${escaped.slice(0, charsMax)}…[truncated]` : escaped;
}
