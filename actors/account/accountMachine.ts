// The account actor: a thin xstate shell around the pure decider. It owns one account's state and
// runs one turn at a time (the mailbox replaces any mutex); while a turn's append is in flight the
// commands that arrive wait, so the next turn decides and commits them together (group commit).
//
// The registry (actors/system/actorSystem.ts) owns the bounded mailbox, as Akka's runtime does: it
// answers mailbox_full before it sends, queues the command itself and sends WORK. The machine
// keeps only counts (queued, in the turn) in an immutable context, so every transition is pure
// and can be tested with xstate's transition()/initialTransition(). Effects (activate, startTurn)
// are placeholders here and arrive through .provide() from the registry; the clock comes in with
// TURN_DONE.
//
// A turn is not an invoked child actor: spawning, registering and stopping a fromPromise actor for
// every turn (about one per command on a quiet account) was a large share of the actor's xstate
// cost under load. `startTurn` starts the turn's promise instead (the registry's turn runner takes
// the turn's commands from the mailbox and answers them) and reports its end back to this actor as
// TURN_DONE or TURN_FAILED, which `processing` handles like invoke's done/error.
import { assign, fromPromise, setup } from 'xstate';
import { limits } from '../../src/config/limits';
import { AccountState } from '../../src/domain/account/accountState';

export interface AccountActorContext {
  accountId: string;
  state: AccountState | null;
  /** Commands the registry has queued for this actor (one WORK each) and no turn has taken yet. */
  queued: number;
  /** Commands of the turn in flight (0 between turns). */
  inTurn: number;
  idleMs: number;
  commandsProcessed: number;
  lastActiveAt: number;
  /** Why the actor failed (activation or turn error), for the crash log. */
  failure: unknown;
}

export type AccountActorEvent =
  /** The registry queued one more command in this actor's mailbox. */
  | { type: 'WORK' }
  | { type: 'PASSIVATE' }
  /** The turn in flight committed and its commands were answered; `at` is when (epoch ms). */
  | { type: 'TURN_DONE'; state: AccountState; at: number }
  /** The turn in flight threw; the actor fails with it. */
  | { type: 'TURN_FAILED'; error: unknown };

export interface AccountActorInput {
  accountId: string;
  idleMs: number;
  now: number;
}

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
    hasQueued: ({ context }) => context.queued > 0,
  },
  actions: {
    countWork: assign({ queued: ({ context }) => context.queued + 1 }),
    takeTurn: assign(({ context }) => {
      const inTurn = Math.min(context.queued, limits.turnCommandsMax);
      return { inTurn, queued: context.queued - inTurn };
    }),
    /** Starts the turn of `context.inTurn` commands; provided by the registry. */
    startTurn: () => {
      throw new Error('startTurn must be provided');
    },
    recordTurn: assign(({ context, event }) =>
      event.type === 'TURN_DONE'
        ? { state: event.state, inTurn: 0, commandsProcessed: context.commandsProcessed + context.inTurn, lastActiveAt: event.at }
        : {},
    ),
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
    queued: 0,
    inTurn: 0,
    idleMs: input.idleMs,
    commandsProcessed: 0,
    lastActiveAt: input.now,
    failure: null,
  }),
  // Every state counts the work the registry queued; idle also starts a turn for it.
  on: { WORK: { actions: 'countWork' } },
  states: {
    activating: {
      invoke: {
        id: 'activate',
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
        WORK: { target: 'processing', actions: 'countWork' },
        PASSIVATE: { target: 'passivated' },
      },
    },
    processing: {
      entry: ['takeTurn', 'startTurn'],
      on: {
        // Work queued during the turn starts the next one without leaving `processing`, which
        // saves the exit and re-entry; the entry actions are repeated here instead.
        TURN_DONE: [
          { guard: 'hasQueued', actions: ['recordTurn', 'takeTurn', 'startTurn'] },
          { target: 'idle', actions: 'recordTurn' },
        ],
        TURN_FAILED: { target: 'failed', actions: assign({ failure: ({ event }) => event.error }) },
      },
    },
    passivated: { type: 'final' },
    // The registry fails every command the actor still held and replaces it on the next command.
    failed: { type: 'final' },
  },
});

export type AccountMachine = typeof accountMachine;
