// The command port the gateway talks to. It makes a retry that arrives while the original is still
// running on this node wait for and return the original's outcome, refuses work once shutdown
// has begun, and hands everything else to the actor system.
import { CommandOutcome, CommandRequest } from './commandRequest';
import { problemResponse } from './problem';

export interface CommandPort {
  execute(request: CommandRequest): Promise<CommandOutcome>;
}

interface InFlight {
  requestHash: string;
  outcome: Promise<CommandOutcome>;
}

export class CommandBus implements CommandPort {
  private readonly inFlight = new Map<string, InFlight>();
  private accepting = true;

  constructor(private readonly dispatch: (request: CommandRequest) => Promise<CommandOutcome>) {}

  execute(request: CommandRequest): Promise<CommandOutcome> {
    const running = this.inFlight.get(request.idempotencyKey);
    if (running) {
      if (running.requestHash === request.requestHash) return running.outcome.then((outcome) => ({ ...outcome, replayed: true }));
      return Promise.resolve(
        problemResponse(422, 'idempotency_key_reused', `Idempotency-Key ${request.idempotencyKey} is in use by a different request`),
      );
    }
    if (!this.accepting) return Promise.resolve(problemResponse(503, 'shutting_down', 'The server is shutting down; retry on another node'));
    const outcome = this.dispatch(request).finally(() => this.inFlight.delete(request.idempotencyKey));
    this.inFlight.set(request.idempotencyKey, { requestHash: request.requestHash, outcome });
    return outcome;
  }

  /** Stops taking new commands; in-flight ones still finish. */
  stopAccepting(): void {
    this.accepting = false;
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }
}
