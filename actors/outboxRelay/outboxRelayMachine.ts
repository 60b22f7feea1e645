// The outbox relay actor. Woken right after each commit (no poll wait on the hot path); polls only
// as a fallback (other nodes' rows, expired leases); backs off, bounded, while the bus is down.
// A wake-up, or a round that claimed less than a full round, waits lingerMs before the next claim so
// the commits of those milliseconds travel in one round (one claim, one projector batch per
// partition) instead of one round each: on its own thread the relay is otherwise fast enough to
// claim every group commit alone, which costs Postgres a claim and a projector transaction per
// commit. A full round goes on at once.
import { assign, fromPromise, setup } from 'xstate';
import { RelayRound } from '../../src/app/relayOutbox';
import { relayLimits } from '../../src/config/limits';

export interface RelayContext {
  /** A wake-up arrived during a round: run another one right away. */
  woken: boolean;
  backoffMs: number;
  rounds: number;
  failures: number;
  published: number;
  lastClaimed: number;
}

export const outboxRelayMachine = setup({
  types: {
    context: {} as RelayContext,
    events: {} as { type: 'WAKE' } | { type: 'STOP' },
  },
  actors: {
    relayRound: fromPromise<RelayRound>(async () => {
      throw new Error('relayRound must be provided');
    }),
  },
  delays: {
    poll: relayLimits.pollIntervalMs,
    linger: relayLimits.lingerMs,
    backoff: ({ context }) => context.backoffMs,
  },
  guards: {
    moreWork: ({ context }) => context.woken || context.lastClaimed > 0,
    fullRound: ({ context }) => context.lastClaimed >= relayLimits.eventsPerRoundMax,
  },
}).createMachine({
  id: 'outboxRelay',
  initial: 'relaying',
  context: { woken: false, backoffMs: relayLimits.backoffMinMs, rounds: 0, failures: 0, published: 0, lastClaimed: 0 },
  on: { STOP: '.stopped' },
  states: {
    idle: {
      on: { WAKE: 'lingering' },
      after: { poll: 'relaying' },
    },
    lingering: {
      after: { linger: 'relaying' },
    },
    relaying: {
      entry: assign({ woken: false }),
      on: { WAKE: { actions: assign({ woken: true }) } },
      invoke: {
        src: 'relayRound',
        onDone: {
          target: 'deciding',
          actions: assign(({ context, event }) => ({
            rounds: context.rounds + 1,
            published: context.published + event.output.published,
            lastClaimed: event.output.claimed,
            backoffMs: relayLimits.backoffMinMs,
          })),
        },
        onError: {
          target: 'backingOff',
          actions: assign(({ context }) => ({ failures: context.failures + 1, rounds: context.rounds + 1 })),
        },
      },
    },
    deciding: {
      always: [{ guard: 'fullRound', target: 'relaying' }, { guard: 'moreWork', target: 'lingering' }, { target: 'idle' }],
    },
    backingOff: {
      // Wake-ups are ignored here: the bus is down, hammering it helps no one.
      after: {
        backoff: {
          target: 'relaying',
          actions: assign(({ context }) => ({ backoffMs: Math.min(context.backoffMs * 2, relayLimits.backoffMaxMs) })),
        },
      },
    },
    stopped: { type: 'final' },
  },
});
