// The transfer actor: a thin xstate shell around the transfer process (src/domain/transfer,
// src/app/transfers). It loads the transfer from its stream, then moves it one step at a time until
// it is terminal. A transient failure backs off (bounded, doubling) and tries again; when the
// attempts run out, a hold or credit step is abandoned (compensation with a fence), while capture
// and release are parked: the actor stops and the next recovery sweep starts a fresh one. A move
// that throws is a programmer error (infrastructure failures come back as `transient` moves): the
// actor ends in `crashed` and the next sweep resumes the transfer from its stream.
// Effects (load, advance, abandon) arrive through .provide() from the registry. `load` takes the
// transfer's ownership first and answers null when another live node drives it (or the transfer is
// terminal already): the actor then stops at once (`elsewhere`), having done nothing.
import { assign, fromPromise, setup } from 'xstate';
import { isAbandonable } from '../../src/domain/transfer/transferDecider';
import { TransferState, isTerminal } from '../../src/domain/transfer/transferState';
import { backoffDelayMs } from '../../src/app/backoff';
import { Move } from '../../src/app/transfers/advanceTransfer';

export interface RetryPolicy {
  attemptsMax: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface TransferActorContext {
  transferId: string;
  state: TransferState | null;
  /** Failed attempts of the current step. */
  attempts: number;
  lastError: string | null;
  retry: RetryPolicy;
  /** Why loading or a move failed, for the crash log. */
  failure: unknown;
}

export interface TransferActorInput {
  transferId: string;
  retry: RetryPolicy;
}

export const transferMachine = setup({
  types: {
    context: {} as TransferActorContext,
    input: {} as TransferActorInput,
  },
  actors: {
    load: fromPromise<TransferState | null, { transferId: string }>(async () => {
      throw new Error('load must be provided');
    }),
    advance: fromPromise<Move, { state: TransferState }>(async () => {
      throw new Error('advance must be provided');
    }),
    abandon: fromPromise<Move, { state: TransferState; detail: string }>(async () => {
      throw new Error('abandon must be provided');
    }),
  },
  guards: {
    finished: ({ context }) => context.state === null || context.state.status === 'NONE' || isTerminal(context.state),
    moved: (_, params: { move: Move }) => params.move.kind === 'moved',
    attemptsLeft: ({ context }) => context.attempts + 1 < context.retry.attemptsMax,
    abandonable: ({ context }) => context.state?.stage != null && isAbandonable(context.state.stage),
  },
  actions: {
    takeMove: assign((_, params: { move: Move }) =>
      params.move.kind === 'moved' ? { state: params.move.state, attempts: 0, lastError: null } : {},
    ),
    countFailure: assign(({ context }, params: { move: Move }) => ({
      attempts: context.attempts + 1,
      lastError: params.move.kind === 'transient' ? params.move.detail : context.lastError,
    })),
    recordFailure: assign({ failure: ({ event }) => ('error' in event ? event.error : null) }),
  },
  delays: {
    backoff: ({ context }) => backoffDelayMs({ baseMs: context.retry.backoffBaseMs, maxMs: context.retry.backoffMaxMs }, context.attempts),
  },
}).createMachine({
  id: 'transfer',
  initial: 'loading',
  context: ({ input }) => ({ transferId: input.transferId, state: null, attempts: 0, lastError: null, retry: input.retry, failure: null }),
  states: {
    loading: {
      invoke: {
        src: 'load',
        input: ({ context }) => ({ transferId: context.transferId }),
        onDone: [
          { guard: ({ event }) => event.output === null, target: 'elsewhere' },
          { target: 'deciding', actions: assign({ state: ({ event }) => event.output }) },
        ],
        onError: { target: 'failed', actions: 'recordFailure' },
      },
    },
    deciding: {
      always: [{ guard: 'finished', target: 'done' }, { target: 'moving' }],
    },
    moving: {
      invoke: {
        src: 'advance',
        input: ({ context }) => ({ state: context.state as TransferState }),
        onDone: [
          { guard: { type: 'moved', params: ({ event }) => ({ move: event.output }) }, target: 'deciding', actions: { type: 'takeMove', params: ({ event }) => ({ move: event.output }) } },
          { guard: 'attemptsLeft', target: 'backingOff', actions: { type: 'countFailure', params: ({ event }) => ({ move: event.output }) } },
          { guard: 'abandonable', target: 'abandoning', actions: { type: 'countFailure', params: ({ event }) => ({ move: event.output }) } },
          { target: 'parked', actions: { type: 'countFailure', params: ({ event }) => ({ move: event.output }) } },
        ],
        onError: { target: 'crashed', actions: 'recordFailure' },
      },
    },
    backingOff: {
      after: { backoff: { target: 'moving' } },
    },
    abandoning: {
      invoke: {
        src: 'abandon',
        input: ({ context }) => ({ state: context.state as TransferState, detail: context.lastError ?? 'unknown' }),
        onDone: [
          { guard: { type: 'moved', params: ({ event }) => ({ move: event.output }) }, target: 'deciding', actions: { type: 'takeMove', params: ({ event }) => ({ move: event.output }) } },
          { target: 'parked' },
        ],
        onError: { target: 'crashed', actions: 'recordFailure' },
      },
    },
    /** Retries ran out on a step that must not be abandoned; the next sweep resumes it. */
    parked: { type: 'final' },
    done: { type: 'final' },
    /** Loading failed (the store is down, or the stream does not fold): the next sweep resumes it. */
    failed: { type: 'final' },
    /** A move threw: a programmer error (an assertion), never retried in place. */
    crashed: { type: 'final' },
    /** Nothing to drive here (another live owner drives it, or it was terminal already); this actor did nothing. */
    elsewhere: { type: 'final' },
  },
});

export type TransferMachine = typeof transferMachine;
