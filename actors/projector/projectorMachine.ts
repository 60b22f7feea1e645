// The projector actor: a thin xstate shell around one consumer-group subscription. It owns the
// subscription's lifecycle (join, rejoin with bounded backoff, restart on request, stop) and the
// counters the console and metrics read. The batches themselves are applied by the handler the
// subscription calls (projector.ts), which reports each outcome here as an event.
// Effects (subscribe, unsubscribe) are placeholders and arrive through .provide().
import { assign, fromPromise, setup } from 'xstate';
import { Subscription } from '../../src/ports/messageBus';
import { projectionLimits } from '../../src/config/limits';

export interface ProjectorCounters {
  batches: number;
  applied: number;
  skipped: number;
  gapsRepaired: number;
  deadLettered: number;
  /** Batches whose apply failed (the bus delivers them again). */
  batchFailures: number;
  subscribeFailures: number;
  restarts: number;
}

export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Offset the partition continues from: the last committed batch's last offset + 1. */
  nextOffset: string;
  /** The partition's log-end offset when that batch was fetched. */
  highWatermark: string;
}

export interface ProjectorContext extends ProjectorCounters {
  subscription: Subscription | null;
  /** STOP arrived while a subscribe or unsubscribe was in flight: finish it, then stop. */
  stopRequested: boolean;
  backoffMs: number;
  partitions: Record<string, PartitionProgress>;
}

export type ProjectorEvent =
  | {
      type: 'BATCH_APPLIED';
      progress: PartitionProgress;
      outcome: { applied: number; skipped: number; gapsRepaired: number; deadLettered: number };
    }
  | { type: 'BATCH_FAILED' }
  | { type: 'RESTART' }
  | { type: 'STOP' };

const counters: ProjectorCounters = {
  batches: 0,
  applied: 0,
  skipped: 0,
  gapsRepaired: 0,
  deadLettered: 0,
  batchFailures: 0,
  subscribeFailures: 0,
  restarts: 0,
};

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export const projectorMachine = setup({
  types: {
    context: {} as ProjectorContext,
    events: {} as ProjectorEvent,
  },
  actors: {
    subscribe: fromPromise<Subscription>(async () => {
      throw new Error('subscribe must be provided');
    }),
    unsubscribe: fromPromise<void, { subscription: Subscription | null }>(async () => {
      throw new Error('unsubscribe must be provided');
    }),
  },
  guards: {
    stopRequested: ({ context }) => context.stopRequested,
  },
  actions: {
    requestStop: assign({ stopRequested: true }),
    countBatch: assign(({ context, event }) => {
      if (event.type !== 'BATCH_APPLIED') return {};
      const { progress, outcome } = event;
      return {
        batches: context.batches + 1,
        applied: context.applied + outcome.applied,
        skipped: context.skipped + outcome.skipped,
        gapsRepaired: context.gapsRepaired + outcome.gapsRepaired,
        deadLettered: context.deadLettered + outcome.deadLettered,
        partitions: { ...context.partitions, [partitionKey(progress.topic, progress.partition)]: progress },
      };
    }),
    countFailure: assign(({ context }) => ({ batchFailures: context.batchFailures + 1 })),
  },
  delays: {
    backoff: ({ context }) => context.backoffMs,
  },
}).createMachine({
  id: 'projector',
  initial: 'starting',
  context: { ...counters, subscription: null, stopRequested: false, backoffMs: projectionLimits.subscribeBackoffMinMs, partitions: {} },
  // Batches in flight finish and report in every state, stopping included.
  on: {
    BATCH_APPLIED: { actions: 'countBatch' },
    BATCH_FAILED: { actions: 'countFailure' },
  },
  states: {
    starting: {
      on: { STOP: { actions: 'requestStop' } },
      invoke: {
        id: 'subscribe',
        src: 'subscribe',
        onDone: [
          { guard: 'stopRequested', target: 'stopping', actions: assign({ subscription: ({ event }) => event.output }) },
          {
            target: 'running',
            actions: assign({ subscription: ({ event }) => event.output, backoffMs: projectionLimits.subscribeBackoffMinMs }),
          },
        ],
        onError: [
          { guard: 'stopRequested', target: 'stopped' },
          { target: 'backingOff', actions: assign({ subscribeFailures: ({ context }) => context.subscribeFailures + 1 }) },
        ],
      },
    },
    running: {
      on: { RESTART: 'restarting', STOP: 'stopping' },
    },
    backingOff: {
      on: { STOP: 'stopped', RESTART: 'starting' },
      after: {
        backoff: {
          target: 'starting',
          actions: assign(({ context }) => ({ backoffMs: Math.min(context.backoffMs * 2, projectionLimits.subscribeBackoffMaxMs) })),
        },
      },
    },
    restarting: {
      on: { STOP: { actions: 'requestStop' } },
      invoke: {
        id: 'unsubscribe',
        src: 'unsubscribe',
        input: ({ context }) => ({ subscription: context.subscription }),
        // A failed leave still ends with a fresh join: the old member is gone once its session expires.
        onDone: [
          { guard: 'stopRequested', target: 'stopped', actions: assign({ subscription: null }) },
          { target: 'starting', actions: assign(({ context }) => ({ subscription: null, restarts: context.restarts + 1 })) },
        ],
        onError: [
          { guard: 'stopRequested', target: 'stopped', actions: assign({ subscription: null }) },
          { target: 'starting', actions: assign(({ context }) => ({ subscription: null, restarts: context.restarts + 1 })) },
        ],
      },
    },
    stopping: {
      invoke: {
        id: 'unsubscribe',
        src: 'unsubscribe',
        input: ({ context }) => ({ subscription: context.subscription }),
        onDone: { target: 'stopped', actions: assign({ subscription: null }) },
        onError: { target: 'stopped', actions: assign({ subscription: null }) },
      },
    },
    stopped: { type: 'final' },
  },
});

export type ProjectorMachine = typeof projectorMachine;
