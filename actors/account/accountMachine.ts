// The account actor: a thin xstate shell around the pure decider. It owns one account's state and
// mailbox, runs one turn at a time (the mailbox replaces any mutex), and while a turn's append is in
// flight queues new commands so the next turn decides and commits them together (group commit).
// Effects (activate, runTurn) are placeholders here and arrive through .provide() from the system.
import { assign, fromPromise, setup } from 'xstate';
import { limits } from '../../src/config/limits';
import { AccountState } from '../../src/domain/account/accountState';
import { TurnResult } from '../../src/app/runAccountTurn';
import { problemResponse } from '../../src/app/problem';
import { PendingCommand } from './pendingCommand';

export interface AccountActorContext {
  accountId: string;
  state: AccountState | null;
  mailbox: PendingCommand[];
  /** Commands of the turn in flight, answered when it ends. */
  turn: PendingCommand[];
  idleMs: number;
  commandsProcessed: number;
  lastActiveAt: number;
  /** Why the actor failed (activation or turn error), for the crash log. */
  failure: unknown;
}

export type AccountActorEvent = { type: 'COMMAND'; pending: PendingCommand } | { type: 'PASSIVATE' };

export interface AccountActorInput {
  accountId: string;
  idleMs: number;
  now: number;
}

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
    runTurn: fromPromise<TurnResult, { state: AccountState; turn: PendingCommand[] }>(async () => {
      throw new Error('runTurn must be provided');
    }),
  },
  guards: {
    mailboxFull: ({ context }) => context.mailbox.length >= limits.mailboxSizeMax,
    hasQueued: ({ context }) => context.mailbox.length > 0,
  },
  actions: {
    answerMailboxFull: (_, params: { pending: PendingCommand }) => params.pending.reply(mailboxFull),
    enqueue: assign({
      mailbox: ({ context, event }) => (event.type === 'COMMAND' ? [...context.mailbox, event.pending] : context.mailbox),
    }),
    takeTurn: assign(({ context }) => ({
      turn: context.mailbox.slice(0, limits.turnCommandsMax),
      mailbox: context.mailbox.slice(limits.turnCommandsMax),
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
    mailbox: [],
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
        onDone: { target: 'ready', actions: assign({ state: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign({ failure: ({ event }) => event.error }) },
      },
    },
    ready: {
      always: [{ guard: 'hasQueued', target: 'processing' }, { target: 'idle' }],
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
      entry: 'takeTurn',
      invoke: {
        src: 'runTurn',
        input: ({ context }) => ({ state: context.state as AccountState, turn: context.turn }),
        onDone: {
          target: 'ready',
          actions: [
            ({ context, event }) => context.turn.forEach((pending, index) => pending.reply(event.output.outcomes[index]!)),
            assign(({ context, event }) => ({
              state: event.output.state,
              turn: [],
              commandsProcessed: context.commandsProcessed + context.turn.length,
              lastActiveAt: Date.now(),
            })),
          ],
        },
        onError: { target: 'failed', actions: assign({ failure: ({ event }) => event.error }) },
      },
    },
    passivated: { type: 'final' },
    // The system fails every command the actor still held and replaces it on the next command.
    failed: { type: 'final' },
  },
});

export type AccountMachine = typeof accountMachine;
