// The checks every projection makes before its handler sees an event: the stream version follows
// the row's, the type has a handler, the data matches the handler's schema, the event id is a UUID
// and the timestamp is one Postgres gives back unchanged. The event comes back normalised (lower-case
// id, ISO time), so live, rebuilt and in-memory rows are the very same values.
import { z } from 'zod';
import { StoredEvent } from '../ports/storedEvent';
import { poison } from './poisonEventError';

// The exact shape Date#toISOString produces for years 0001..9999, which Postgres stores and gives
// back unchanged; anything else would make the live and the rebuilt rows differ, or fail the insert.
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CheckedEvent<Handler> {
  handler: Handler;
  data: unknown;
  /** The event with its id in lower case, as Postgres prints uuids. */
  event: StoredEvent;
  /** occurredAt, normalised. */
  at: string;
}

export function checkedEvent<Handler extends { schema: z.ZodType }>(
  handlers: Readonly<Record<string, Handler>>,
  event: StoredEvent,
  rowVersion: number,
): CheckedEvent<Handler> {
  const expected = rowVersion + 1;
  if (event.streamVersion !== expected) {
    throw poison('version_out_of_order', `${event.streamId} v${event.streamVersion} where v${expected} was expected`);
  }
  if (!Object.hasOwn(handlers, event.type)) {
    throw poison('unknown_event_type', `${event.streamId} v${event.streamVersion} has type ${JSON.stringify(event.type)}`);
  }
  const handler = handlers[event.type]!;
  const decoded = handler.schema.safeParse(event.data);
  if (!decoded.success) {
    const issues = decoded.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw poison('invalid_event_data', `${event.type} ${event.streamId} v${event.streamVersion}: ${issues}`);
  }
  if (!uuid.test(event.eventId)) throw poison('invalid_event_data', `event id ${JSON.stringify(event.eventId)} is not a UUID`);
  return { handler, data: decoded.data, event: { ...event, eventId: event.eventId.toLowerCase() }, at: normalisedTimestamp(event) };
}

function normalisedTimestamp(event: StoredEvent): string {
  const at = typeof event.occurredAt === 'string' ? new Date(event.occurredAt) : null;
  const iso = at !== null && Number.isFinite(at.getTime()) ? at.toISOString() : '';
  if (!isoTimestamp.test(iso)) {
    throw poison('invalid_event_data', `${event.streamId} v${event.streamVersion} occurredAt ${JSON.stringify(event.occurredAt)} is not a timestamp`);
  }
  return iso;
}
