// The transfer registry: one actor per unfinished transfer. It starts an actor when a transfer is
// requested and, on start-up and every sweep interval, finds unfinished transfers in the event store
// (never in a read model) and resumes those without a live actor. Infrastructure errors inside a
// move are logged and retried as transient; an assertion failure (a programmer error) crashes the
// actor instead, and an actor that cannot even load is logged; both are left to the next sweep.
// Stopping an actor aborts the signal its effects hold, so a stopped move records nothing more.
//
// Ownership: the registry holds a lock-backed owner (src/ports/ownerPresence.ts) and an actor drives
// its transfer only after recording that owner as the transfer's driver (claimTransfer), which fails
// while another live node drives it. The driver row is given up when the actor stops (the transfer
// is terminal, parked, crashed or the registry stops), so any node may resume it later. A node that
// dies leaves rows whose owner holds no lock: every registry looks for those every
// limits.transferOrphanSweepIntervalMs and takes them over, so a dead node's transfers move again
// within about a second, not at the next full sweep. If the registry's own owner ends (its
// connection dropped), it halts every actor it runs (they were driving under that owner; whoever
// takes a transfer over drives it from its stream) and takes a new owner at its next sweep.
import { AssertionError } from 'node:assert/strict';
import { createActor, fromPromise, type Actor } from 'xstate';
import { limits } from '../../src/config/limits';
import { TransferState, isTerminal } from '../../src/domain/transfer/transferState';
import { TransferDeps, Move, abandonStep, advanceTransfer } from '../../src/app/transfers/advanceTransfer';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { Logger } from '../../src/infra/logger';
import { OpenTransferFinder } from '../../src/ports/openTransfers';
import { Owner } from '../../src/ports/ownerPresence';
import { RetryPolicy, TransferMachine, transferMachine } from './transferMachine';

export interface TransferRegistryDeps extends TransferDeps {
  openTransfers: OpenTransferFinder;
  logger: Logger;
  retry?: RetryPolicy;
  sweepIntervalMs?: number;
  orphanSweepIntervalMs?: number;
  /**
   * Observability hook, called once for every actor that ends, however it ends (`how`: done,
   * parked, crashed, failed (to load), elsewhere, stopped, lost), with the transfer as it knew it
   * (null before it loaded).
   */
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
  orphanSweeps: number;
  /** Actors that found their transfer driven by another live node and stopped without a move. */
  elsewhere: number;
  /** Times the registry's owner ended under it (its connection dropped). */
  ownersLost: number;
}

/** What an ending actor knew: its failure and last error, and the transfer (null before it loaded). */
interface RetiredContext {
  failure: unknown;
  lastError: string | null;
  state: TransferState | null;
}

interface LiveEntry {
  actor: Actor<TransferMachine>;
  /** The owner this actor's transfer is recorded under, once load has claimed it. */
  ownerId: string | null;
}

export const defaultRetryPolicy: RetryPolicy = {
  attemptsMax: limits.transferStepAttemptsMax,
  backoffBaseMs: limits.transferBackoffBaseMs,
  backoffMaxMs: limits.transferBackoffMaxMs,
};

export class TransferRegistry {
  private readonly live = new Map<string, LiveEntry>();
  private readonly totals = { started: 0, finished: 0, parked: 0, crashed: 0, sweeps: 0, orphanSweeps: 0, elsewhere: 0, ownersLost: 0 };
  private readonly machine: TransferMachine;
  private timer: NodeJS.Timeout | null = null;
  private orphanTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly settledWaiters = new Map<string, Array<() => void>>();
  /** stop() waiting for the last live actor to end. */
  private allSettled: (() => void) | null = null;
  /** Driver rows being given up; their transfer is not started again until that is done. */
  private readonly releasing = new Map<string, Promise<void>>();
  private owner: Owner | null = null;
  private acquiring: Promise<Owner> | null = null;

  constructor(private readonly deps: TransferRegistryDeps) {
    const log = deps.logger;
    // Infrastructure errors (the store, the journal) may pass: retried as transient. A failed
    // assertion is a bug: it propagates and the actor crashes (see transferMachine's `crashed`).
    const guarded = async (state: TransferState, signal: AbortSignal, move: () => Promise<Move>): Promise<Move> => {
      try {
        return await move();
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        // A stopped actor's move ends with its signal; nobody hears the result.
        if (!signal.aborted) log.warn({ err: error, transferId: state.transferId, stage: state.stage }, 'transfer step failed; retrying');
        return { kind: 'transient', detail: error instanceof Error ? error.message : String(error) };
      }
    };
    this.machine = transferMachine.provide({
      actors: {
        load: fromPromise(({ input, signal }: { input: { transferId: string }; signal: AbortSignal }) => this.takeAndLoad(input.transferId, signal)),
        advance: fromPromise(({ input, signal }: { input: { state: TransferState }; signal: AbortSignal }) =>
          guarded(input.state, signal, () => advanceTransfer(deps, input.state, signal)),
        ),
        abandon: fromPromise(({ input, signal }: { input: { state: TransferState; detail: string }; signal: AbortSignal }) =>
          guarded(input.state, signal, () => abandonStep(deps, input.state, input.detail, signal)),
        ),
      },
    });
  }

