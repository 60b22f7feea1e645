// One round of the outbox relay: claim whole streams with a lease, publish each topic's rows in one
// call (stream order preserved: a stream's rows are claimed together and sent in version order),
// then delete what the bus acknowledged and give back what it refused.
import { MessageBus } from '../ports/messageBus';
import { Outbox, OutboxRow } from '../ports/outbox';

export interface RelayRound {
  claimed: number;
  published: number;
  failed: number;
  /** Newest commit timestamps published, for commit→publish lag. */
  publishedEvents: OutboxRow[];
}

export interface RelayOptions {
  owner: string;
  streamsMax: number;
  leaseMs: number;
}

export async function relayOutbox(outbox: Outbox, bus: MessageBus, options: RelayOptions): Promise<RelayRound> {
  const rows = await outbox.claim(options.owner, options.streamsMax, options.leaseMs);
  const round: RelayRound = { claimed: rows.length, published: 0, failed: 0, publishedEvents: [] };
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
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
      await outbox.release(options.owner, ids);
      continue;
    }
    await outbox.markPublished(options.owner, ids);
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
