// A command waiting in an account actor's mailbox, with the callback that answers its caller.
import { CommandOutcome, CommandRequest } from '../../src/app/commandRequest';

export interface PendingCommand {
  request: CommandRequest;
  reply: (outcome: CommandOutcome) => void;
}
