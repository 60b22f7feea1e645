// The transfer registry: one actor per unfinished transfer. It starts an actor when a transfer is
// requested and, on start-up and every sweep interval, finds unfinished transfers in the event store
// (never in a read model) and resumes those without a live actor. Infrastructure errors inside a
// move are logged and retried as transient; an actor that cannot even load is logged and left to
// the next sweep.
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
  orphanSweeps: number;
  /** Actors that found their transfer driven by another live node and stopped without a move. */
  elsewhere: number;
  /** Times the registry's owner ended under it (its connection dropped). */
  ownersLost: number;
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
  /** Driver rows being given up; their transfer is not started again until that is done. */
  private readonly releasing = new Map<string, Promise<void>>();
  private owner: Owner | null = null;
  private acquiring: Promise<Owner> | null = null;

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
        load: fromPromise(({ input }: { input: { transferId: string } }) => this.takeAndLoad(input.transferId)),
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
    if (this.stopping || this.live.has(transferId) || this.releasing.has(transferId) || this.live.size >= limits.liveTransfersMax) return false;
    const actor = createActor(this.machine, { input: { transferId, retry: this.deps.retry ?? defaultRetryPolicy } });
    this.live.set(transferId, { actor, ownerId: null });
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
    const deadline = Date.now() + drainMs;
    while (this.live.size > 0 && Date.now() < deadline) {
      // A transfer waiting out a backoff holds no I/O: stop it now, the next start resumes it.
      for (const [transferId, { actor }] of [...this.live.entries()]) {
        if (actor.getSnapshot().matches('backingOff')) this.halt(transferId, actor, 'stopped');
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
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
  private async takeAndLoad(transferId: string): Promise<TransferState | null> {
    const entry = this.live.get(transferId);
    const owner = await this.liveOwner();
    if (!(await this.deps.openTransfers.claimTransfer(owner.id, transferId))) return null;
    if (!entry || this.live.get(transferId) !== entry) {
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
    actor.stop();
    this.retire(transferId, actor, how, null);
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

  private retire(transferId: string, actor: Actor<TransferMachine>, how: string, context: { failure: unknown; lastError: string | null } | null): void {
    const entry = this.live.get(transferId);
    if (entry?.actor !== actor) return;
    this.live.delete(transferId);
    // A lost owner's rows are void already; every other end gives the row up so any node may resume it.
    if (entry.ownerId !== null && how !== 'lost') this.giveUp(transferId, entry.ownerId);
    if (how === 'elsewhere') this.totals.elsewhere += 1;
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