  /**
   * Starts (or keeps) the actor of a transfer. Returns false when it was already live, the registry
   * is stopping, or liveTransfersMax actors are live (a later sweep starts it: it is recorded).
   */
  start(transferId: string): boolean {
    if (this.stopping || this.live.has(transferId) || this.releasing.has(transferId) || this.live.size >= limits.liveTransfersMax) return false;
    const actor = createActor(this.machine, { input: { transferId, retry: this.deps.retry ?? defaultRetryPolicy } });
    this.live.set(transferId, { actor, ownerId: null });
    this.totals.started += 1;
    actor.subscribe({
      next: (snapshot) => {
        // While stopping, a transfer waiting out a backoff holds no I/O: stop it now, the next start resumes it.
        if (this.stopping && snapshot.status === 'active' && snapshot.matches('backingOff')) {
          this.halt(transferId, actor, 'stopped');
          return;
        }
        if (snapshot.status !== 'done') return;
        this.retire(transferId, actor, String(snapshot.value), snapshot.context);
      },
      error: (error) => this.retire(transferId, actor, 'crashed', { failure: error, lastError: null, state: null }),
    });
    actor.start();
    return true;
  }

  /** Resumes every unfinished transfer without a live actor here or a live driver elsewhere. Returns how many were started. */
  async sweep(): Promise<number> {
    this.totals.sweeps += 1;
    const room = limits.liveTransfersMax - this.live.size;
    if (room <= 0) return 0;
    const owner = await this.liveOwner();
    const ids = await this.deps.openTransfers.openTransferIds(Math.min(room, limits.transferSweepBatchMax), owner.id);
    return ids.filter((transferId) => this.start(transferId)).length;
  }

  /** Resumes transfers whose recorded driver has ended (a dead node's). Returns how many were started. */
  async sweepOrphans(): Promise<number> {
    this.totals.orphanSweeps += 1;
    const room = limits.liveTransfersMax - this.live.size;
    if (room <= 0) return 0;
    // Taken first: a registry whose own owner ended finds its own transfers among the orphans.
    await this.liveOwner();
    const ids = await this.deps.openTransfers.orphanedTransferIds(Math.min(room, limits.transferSweepBatchMax));
    return ids.filter((transferId) => this.start(transferId)).length;
  }

