// The account actor: a thin xstate shell around the pure decider. It owns one account's state and
// mailbox, runs one turn at a time (the mailbox replaces any mutex), and while a turn's append is in
// flight queues new commands so the next turn decides and commits them together (group commit).
// Effects (activate, startTurn) are placeholders here and arrive through .provide() from the system.
//
// A turn is not an invoked child actor: spawning, registering and stopping a fromPromise actor for
// every turn (about one per command on a quiet account) was a large share of the actor's xstate
// cost under load. `startTurn` starts the turn's promise instead, and `turnRunner` reports its end
// back to this actor as TURN_DONE or TURN_FAILED, which `processing` handles like invoke's done/error.
import { assign, fromPromise, setup, type ActorRef, type Snapshot } from 'xstate';
import { limits } from '../../src/config/limits';
import { AccountState } from '../../src/domain/account/accountState';
import { TurnResult } from '../../src/app/runAccountTurn';
import { problemResponse } from '../../src/app/problem';
import { Mailbox } from './mailbox';
import { PendingCommand } from './pendingCommand';

export interface AccountActorContext {
  accountId: string;
  state: AccountState | null;
  /** Queued commands, mutated in place (see mailbox.ts); snapshots share it. */
  mailbox: Mailbox;
  /** Commands of the turn in flight, answered when it ends. */
  turn: PendingCommand[];
  idleMs: number;
  commandsProcessed: number;
  lastActiveAt: number;
  /** Why the actor failed (activation or turn error), for the crash log. */
  failure: unknown;
}

export type AccountActorEvent =
  | { type: 'COMMAND'; pending: PendingCommand }
  | { type: 'PASSIVATE' }
  /** Internal: the turn in flight committed (sent by turnRunner, never by the system). */
  | { type: 'TURN_DONE'; result: TurnResult }
  /** Internal: the turn in flight threw; the actor fails with it. */
  | { type: 'TURN_FAILED'; error: unknown };

export interface AccountActorInput {
  accountId: string;
  idleMs: number;
  now: number;
}

/** Runs one turn: decides and commits the commands against the state, or rejects. */
export type RunTurn = (state: AccountState, turn: PendingCommand[]) => Promise<TurnResult>;

const mailboxFull = problemResponse(503, 'mailbox_full', 'The account is receiving more commands than it can queue; retry shortly', {
  retryAfterSeconds: 1,
});

export const accountMachine = setup({
  types: {
    context: {} as AccountActorContext,
    events: {} as AccountActorEvent,
    input: {} as AccountActorInput,
  },
  actors: {
    activate: fromPromise<AccountState, { accountId: string }>(async () => {
      throw new Error('activate must be provided');
    }),
  },
  guards: {
    mailboxFull: ({ context }) => context.mailbox.isFull,
    hasQueued: ({ context }) => context.mailbox.size > 0,
  },
  actions: {
    answerMailboxFull: (_, params: { pending: PendingCommand }) => params.pending.reply(mailboxFull),
    enqueue: ({ context, event }) => {
      if (event.type === 'COMMAND') context.mailbox.push(event.pending);
    },
    takeTurn: assign({ turn: ({ context }) => context.mailbox.take(limits.turnCommandsMax) }),
    startTurn: () => {
      throw new Error('startTurn must be provided (see turnRunner)');
    },
    replyTurn: ({ context, event }) => {
      if (event.type !== 'TURN_DONE') return;
      context.turn.forEach((pending, index) => pending.reply(event.result.outcomes[index]!));
    },
    recordTurn: assign(({ context, event }) => ({
      state: event.type === 'TURN_DONE' ? event.result.state : context.state,
      turn: [],
      commandsProcessed: context.commandsProcessed + context.turn.length,
      lastActiveAt: Date.now(),
    })),
  },
  delays: {
    idleTimeout: ({ context }) => context.idleMs,
  },
}).createMachine({
  id: 'account',
  initial: 'activating',
  context: ({ input }) => ({
    accountId: input.accountId,
    state: null,
    mailbox: new Mailbox(limits.mailboxSizeMax),
    turn: [],
    idleMs: input.idleMs,
    commandsProcessed: 0,
    lastActiveAt: input.now,
    failure: null,
  }),
  // Every state takes commands: queue them (bounded) or answer mailbox_full, never drop one.
  on: {
    COMMAND: [
      { guard: 'mailboxFull', actions: { type: 'answerMailboxFull', params: ({ event }) => ({ pending: event.pending }) } },
      { actions: 'enqueue' },
    ],
  },
  states: {
    activating: {
      invoke: {
        src: 'activate',
        input: ({ context }) => ({ accountId: context.accountId }),
        // Straight to the next state (no transient `ready` state): an eventless hop costs a microstep.
        onDone: [
          { guard: 'hasQueued', target: 'processing', actions: assign({ state: ({ event }) => event.output }) },
          { target: 'idle', actions: assign({ state: ({ event }) => event.output }) },
        ],
        onError: { target: 'failed', actions: assign({ failure: ({ event }) => event.error }) },
      },
    },
    idle: {
      after: { idleTimeout: { target: 'passivated' } },
      on: {
        COMMAND: [
          { guard: 'mailboxFull', actions: { type: 'answerMailboxFull', params: ({ event }) => ({ pending: event.pending }) } },
          { actions: 'enqueue', target: 'processing' },
        ],
        PASSIVATE: { target: 'passivated' },
      },
    },
    processing: {
      entry: ['takeTurn', 'startTurn'],
      on: {
        // Commands queued during the turn start the next one without leaving `processing`, which
        // saves the exit and re-entry; the entry actions are repeated here instead.
        TURN_DONE: [
          { guard: 'hasQueued', actions: ['replyTurn', 'recordTurn', 'takeTurn', 'startTurn'] },
          { target: 'idle', actions: ['replyTurn', 'recordTurn'] },
        ],
        TURN_FAILED: { target: 'failed', actions: assign({ failure: ({ event }) => event.error }) },
      },
    },
    passivated: { type: 'final' },
    // The system fails every command the actor still held and replaces it on the next command.
    failed: { type: 'final' },
  },
});

export type AccountMachine = typeof accountMachine;

/** What `startTurn` needs from the running actor: its context and a way to report the turn's end. */
interface TurnActionArgs {
  context: AccountActorContext;
  self: Pick<ActorRef<Snapshot<unknown>, AccountActorEvent>, 'send'>;
}

/**
 * The `startTurn` implementation for `.provide()`: runs the turn taken by `takeTurn` and sends its
 * result or error back to the actor. An actor stopped meanwhile (shutdown) ignores the event, as it
 * ignored an invoked child's result before; the system has already answered its commands.
 */
export function turnRunner(run: RunTurn): (args: TurnActionArgs) => void {
  return ({ context, self }) => {
    let turn: Promise<TurnResult>;
    try {
      turn = run(context.state as AccountState, context.turn);
    } catch (error) {
      // A synchronous throw fails the turn like a rejection, not the whole actor mid-transition.
      turn = Promise.reject(error);
    }
    turn.then(
      (result) => self.send({ type: 'TURN_DONE', result }),
      (error: unknown) => self.send({ type: 'TURN_FAILED', error }),
    );
  };
}
