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
 * The streams of the relay's rounds still in flight: for each, the last such round, resolving true
 * once the bus took all of that round's events and false when it refused any. startRelayRound keeps it.
 */
export type StreamsInFlight = Map<string, Promise<boolean>>;

/**
 * Claims and returns without waiting for the bus's acknowledgement, so the caller can claim the next
 * round while this one is still being delivered (and, on the in-process bus, projected). A later
 * round's claim passes over the rows this relay still holds and takes the newer ones, so stream
 * order across overlapping rounds is kept here: events of a stream that an earlier round still has
 * in flight are published only after that round was acknowledged, and given back unpublished (their
 * whole rows) if it was refused; the events of other streams go out at once.
 */
export async function startRelayRound(outbox: Outbox, bus: MessageBus, options: RelayOptions, inFlight: StreamsInFlight = new Map()): Promise<StartedRound> {
  const rows = await outbox.claim(options.owner, options.eventsMax, options.leaseMs, options.published);
  const after = new Map<string, Promise<boolean>>();
  for (const row of rows) {
    const earlier = inFlight.get(row.event.streamId);
    if (earlier) after.set(row.event.streamId, earlier);
  }
  const settled = publishInStreamOrder(outbox, bus, options.owner, rows, after);
  const done = settled.then(
    () => true,
    () => false,
  );
  const streams = new Set(rows.map((row) => row.event.streamId));
  for (const stream of streams) inFlight.set(stream, done);
  void done.then(() => {
    for (const stream of streams) if (inFlight.get(stream) === done) inFlight.delete(stream);
  });
  return { claimed: rows.length, settled };
}

/** The distinct outbox row ids of some events, in order. */
function rowIds(rows: readonly OutboxRow[]): string[] {
  return [...new Set(rows.map((row) => row.id))];
}

interface PartOutcome {
  published: OutboxRow[];
  /** Row ids with an event refused or given back: never deleted by this round. */
  failedIds: Set<string>;
  error: unknown;
}

async function publishInStreamOrder(
  outbox: Outbox,
  bus: MessageBus,
  owner: string,
  rows: readonly OutboxRow[],
  after: ReadonlyMap<string, Promise<boolean>>,
): Promise<RelayRound> {
  const free = rows.filter((row) => !after.has(row.event.streamId));
  const waiting = rows.filter((row) => after.has(row.event.streamId));
  const parts = [publishRows(outbox, bus, owner, free)];
  if (waiting.length > 0) {
    parts.push(
      (async (): Promise<PartOutcome> => {
        const earlierTaken = await Promise.all([...new Set(after.values())]);
        if (earlierTaken.every(Boolean)) return publishRows(outbox, bus, owner, waiting);
        const ids = rowIds(waiting);
        await outbox.release(owner, ids);
        return { published: [], failedIds: new Set(ids), error: new Error('an earlier round of the same streams was refused by the bus') };
      })(),
    );
  }
  const outcomes = await Promise.all(parts);
  const failedIds = new Set(outcomes.flatMap((outcome) => [...outcome.failedIds]));
  const published = outcomes.flatMap((outcome) => outcome.published);
  const round: RelayRound = {
    claimed: rows.length,
    published: published.length,
    failed: rows.length - published.length,
    publishedEvents: published,
    publishedIds: rowIds(rows).filter((id) => !failedIds.has(id)),
  };
  const error = outcomes.find((outcome) => outcome.error !== null)?.error ?? null;
  if (error !== null) throw new RelayPublishError(round, error);
  return round;
}

async function publishRows(outbox: Outbox, bus: MessageBus, owner: string, rows: readonly OutboxRow[]): Promise<PartOutcome> {
  const outcome: PartOutcome = { published: [], failedIds: new Set(), error: null };
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const topicRows = byTopic.get(row.topic);
    if (topicRows) topicRows.push(row);
    else byTopic.set(row.topic, [row]);
  }
  // An outbox row has one topic, so each row's events here are all in one publish call.
  for (const [topic, topicRows] of byTopic) {
    try {
      await bus.publish(
        topic,
        topicRows.map((row) => ({ key: row.event.streamId, value: JSON.stringify(row.event), headers: { type: row.event.type } })),
      );
    } catch (error) {
      outcome.error ??= error;
      const ids = rowIds(topicRows);
      ids.forEach((id) => outcome.failedIds.add(id));
      await outbox.release(owner, ids);
      continue;
    }
    outcome.published.push(...topicRows);
  }
  return outcome;
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
