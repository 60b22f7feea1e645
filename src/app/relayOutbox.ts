// One round of the outbox relay: claim the oldest outbox rows with a lease, publish each topic's
// events in one call (commit order, so every stream in version order), and give back what the bus
// refused. What the bus acknowledged is deleted by the next round's claim, in the same round trip
// (the relay runs another round right after any round that claimed rows, and flushes them when it
// stops); until then the rows stay leased to this relay, so no one else publishes them again unless
// the relay dies and the lease expires (at least once, as before).
import { MessageBus } from '../ports/messageBus';
import { Outbox, OutboxRow } from '../ports/outbox';

export interface RelayRound {
  claimed: number;
  published: number;
  failed: number;
  /** Newest commit timestamps published, for commit→publish lag. */
  publishedEvents: OutboxRow[];
  /** Outbox row ids the bus acknowledged this round (every event of each), to delete (the next round's claim does). */
  publishedIds: string[];
}

export interface RelayOptions {
  owner: string;
  eventsMax: number;
  leaseMs: number;
  /** Ids earlier rounds published and have not deleted yet: deleted by this round's claim. */
  published: readonly string[];
}

export interface StartedRound {
  claimed: number;
  /** Resolves once the bus has acknowledged or refused every claimed row (refused rows released). */
  settled: Promise<RelayRound>;
}

/**
 * Claims and returns without waiting for the bus's acknowledgement, so the caller can claim the next
 * round while this one is still being delivered (and, on the in-process bus, projected). Commit
 * order holds across overlapping rounds: a later round's claim passes over the rows this relay still
 * holds and takes the newer ones, so its publishes wait for `previous` (the round before it) to be
 * acknowledged, and if that one was refused, this round publishes nothing and gives its rows back:
 * the next claim takes them all again, oldest first.
 */
export async function startRelayRound(outbox: Outbox, bus: MessageBus, options: RelayOptions, previous: Promise<unknown> = Promise.resolve()): Promise<StartedRound> {
  const rows = await outbox.claim(options.owner, options.eventsMax, options.leaseMs, options.published);
  return { claimed: rows.length, settled: publishAfter(previous, outbox, bus, options.owner, rows) };
}

async function publishAfter(previous: Promise<unknown>, outbox: Outbox, bus: MessageBus, owner: string, rows: readonly OutboxRow[]): Promise<RelayRound> {
  try {
    await previous;
  } catch (error) {
    const ids = rowIds(rows);
    await outbox.release(owner, ids);
    throw new RelayPublishError({ claimed: rows.length, published: 0, failed: rows.length, publishedEvents: [], publishedIds: [] }, error);
  }
  return publishRows(outbox, bus, owner, rows);
}

/** The distinct outbox row ids of some events, in order. */
function rowIds(rows: readonly OutboxRow[]): string[] {
  return [...new Set(rows.map((row) => row.id))];
}

async function publishRows(outbox: Outbox, bus: MessageBus, owner: string, rows: readonly OutboxRow[]): Promise<RelayRound> {
  const round: RelayRound = { claimed: rows.length, published: 0, failed: 0, publishedEvents: [], publishedIds: [] };
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const topicRows = byTopic.get(row.topic);
    if (topicRows) topicRows.push(row);
    else byTopic.set(row.topic, [row]);
  }
  let firstError: unknown = null;
  // An outbox row has one topic, so each row's events are all in one publish call.
  for (const [topic, topicRows] of byTopic) {
    const ids = rowIds(topicRows);
    try {
      await bus.publish(
        topic,
        topicRows.map((row) => ({ key: row.event.streamId, value: JSON.stringify(row.event), headers: { type: row.event.type } })),
      );
    } catch (error) {
      firstError ??= error;
      round.failed += topicRows.length;
      await outbox.release(owner, ids);
      continue;
    }
    round.publishedIds.push(...ids);
    round.published += topicRows.length;
    round.publishedEvents.push(...topicRows);
  }
  if (firstError !== null) throw new RelayPublishError(round, firstError);
  return round;
}

/** Publishing failed for some rows (they were released for a later attempt). */
export class RelayPublishError extends Error {
  constructor(
    readonly round: RelayRound,
    override readonly cause: unknown,
  ) {
    super(`outbox publish failed for ${round.failed} rows: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
