// Maps rows of the events table to StoredEvent. Positions stay decimal strings (int8 is not parsed).
import { StoredEvent } from '../../../ports/storedEvent';

export interface StoredEventRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: StoredEvent['metadata'];
  occurred_at: Date;
}

export const storedEventColumns =
  'global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at';

export function toStoredEvent(row: StoredEventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at.toISOString(),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: row.global_position,
  };
}
