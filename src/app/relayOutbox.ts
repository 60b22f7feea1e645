// One round of the outbox relay: claim whole streams with a lease, publish each topic's rows in one
// call (stream order preserved: a stream's rows are claimed together and sent in version order),
// and give back what the bus refused. What the bus acknowledged is deleted by the next round's
// claim, in the same round trip (the relay runs another round right after any round that claimed
// rows, and flushes them when it stops); until then the rows stay leased to this relay, so no one
// else publishes them again unless the relay dies and the lease expires (at least once, as before).
import { MessageBus } from '../ports/messageBus';
import { Outbox, OutboxRow } from '../ports/outbox';

export interface RelayRound {
  claimed: number;
  published: number;
  failed: number;
  /** Newest commit timestamps published, for commit→publish lag. */
  publishedEvents: OutboxRow[];
  /** Ids the bus acknowledged this round, to delete (the next round's claim does). */
  publishedIds: string[];
}

export interface RelayOptions {
  owner: string;
  streamsMax: number;
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
 * Claims, issues the publishes and returns without waiting for the bus's acknowledgement, so the
 * caller can claim the next round while this one is still being delivered (and, on the in-process
 * bus, projected). Stream order holds across overlapping rounds: a stream's rows stay leased to this
 * relay until they are deleted after their acknowledgement, so no later round can claim a newer row
 * of a stream that is still in flight.
 */
export async function startRelayRound(outbox: Outbox, bus: MessageBus, options: RelayOptions): Promise<StartedRound> {
  const rows = await outbox.claim(options.owner, options.streamsMax, options.leaseMs, options.published);
  return { claimed: rows.length, settled: publishRows(outbox, bus, options.owner, rows) };
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
  for (const [topic, topicRows] of byTopic) {
    const ids = topicRows.map((row) => row.id);
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
