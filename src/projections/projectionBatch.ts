// What a projector hands its read model: one partition's batch of messages, each already decoded
// into a StoredEvent or a PoisonEventError, and what applying the batch did.
import { StoredEvent } from '../ports/storedEvent';
import { PoisonEventError } from './poisonEventError';

interface MessageCoordinates {
  /** Offset of the message in its partition, a bigint kept as a decimal string. */
  offset: string;
  key: string;
  /** The raw message value, kept for a dead letter. */
  payload: string;
}

export type BatchItem = (MessageCoordinates & { event: StoredEvent }) | (MessageCoordinates & { poison: PoisonEventError });

export interface ProjectionBatch {
  /** The projection's name (projection_checkpoints, projection_dead_letters). */
  projection: string;
  topic: string;
  partition: number;
  /** Where the partition continues after this batch: the last offset + 1. */
  nextOffset: string;
  items: BatchItem[];
}

export interface DeadLetter {
  projection: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
  payload: string;
  error: string;
}

export interface BatchOutcome {
  applied: number;
  /** Duplicates and old versions the read model already had. */
  skipped: number;
  /** Gaps filled from the event store before the event that revealed them. */
  gapsRepaired: number;
  deadLettered: number;
  /** Per stream touched: the version the read model holds once the batch has committed. */
  lastVersions: Map<string, number>;
  /** Per stream in lastVersions: when its last applied event occurred (projection lag metrics). */
  lastOccurredAt: Map<string, string>;
}

/** EventStore.readStream, injected so a read model can repair gaps without owning the store. */
export type ReadStream = (streamId: string, afterVersion: number, limit: number) => Promise<StoredEvent[]>;
