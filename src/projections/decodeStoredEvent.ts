// Turns a bus message back into a StoredEvent. The envelope is checked here; the event's data is
// checked by the projection's handler for its type. A failure is a PoisonEventError: the message
// is dead-lettered and its partition moves on.
import { z } from 'zod';
import { StoredEvent } from '../ports/storedEvent';
import { poison } from './poisonEventError';

const storedEventSchema = z.object({
  eventId: z.string().min(1),
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  metadata: z.object({
    commandId: z.string(),
    correlationId: z.string(),
    causationId: z.string().nullable(),
    // z.object drops keys it does not list: without this the statement would lose who issued it.
    actor: z.string().optional(),
  }),
  occurredAt: z.string().min(1),
  streamId: z.string().min(1),
  streamVersion: z.number().int().min(1).max(2 ** 31 - 1),
  globalPosition: z.string().regex(/^[0-9]{1,19}$/),
});

export function decodeStoredEvent(key: string, value: string): StoredEvent {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw poison('undecodable_message', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = storedEventSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw poison('undecodable_message', `not a stored event: ${issues}`);
  }
  // The key is what partitions the topic; a message whose key is not its stream could be ordered
  // against a different stream's messages, so its place in its own stream cannot be trusted.
  if (parsed.data.streamId !== key) throw poison('key_mismatch', `message key ${JSON.stringify(key)} but stream ${parsed.data.streamId}`);
  return parsed.data;
}