  /** Sweeps now and then every interval until stop(); looks for orphans every orphan interval. */
  async startSweeping(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'transfer recovery sweep failed; retrying next interval'));
    }, this.deps.sweepIntervalMs ?? limits.transferSweepIntervalMs);
    this.timer.unref();
    this.orphanTimer = setInterval(() => {
      this.sweepOrphans().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'orphaned transfer sweep failed; retrying next interval'));
    }, this.deps.orphanSweepIntervalMs ?? limits.transferOrphanSweepIntervalMs);
    this.orphanTimer.unref();
  }

  /** The owner this registry drives under (tests and the console). */
  ownerId(): string | null {
    return this.owner?.isLive() ? this.owner.id : null;
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
    return [...this.live.entries()].map(([transferId, { actor }]) => {
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

  /**
   * Stops sweeping and starting; waits (bounded) for live transfers to settle, then stops the rest,
   * gives their driver rows up and ends the owner (so another node takes over what is left at once).
   */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.orphanTimer) clearInterval(this.orphanTimer);
    // A transfer waiting out a backoff holds no I/O: stop it now (the next start resumes it); those
    // that enter a backoff from here on are stopped as they enter it (see start).
    for (const [transferId, { actor }] of [...this.live.entries()]) {
      if (actor.getSnapshot().matches('backingOff')) this.halt(transferId, actor, 'stopped');
    }
    if (this.live.size > 0) await this.liveSettled(drainMs);
    for (const [transferId, { actor }] of [...this.live.entries()]) this.halt(transferId, actor, 'stopped');
    await Promise.all(this.releasing.values());
    const owner = this.owner;
    this.owner = null;
    await owner?.release();
    // An owner still being acquired ends itself once it arrives (liveOwner sees `stopping`); its
    // promise then rejects with that expected "stopping" error, which is all there is to wait for.
    await this.acquiring?.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * The load effect: record this registry's owner as the transfer's driver, then fold the stream.
   * null when there is nothing to drive here: another live owner drives it, it is terminal already,
   * or this actor was stopped meanwhile.
   */
  private async takeAndLoad(transferId: string, signal: AbortSignal): Promise<TransferState | null> {
    const entry = this.live.get(transferId);
    const owner = await this.liveOwner();
    if (!(await this.deps.openTransfers.claimTransfer(owner.id, transferId))) return null;
    if (signal.aborted || !entry || this.live.get(transferId) !== entry) {
      // Stopped while claiming: give the row back rather than hold a transfer no actor drives.
      this.giveUp(transferId, owner.id);
      return null;
    }
    const state = await loadTransfer(transferId, this.deps.store);
    if (isTerminal(state)) {
      // Finished already (an orphaned row a dead node left behind): clear the row, drive nothing,
      // and do not count the transfer as finished a second time.
      this.giveUp(transferId, owner.id);
      return null;
    }
    entry.ownerId = owner.id;
    return state;
  }

  /** The registry's live owner, acquired on first use and again after the previous one ended. */
  private liveOwner(): Promise<Owner> {
    if (this.owner?.isLive()) return Promise.resolve(this.owner);
    if (this.stopping) return Promise.reject(new Error('the transfer registry is stopping'));
    this.acquiring ??= this.deps.openTransfers.acquireOwner().then(
      async (owner) => {
        this.acquiring = null;
        if (this.stopping && this.owner === null) {
          // stop() has already ended the registry's owner (or is about to): hold no connection for it.
          await owner.release();
          throw new Error('the transfer registry is stopping');
        }
        this.owner = owner;
        void owner.ended.then(() => this.ownerEnded(owner));
        return owner;
      },
      (error: unknown) => {
        this.acquiring = null;
        throw error;
      },
    );
    return this.acquiring;
  }

  /** The owner's connection dropped: its driver rows no longer count, so stop driving under it. */
  private ownerEnded(owner: Owner): void {
    if (this.stopping || this.owner !== owner) return;
    this.owner = null;
    this.totals.ownersLost += 1;
    const driving = [...this.live.entries()].filter(([, entry]) => entry.ownerId === null || entry.ownerId === owner.id);
    this.deps.logger.warn({ owner: owner.id, halted: driving.length }, 'transfer owner ended (its connection was lost); halting its transfers until a sweep takes them again');
    for (const [transferId, { actor }] of driving) this.halt(transferId, actor, 'lost');
  }

  private halt(transferId: string, actor: Actor<TransferMachine>, how: 'stopped' | 'lost'): void {
    const { context } = actor.getSnapshot();
    actor.stop();
    this.retire(transferId, actor, how, context);
  }

  /** Resolves when no actor is live any more, or after timeoutMs. */
  private async liveSettled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.allSettled = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.allSettled = null;
  }

  /** Deletes the transfer's driver row if it is still this owner's; the transfer waits for that before it is started again. */
  private giveUp(transferId: string, ownerId: string): void {
    const released = this.deps.openTransfers.releaseTransfer(ownerId, transferId).then(
      () => undefined,
      (error: unknown) => {
        // The row stays with this owner: this node's own sweeps still resume the transfer, other
        // nodes take it once this owner ends.
        this.deps.logger.warn({ err: error, transferId }, 'giving up a transfer driver row failed');
      },
    );
    const tracked = released.finally(() => {
      if (this.releasing.get(transferId) === tracked) this.releasing.delete(transferId);
    });
    this.releasing.set(transferId, tracked);
  }

  /** Every end of an actor comes here once: counts, logs, gives the driver row up, tells onSettled and the waiters. */
  private retire(transferId: string, actor: Actor<TransferMachine>, how: string, context: RetiredContext): void {
    const entry = this.live.get(transferId);
    if (entry?.actor !== actor) return;
    this.live.delete(transferId);
    // A lost owner's rows are void already; every other end gives the row up so any node may resume it.
    if (entry.ownerId !== null && how !== 'lost') this.giveUp(transferId, entry.ownerId);
    if (how === 'elsewhere') this.totals.elsewhere += 1;
    if (how === 'done') this.totals.finished += 1;
    if (how === 'parked') {
      this.totals.parked += 1;
      this.deps.logger.warn({ transferId, lastError: context.lastError }, 'transfer step keeps failing; parked until the next sweep');
    }
    if (how === 'failed') {
      this.totals.crashed += 1;
      this.deps.logger.error({ err: context.failure, transferId }, 'transfer could not be loaded; the next sweep resumes it');
    }
    if (how === 'crashed') {
      this.totals.crashed += 1;
      this.deps.logger.error({ err: context.failure, transferId, stage: context.state?.stage ?? null }, 'transfer actor crashed; the next sweep resumes it');
    }
    this.deps.onSettled?.(how, context.state);
    for (const resolve of this.settledWaiters.get(transferId) ?? []) resolve();
    this.settledWaiters.delete(transferId);
    if (this.live.size === 0) this.allSettled?.();
  }
}
