// The event store port. Adapters: Postgres (src/infra/postgres) and in-memory (src/infra/memory).
// Both pass the same contract suite (test/store/eventStoreContract.ts).
import { IdempotencyRecord, TransactionRecord } from './commandRecords';
import { NewEvent, StoredEvent } from './storedEvent';

/** Everything one stream writes in one step. All of it commits together or not at all. */
export interface StreamAppend {
  streamId: string;
  /** The stream's version before the first new event; 0 for a new stream. Enforced by the database. */
  expectedVersion: number;
  events: NewEvent[];
  /** Kafka topic (aggregate kind) the outbox rows of these events go to. */
  topic: string;
  transactions: TransactionRecord[];
  idempotency: IdempotencyRecord[];
  /**
   * Transaction ids the append's decisions found free without taking them (movements it rejected:
   * a rejection records only its Idempotency-Key). If one is recorded by the time the append is
   * checked, the append is refused with a transaction_id conflict, as a taken id in `transactions`
   * is, so the turn can look it up and answer the recorded movement instead of its rejection.
   */
  freeTransactionIds?: string[];
}

export type AppendResult =
  | { ok: true; lastVersion: number; globalPositions: string[] }
  /** Another writer got there first: the stream's version, a transaction id or an Idempotency-Key. */
  | { ok: false; conflict: 'stream_version' | 'transaction_id' | 'idempotency_key' };

export interface EventStore {
  /**
   * Appends several streams in one database transaction. Each stream is checked against its own
   * expected version and records; one stream's conflict never fails the others (its writes are
   * rolled back alone). Infrastructure failures reject the whole promise.
   */
  appendBatch(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** Events of a stream with version > afterVersion, in version order, at most `limit`. */
  readStream(streamId: string, afterVersion: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Events of all streams with globalPosition > afterPosition, in position order, at most `limit`.
   * Never returns an event while a transaction that could still commit a lower position is open
   * (Postgres: only rows whose writing transaction is below the snapshot's xmin), so a reader that
   * follows positions never skips an event that commits late.
   */
  readAll(afterPosition: string, limit: number): Promise<StoredEvent[]>;
  /** Current version of a stream, 0 when it has no events. */
  streamVersion(streamId: string): Promise<number>;
  /** Idempotency records by key (missing keys are absent from the map). */
  findIdempotency(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>>;
  /** Transaction records by transaction id (missing ids are absent from the map). */
  findTransactions(ids: readonly string[]): Promise<Map<string, TransactionRecord>>;
  /** Number of appendBatch transactions committed so far (observability and tests). */
  appendTransactions(): number;
}
