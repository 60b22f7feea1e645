// A stored event back as the domain event its aggregate folds: its type must be one the aggregate
// defines and its data must match that type's schema (the same schemas the projections decode
// with). Anything else is an UndecodableEventError: folding it would put into the actor's state
// what evolve() was never written for, so activation fails instead, naming the event.
import { z } from 'zod';
import { StoredEvent } from '../../ports/storedEvent';

/** The data schema of each event type of one aggregate, keyed by type. */
export type EventSchemas<Event extends { type: string; data: object }> = { readonly [T in Event['type']]: z.ZodType<Extract<Event, { type: T }>['data']> };

export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';

  constructor(
    readonly streamId: string,
    readonly streamVersion: number,
    readonly eventType: string,
    reason: string,
  ) {
    super(`stored event ${streamId} v${streamVersion} (${JSON.stringify(eventType)}) does not decode: ${reason}`);
  }
}

export function decodeDomainEvent<Event extends { type: string; data: object }>(schemas: EventSchemas<Event>, stored: StoredEvent): Event {
  if (!Object.hasOwn(schemas, stored.type)) throw new UndecodableEventError(stored.streamId, stored.streamVersion, stored.type, 'unknown event type');
  const type = stored.type as Event['type'];
  const decoded = schemas[type].safeParse(stored.data);
  if (!decoded.success) {
    const issues = decoded.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new UndecodableEventError(stored.streamId, stored.streamVersion, stored.type, issues);
  }
  // The type was checked to be one of Event's and the data decoded with that type's schema, which
  // is what Event pairs with that type; the compiler cannot follow the pairing through the index.
  const event: { type: string; data: object } = { type, data: decoded.data };
  return event as Event;
}
