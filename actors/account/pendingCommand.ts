// A command waiting in an account's mailbox (held by the registry), with the callback that answers its caller.
import { CommandRequest } from '../../src/app/commandRequest';
import { CommandOutcome } from '../../src/ports/commandOutcome';

export interface PendingCommand {
  request: CommandRequest;
  reply: (outcome: CommandOutcome) => void;
}
