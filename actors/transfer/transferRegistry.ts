// The transfer registry: one actor per unfinished transfer. It starts an actor when a transfer is
// requested and, on start-up and every sweep interval, finds unfinished transfers in the event store
// (never in a read model) and resumes those without a live actor. Infrastructure errors inside a
// move are logged and retried as transient; an actor that cannot even load is logged and left to
// the next sweep.
import { createActor, fromPromise, type Actor } from 'xstate';
import { limits } from '../../src/config/limits';
import { TransferState } from '../../src/domain/transfer/transferState';
import { TransferDeps, Move, abandonStep, advanceTransfer } from '../../src/app/transfers/advanceTransfer';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { Logger } from '../../src/infra/logger';
import { OpenTransferFinder } from '../../src/ports/openTransfers';
import { RetryPolicy, TransferMachine, transferMachine } from './transferMachine';

export interface TransferRegistryDeps extends TransferDeps {
  openTransfers: OpenTransferFinder;
  logger: Logger;
  retry?: RetryPolicy;
  sweepIntervalMs?: number;
  /** Observability hook: an actor stopped (done, parked, crashed, failed to load, stopped) with the transfer as it knew it. */
  onSettled?: (how: string, state: TransferState | null) => void;
}

export interface LiveTransferInfo {
  transferId: string;
  state: string;
  status: string | null;
  stage: string | null;
  attempts: number;
  lastError: string | null;
}

export interface TransferTotals {
  live: number;
  started: number;
  finished: number;
  parked: number;
  crashed: number;
  sweeps: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attemptsMax: limits.transferStepAttemptsMax,
  backoffBaseMs: limits.transferBackoffBaseMs,
  backoffMaxMs: limits.transferBackoffMaxMs,
};

export class TransferRegistry {
  private readonly live = new Map<string, Actor<TransferMachine>>();
  private readonly totals = { started: 0, finished: 0, parked: 0, crashed: 0, sweeps: 0 };
  private readonly machine: TransferMachine;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly settledWaiters = new Map<string, Array<() => void>>();

  constructor(private readonly deps: TransferRegistryDeps) {
    const log = deps.logger;
    const guarded = async (state: TransferState, move: () => Promise<Move>): Promise<Move> => {
      try {
        return await move();
      } catch (error) {
        log.warn({ err: error, transferId: state.transferId, stage: state.stage }, 'transfer step failed; retrying');
        return { kind: 'transient', detail: error instanceof Error ? error.message : String(error) };
      }
    };
    this.machine = transferMachine.provide({
      actors: {
        load: fromPromise(({ input }: { input: { transferId: string } }) => loadTransfer(input.transferId, deps.store)),
        advance: fromPromise(({ input }: { input: { state: TransferState } }) => guarded(input.state, () => advanceTransfer(deps, input.state))),
        abandon: fromPromise(({ input }: { input: { state: TransferState; detail: string } }) =>
          guarded(input.state, () => abandonStep(deps, input.state, input.detail)),
        ),
      },
    });
  }

  /**
   * Starts (or keeps) the actor of a transfer. Returns false when it was already live, the registry
   * is stopping, or liveTransfersMax actors are live (a later sweep starts it: it is recorded).
   */
  start(transferId: string): boolean {
    if (this.stopping || this.live.has(transferId) || this.live.size >= limits.liveTransfersMax) return false;
    const actor = createActor(this.machine, { input: { transferId, retry: this.deps.retry ?? defaultRetryPolicy } });
    this.live.set(transferId, actor);
    this.totals.started += 1;
    actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status !== 'done') return;
        this.retire(transferId, actor, String(snapshot.value), snapshot.context);
        this.deps.onSettled?.(String(snapshot.value), snapshot.context.state);
      },
      error: (error) => {
        this.totals.crashed += 1;
        this.deps.logger.error({ err: error, transferId }, 'transfer actor crashed; the next sweep resumes it');
        this.retire(transferId, actor, 'crashed', null);
      },
    });
    actor.start();
    return true;
  }

  /** Resumes every unfinished transfer without a live actor. Returns how many were started. */
  async sweep(): Promise<number> {
    this.totals.sweeps += 1;
    const room = limits.liveTransfersMax - this.live.size;
    if (room <= 0) return 0;
    const ids = await this.deps.openTransfers.openTransferIds(Math.min(room, limits.transferSweepBatchMax));
    return ids.filter((transferId) => this.start(transferId)).length;
  }

  /** Sweeps now and then every interval until stop(). */
  async startSweeping(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'transfer recovery sweep failed; retrying next interval'));
    }, this.deps.sweepIntervalMs ?? limits.transferSweepIntervalMs);
    this.timer.unref();
  }

  /** Resolves when the transfer's actor has stopped (terminal, parked or crashed), at once if none is live. */
  settled(transferId: string): Promise<void> {
    if (!this.live.has(transferId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.settledWaiters.get(transferId) ?? [];
      waiters.push(resolve);
      this.settledWaiters.set(transferId, waiters);
    });
  }

  list(): LiveTransferInfo[] {
    return [...this.live.entries()].map(([transferId, actor]) => {
      const { value, context } = actor.getSnapshot();
      return {
        transferId,
        state: String(value),
        status: context.state?.status ?? null,
        stage: context.state?.stage ?? null,
        attempts: context.attempts,
        lastError: context.lastError,
      };
    });
  }

  stats(): TransferTotals {
    return { live: this.live.size, ...this.totals };
  }

  /** Stops sweeping and starting; waits (bounded) for live transfers to settle, then stops the rest. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const deadline = Date.now() + drainMs;
    while (this.live.size > 0 && Date.now() < deadline) {
      // A transfer waiting out a backoff holds no I/O: stop it now, the next start resumes it.
      for (const [transferId, actor] of [...this.live.entries()]) {
        if (actor.getSnapshot().matches('backingOff')) this.halt(transferId, actor);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const [transferId, actor] of [...this.live.entries()]) this.halt(transferId, actor);
  }

  private halt(transferId: string, actor: Actor<TransferMachine>): void {
    actor.stop();
    this.retire(transferId, actor, 'stopped', null);
  }

  private retire(transferId: string, actor: Actor<TransferMachine>, how: string, context: { failure: unknown; lastError: string | null } | null): void {
    if (this.live.get(transferId) !== actor) return;
    this.live.delete(transferId);
    if (how === 'done') this.totals.finished += 1;
    if (how === 'parked') {
      this.totals.parked += 1;
      this.deps.logger.warn({ transferId, lastError: context?.lastError }, 'transfer step keeps failing; parked until the next sweep');
    }
    if (how === 'failed') {
      this.totals.crashed += 1;
      this.deps.logger.error({ err: context?.failure, transferId }, 'transfer could not be loaded; the next sweep resumes it');
    }
    for (const resolve of this.settledWaiters.get(transferId) ?? []) resolve();
    this.settledWaiters.delete(transferId);
  }
}
