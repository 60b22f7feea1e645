// Turns one consumed bus batch into a projection batch: every message is decoded, and one that
// cannot be decoded travels on as a poison item to be recorded instead of stalling its partition.
import { ConsumedBatch } from '../ports/messageBus';
import { decodeStoredEvent } from './decodeStoredEvent';
import { PoisonEventError } from './poisonEventError';
import { BatchItem, ProjectionBatch } from './projectionBatch';

export function toProjectionBatch(projection: string, consumed: ConsumedBatch): ProjectionBatch {
  const items: BatchItem[] = consumed.messages.map((message) => {
    const coordinates = { offset: message.offset, key: message.key, payload: message.value };
    try {
      return { ...coordinates, event: decodeStoredEvent(message.key, message.value) };
    } catch (error) {
      if (!(error instanceof PoisonEventError)) throw error;
      return { ...coordinates, poison: error };
    }
  });
  const last = consumed.messages[consumed.messages.length - 1];
  return {
    projection,
    topic: consumed.topic,
    partition: consumed.partition,
    nextOffset: last ? (BigInt(last.offset) + 1n).toString() : consumed.highWatermark,
    items,
  };
}
