// A command as it travels from the gateway to its actor: the domain command plus the request
// identity that makes it idempotent.
import { AccountCommand } from '../domain/account/accountCommands';

export interface CommandRequest<C = AccountCommand> {
  command: C;
  /** The client's Idempotency-Key (or a derived key for system commands). */
  idempotencyKey: string;
  /** Hash of operation + canonical payload; same key with another hash is a reused key. */
  requestHash: string;
  /** Stable operation name, e.g. `account.deposit`. */
  operation: string;
  correlationId: string;
  /** Who issued it, as the client said (the seed's `actor`); kept in the event metadata. */
  actor?: string;
}
