// The account projection as a pure fold: (summary row | null, stored event) → next summary row and
// the event's statement entry. The live projector, rebuild and verify all go through it, so the
// read model built live and the one rebuilt from the event store are the same rows.
//
// It accepts exactly what the write side's evolve() accepts. Anything else (unknown type, bad data,
// an event out of order or for an account that does not exist) throws a PoisonEventError.
import { AccountSummaryRow } from '../ports/readModel';
import { StoredEvent } from '../ports/storedEvent';
import { accountEventHandlers, ProjectedAccountEvent } from './accountEventHandlers';
import { accountIdOfStream } from './accountStreams';
import { poison } from './poisonEventError';

export type { ProjectedAccountEvent } from './accountEventHandlers';

// The exact shape Date#toISOString produces for years 0001..9999, which Postgres stores and gives
// back unchanged; anything else would make the live and the rebuilt rows differ, or fail the insert.
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function projectAccountEvent(summary: AccountSummaryRow | null, event: StoredEvent): ProjectedAccountEvent {
  const accountId = accountIdOfStream(event.streamId);
  const expected = (summary?.version ?? 0) + 1;
  if (event.streamVersion !== expected) {
    throw poison('version_out_of_order', `${event.streamId} v${event.streamVersion} where v${expected} was expected`);
  }
  if (!Object.hasOwn(accountEventHandlers, event.type)) {
    throw poison('unknown_event_type', `${event.streamId} v${event.streamVersion} has type ${JSON.stringify(event.type)}`);
  }
  const handler = accountEventHandlers[event.type]!;
  const decoded = handler.schema.safeParse(event.data);
  if (!decoded.success) {
    const issues = decoded.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw poison('invalid_event_data', `${event.type} ${event.streamId} v${event.streamVersion}: ${issues}`);
  }
  if (decoded.data.accountId !== accountId) {
    throw poison('account_id_mismatch', `${event.type} in ${event.streamId} names account ${decoded.data.accountId}`);
  }
  if (!uuid.test(event.eventId)) throw poison('invalid_event_data', `event id ${JSON.stringify(event.eventId)} is not a UUID`);
  // Postgres prints uuids in lower case: the same form everywhere keeps every adapter's rows equal.
  const normalised = { ...event, eventId: event.eventId.toLowerCase() };
  return handler.project({ summary, data: decoded.data, event: normalised, accountId, at: normalisedTimestamp(event) });
}

function normalisedTimestamp(event: StoredEvent): string {
  const at = typeof event.occurredAt === 'string' ? new Date(event.occurredAt) : null;
  const iso = at !== null && Number.isFinite(at.getTime()) ? at.toISOString() : '';
  if (!isoTimestamp.test(iso)) {
    throw poison('invalid_event_data', `${event.streamId} v${event.streamVersion} occurredAt ${JSON.stringify(event.occurredAt)} is not a timestamp`);
  }
  return iso;
}
