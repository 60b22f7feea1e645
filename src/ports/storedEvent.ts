// An event as the event store holds it: the domain fact plus its place in the stream and the log.

export interface EventMetadata {
  /** The Idempotency-Key (or derived id) of the command that produced the event. */
  commandId: string;
  correlationId: string;
  causationId: string | null;
  /** Who issued the command, when the client said (account commands' optional `actor`). */
  actor?: string;
}

export interface NewEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** ISO-8601 timestamp with milliseconds, set by the writer (never by the database clock). */
  occurredAt: string;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  streamVersion: number;
  /** Position in the global log, a bigint kept as a decimal string. Unique, increasing, may have gaps. */
  globalPosition: string;
}
