// Decides, in memory and before anything is written, what one batch does to the account read
// model: which events apply, which are duplicates, which gaps must be filled from the event store
// first, and which messages are poison. Both read model adapters write the resulting plan in one
// step, so one bad message can never abort the others of its batch.
//
// A poison event stops its own stream there (the read model never skips an event, which would
// show a wrong balance); later events of that stream are dead-lettered as stream_blocked until a
// fixed projection rebuilds the account. Every other stream keeps projecting.
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';
import { StoredEvent } from '../ports/storedEvent';
import { AccountBatch, AccountBatchOutcome, BatchItem, DeadLetter, ReadStream } from './accountBatch';
import { projectAccountEvent, ProjectedAccountEvent } from './accountProjection';
import { accountIdOfStream, isAccountStream } from './accountStreams';
import { poison, PoisonEventError } from './poisonEventError';
import { projectionLimits } from './projectionLimits';

export interface AccountBatchPlan {
  outcome: AccountBatchOutcome;
  /** Summary rows the batch changed, in their final state. */
  summaries: AccountSummaryRow[];
  /** New statement entries in the order they were applied. */
  entries: StatementEntry[];
  deadLetters: DeadLetter[];
}

interface StreamProgress {
  summary: AccountSummaryRow | null;
  changed: boolean;
  /** The poison event this stream is stopped at, once one was met. */
  blocked: PoisonEventError | null;
}

/** The accounts whose current summary rows the plan needs. */
export function accountIdsOfBatch(batch: AccountBatch): string[] {
  const ids = new Set<string>();
  for (const item of batch.items) {
    if ('event' in item && isAccountStream(item.event.streamId)) ids.add(accountIdOfStream(item.event.streamId));
  }
  return [...ids];
}

/** `current` holds the read model's summary rows of accountIdsOfBatch(batch) (absent: no row). */
export async function planAccountBatch(
  batch: AccountBatch,
  current: ReadonlyMap<string, AccountSummaryRow>,
  readStream: ReadStream,
): Promise<AccountBatchPlan> {
  const streams = new Map<string, StreamProgress>();
  const entries: StatementEntry[] = [];
  const deadLetters: DeadLetter[] = [];
  const outcome: AccountBatchOutcome = { applied: 0, skipped: 0, gapsRepaired: 0, deadLettered: 0, lastVersions: new Map(), lastOccurredAt: new Map() };

  const deadLetter = (item: BatchItem, error: PoisonEventError) => {
    deadLetters.push(deadLetterOf(batch, item, error));
    outcome.deadLettered += 1;
  };
  const apply = (progress: StreamProgress, projected: ProjectedAccountEvent) => {
    progress.summary = projected.summary;
    progress.changed = true;
    entries.push(projected.entry);
  };

  for (const item of batch.items) {
    if ('poison' in item) {
      deadLetter(item, item.poison);
      continue;
    }
    const { event } = item;
    if (!isAccountStream(event.streamId)) {
      deadLetter(item, poison('not_an_account_stream', `stream ${JSON.stringify(event.streamId)} on the account topic`));
      continue;
    }
    let progress = streams.get(event.streamId);
    if (!progress) {
      progress = { summary: current.get(accountIdOfStream(event.streamId)) ?? null, changed: false, blocked: null };
      streams.set(event.streamId, progress);
    }
    const version = progress.summary?.version ?? 0;
    if (event.streamVersion <= version) {
      outcome.skipped += 1;
      continue;
    }
    if (progress.blocked === null && event.streamVersion > version + 1) {
      const gap = await repairGap(progress, event.streamId, event.streamVersion - 1, readStream, apply);
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
    const projected = projectOrPoison(progress.summary, event);
    if (projected instanceof PoisonEventError) {
      progress.blocked = projected;
      deadLetter(item, projected);
      continue;
    }
    apply(progress, projected);
    outcome.applied += 1;
  }

  const summaries: AccountSummaryRow[] = [];
  for (const [streamId, progress] of streams) {
    if (progress.summary === null) continue;
    outcome.lastVersions.set(streamId, progress.summary.version);
    outcome.lastOccurredAt.set(streamId, progress.summary.updatedAt);
    if (progress.changed) summaries.push(progress.summary);
  }
  return { outcome, summaries, entries, deadLetters };
}

/**
 * Applies the stream's events up to `throughVersion` from the event store. Returns null when the
 * gap is filled, or the error to dead-letter the message that revealed it with.
 */
async function repairGap(
  progress: StreamProgress,
  streamId: string,
  throughVersion: number,
  readStream: ReadStream,
  apply: (progress: StreamProgress, projected: ProjectedAccountEvent) => void,
): Promise<PoisonEventError | null> {
  for (;;) {
    const version = progress.summary?.version ?? 0;
    if (version >= throughVersion) return null;
    const page = await readStream(streamId, version, Math.min(projectionLimits.gapRepairPageEvents, throughVersion - version));
    // The message that revealed the gap was published from a committed transaction, so the store
    // holds every earlier version; if it does not, nothing this projector can do will fill it.
    if (page.length === 0) return poison('gap_unrepairable', `${streamId} has no v${version + 1} in the event store`);
    for (const event of page) {
      const projected = projectOrPoison(progress.summary, event);
      if (projected instanceof PoisonEventError) {
        progress.blocked = projected;
        return blockedBy(streamId, progress);
      }
      apply(progress, projected);
    }
  }
}

function projectOrPoison(summary: AccountSummaryRow | null, event: StoredEvent): ProjectedAccountEvent | PoisonEventError {
  try {
    return projectAccountEvent(summary, event);
  } catch (error) {
    // Only a poison verdict is a value here; anything else is a defect and must fail the batch.
    if (error instanceof PoisonEventError) return error;
    throw error;
  }
}

function blockedBy(streamId: string, progress: StreamProgress): PoisonEventError {
  const at = (progress.summary?.version ?? 0) + 1;
  return poison('stream_blocked', `${streamId} stops at v${at}, a poison event (${progress.blocked?.message ?? 'unknown'})`);
}

function deadLetterOf(batch: AccountBatch, item: BatchItem, error: PoisonEventError): DeadLetter {
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
