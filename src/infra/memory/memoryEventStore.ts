// The in-memory event store, with the Postgres adapter's semantics: per-stream expected-version
// checks, conflicts by kind, one stream's conflict never failing the others, and everything a batch
// writes (events, outbox rows, records) applied together or not at all.
import assert from 'node:assert/strict';
import { IdempotencyRecord, TransactionRecord } from '../../ports/commandRecords';
import { AppendResult, EventStore, StreamAppend } from '../../ports/eventStore';
import { StoredEvent } from '../../ports/storedEvent';
import { assertBatch, assertLookup, assertPosition, assertReadLimit, assertVersion } from '../storeAssertions';
import { MemoryOutboxTable } from './memoryOutboxTable';

export interface MemoryEventStoreOptions {
  /** Clock for outbox row ages and leases (read on every call). */
  now?: () => number;
}

/** What one batch would write, applied to the store only if the whole batch succeeds. */
interface Staged {
  streams: Map<string, StoredEvent[]>;
  eventIds: Set<string>;
  transactions: Map<string, TransactionRecord>;
  idempotency: Map<string, IdempotencyRecord>;
  outbox: Array<{ topic: string; events: StoredEvent[] }>;
  nextPosition: number;
}

export class MemoryEventStore implements EventStore {
  /** The outbox rows written with the events; MemoryOutbox works on this table. */
  readonly outboxTable: MemoryOutboxTable;
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Every event in position order. */
  private readonly log: StoredEvent[] = [];
  private readonly eventIds = new Set<string>();
  private readonly transactions = new Map<string, TransactionRecord>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private nextPosition = 1;
  private committedTransactions = 0;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.outboxTable = new MemoryOutboxTable(options.now);
  }

  async appendBatch(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    assertBatch(appends);
    if (appends.length === 0) return [];
    const staged: Staged = {
      streams: new Map(),
      eventIds: new Set(),
      transactions: new Map(),
      idempotency: new Map(),
      outbox: [],
      nextPosition: this.nextPosition,
    };
    // A throw below (a duplicate event id, as Postgres would reject) leaves the store untouched.
    const results = appends.map((append) => this.stageAppend(append, staged));
    this.commit(staged);
    return results;
  }

  async readStream(streamId: string, afterVersion: number, limit: number): Promise<StoredEvent[]> {
    assertVersion(afterVersion);
    assertReadLimit(limit);
    // Versions are 1..n, so the event with version v sits at index v - 1.
    return (this.streams.get(streamId) ?? []).slice(afterVersion, afterVersion + limit).map((event) => structuredClone(event));
  }

  async readAll(afterPosition: string, limit: number): Promise<StoredEvent[]> {
    assertPosition(afterPosition);
    assertReadLimit(limit);
    const start = firstIndexAfter(this.log, BigInt(afterPosition));
    return this.log.slice(start, start + limit).map((event) => structuredClone(event));
  }

  async streamVersion(streamId: string): Promise<number> {
    return this.streams.get(streamId)?.length ?? 0;
  }

  async findIdempotency(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    assertLookup(keys);
    return pick(this.idempotency, keys);
  }

  async findTransactions(ids: readonly string[]): Promise<Map<string, TransactionRecord>> {
    assertLookup(ids);
    return pick(this.transactions, ids);
  }

  appendTransactions(): number {
    return this.committedTransactions;
  }

  // The checks run in the order the Postgres statement applies them: the expected-version guard
  // first (a refused stream writes nothing, so it cannot hit a unique key), then the unique keys.
  private stageAppend(append: StreamAppend, staged: Staged): AppendResult {
    const current = (this.streams.get(append.streamId)?.length ?? 0) + (staged.streams.get(append.streamId)?.length ?? 0);
    if (current !== append.expectedVersion) return { ok: false, conflict: 'stream_version' };
    const eventIds = append.events.map((event) => event.eventId);
    assert.ok(
      unique(eventIds) && eventIds.every((id) => !this.eventIds.has(id) && !staged.eventIds.has(id)),
      `duplicate event id in the append to ${append.streamId}`,
    );
    const transactionIds = append.transactions.map((record) => record.transactionId);
    if (!unique(transactionIds) || transactionIds.some((id) => this.transactions.has(id) || staged.transactions.has(id))) {
      return { ok: false, conflict: 'transaction_id' };
    }
    // Checked against what was recorded before this append, not against its own records (a rejected
    // movement may come before the movement of the same turn that takes the id).
    if ((append.freeTransactionIds ?? []).some((id) => this.transactions.has(id) || staged.transactions.has(id))) {
      return { ok: false, conflict: 'transaction_id' };
    }
    const keys = append.idempotency.map((record) => record.key);
    if (!unique(keys) || keys.some((key) => this.idempotency.has(key) || staged.idempotency.has(key))) {
      return { ok: false, conflict: 'idempotency_key' };
    }
    const events: StoredEvent[] = append.events.map((event, index) => ({
      ...structuredClone(event),
      streamId: append.streamId,
      streamVersion: append.expectedVersion + index + 1,
      globalPosition: String(staged.nextPosition++),
    }));
    // An append of records alone (a recorded rejection) does not create its stream, as in Postgres.
    if (events.length > 0) staged.streams.set(append.streamId, [...(staged.streams.get(append.streamId) ?? []), ...events]);
    eventIds.forEach((id) => staged.eventIds.add(id));
    append.transactions.forEach((record) => staged.transactions.set(record.transactionId, structuredClone(record)));
    append.idempotency.forEach((record) => staged.idempotency.set(record.key, structuredClone(record)));
    staged.outbox.push({ topic: append.topic, events });
    return { ok: true, lastVersion: append.expectedVersion + events.length, globalPositions: events.map((event) => event.globalPosition) };
  }

  private commit(staged: Staged): void {
    for (const [streamId, events] of staged.streams) {
      this.streams.set(streamId, [...(this.streams.get(streamId) ?? []), ...events]);
    }
    const outboxByTopic = new Map<string, StoredEvent[]>();
    for (const { topic, events } of staged.outbox) {
      this.log.push(...events);
      const topicEvents = outboxByTopic.get(topic);
      if (topicEvents) topicEvents.push(...events);
      else outboxByTopic.set(topic, [...events]);
    }
    for (const [topic, events] of outboxByTopic) this.outboxTable.insert(topic, events);
    staged.eventIds.forEach((id) => this.eventIds.add(id));
    staged.transactions.forEach((record, id) => this.transactions.set(id, record));
    staged.idempotency.forEach((record, key) => this.idempotency.set(key, record));
    this.nextPosition = staged.nextPosition;
    this.committedTransactions += 1;
  }
}

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

function pick<T>(records: ReadonlyMap<string, T>, keys: readonly string[]): Map<string, T> {
  const found = new Map<string, T>();
  for (const key of keys) {
    const record = records.get(key);
    if (record !== undefined) found.set(key, structuredClone(record));
  }
  return found;
}

/** Binary search: index of the first event whose position is greater than `position`. */
function firstIndexAfter(log: readonly StoredEvent[], position: bigint): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (BigInt((log[middle] as StoredEvent).globalPosition) <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}
