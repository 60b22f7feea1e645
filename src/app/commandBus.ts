// The command port the gateway talks to. It makes a retry that arrives while the original is still
// running on this node wait for and return the original's outcome, refuses work once shutdown
// has begun or while limits.commandsInFlightMax commands run, and hands everything else to the actor
// system.
import { limits } from '../config/limits';
import { CommandOutcome, Unavailable, asReplay } from '../ports/commandOutcome';
import { CommandRequest } from './commandRequest';

export interface CommandPort {
  execute(request: CommandRequest): Promise<CommandOutcome>;
}

/** The answer to a command that arrives after shutdown began (the gateway's and the transfer request's). */
export const shuttingDown: CommandOutcome = {
  kind: 'unavailable',
  code: 'shutting_down',
  detail: 'The server is shutting down; retry on another node',
};

/** The answer to a command beyond limits.commandsInFlightMax running on this node. */
const overloaded = (max: number): Unavailable => ({
  kind: 'unavailable',
  code: 'node_overloaded',
  detail: `This node is running ${max} commands already; retry shortly or on another node`,
});

interface InFlight {
  requestHash: string;
  outcome: Promise<CommandOutcome>;
}

export class CommandBus implements CommandPort {
  private readonly inFlight = new Map<string, InFlight>();
  private accepting = true;

  constructor(
    private readonly dispatch: (request: CommandRequest) => Promise<CommandOutcome>,
    private readonly inFlightMax: number = limits.commandsInFlightMax,
  ) {}

  execute(request: CommandRequest): Promise<CommandOutcome> {
    const running = this.inFlight.get(request.idempotencyKey);
    if (running) {
      if (running.requestHash === request.requestHash) return running.outcome.then(asReplay);
      return Promise.resolve({
        kind: 'rejected',
        code: 'idempotency_key_reused',
        detail: `Idempotency-Key ${request.idempotencyKey} is in use by a different request`,
      });
    }
    if (!this.accepting) return Promise.resolve(shuttingDown);
    if (this.inFlight.size >= this.inFlightMax) return Promise.resolve(overloaded(this.inFlightMax));
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
