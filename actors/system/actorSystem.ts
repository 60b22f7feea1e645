// The actor system (registry of account actors): spawns an account actor on the first command for
// its account, holds each live actor's bounded mailbox, caps live actors (a hard bound: it evicts
// the least recently used idle actor, and when none is idle it answers actors_exhausted instead of
// spawning), passivates idle ones, replaces crashed ones after a backoff, and never strands a
// caller: every command is answered by its actor's turn, by a refusal before it is queued
// (mailbox_full, actors_exhausted), by a crash (account_unavailable) or by its timeout.
import { setTimeout as delay } from 'node:timers/promises';
import { createActor, fromPromise, type Actor } from 'xstate';
import { limits } from '../../src/config/limits';
import { AccountState } from '../../src/domain/account/accountState';
import { activateAccount } from '../../src/app/activateAccount';
import { snapshotOnCommit } from '../../src/app/accountSnapshots';
import { BackoffPolicy, RestartBackoff } from '../../src/app/backoff';
import { CommandRequest } from '../../src/app/commandRequest';
import { TurnDeps, TurnResult, runAccountTurn } from '../../src/app/runAccountTurn';
import { CommandOutcome, RenderOutcome, Unavailable } from '../../src/ports/commandOutcome';
import { EventStore } from '../../src/ports/eventStore';
import { SnapshotStore } from '../../src/ports/snapshotStore';
import { AccountMachine, accountMachine } from '../account/accountMachine';
import { Mailbox, PendingCommand } from '../account/mailbox';
import { Logger } from '../../src/infra/logger';

/** The wait before a crashed account actor is activated again, doubling while it keeps crashing. */
const accountRestartBackoff: BackoffPolicy = { baseMs: limits.accountRestartBackoffBaseMs, maxMs: limits.accountRestartBackoffMaxMs };

export interface ActorSystemDeps {
  store: Pick<EventStore, 'findIdempotency' | 'findTransactions' | 'readStream'>;
  snapshots: SnapshotStore;
  journal: TurnDeps['journal'];
  newId: () => string;
  now: () => string;
  /** How records keep a decision (src/http's rendering). */
  render: RenderOutcome;
  idleMs: number;
  snapshotIntervalVersions: number;
  /** A command not answered within this long answers 503 command_timeout: the configured COMMAND_TIMEOUT_MS. */
  commandTimeoutMs: number;
  /** Live actors at most (default limits.liveActorsMax). */
  liveActorsMax?: number;
  restartBackoff?: BackoffPolicy;
  logger: Logger;
  /** Observability hook: called once per committed turn. */
  onTurn?: (commands: number, events: number) => void;
}

interface LiveActor {
  actor: Actor<AccountMachine>;
  /** Commands queued for the next turns, in arrival order (the machine is told of each by WORK). */
  mailbox: Mailbox;
  /** Commands of the turn in flight. */
  turn: PendingCommand[];
  /** Every command not answered yet: the mailbox's and the turn's. */
  pending: Set<PendingCommand>;
  /** A child logger bound to this actor's account. */
  logger: Logger;
}

export interface ActorSystemTotals {
  live: number;
  activations: number;
  passivations: number;
  crashes: number;
  commandsProcessed: number;
  turns: number;
  /** Appends refused because another writer moved the stream first (each one is reloaded and retried). */
  versionConflicts: number;
  /** Commands refused because liveActorsMax actors were live and none was idle. */
  actorsExhausted: number;
}

export interface LiveActorInfo {
  accountId: string;
  state: string;
  version: number | null;
  mailboxDepth: number;
  lastActiveAt: string;
  commandsProcessed: number;
}

const mailboxFull: Unavailable = {
  kind: 'unavailable',
  code: 'mailbox_full',
  detail: 'The account is receiving more commands than it can queue; retry shortly',
};

const actorsExhausted: Unavailable = {
  kind: 'unavailable',
  code: 'actors_exhausted',
  detail: 'Every account actor this node can hold is busy; retry shortly',
};

export class ActorSystem {
  private readonly live = new Map<string, LiveActor>();
  private readonly totals = { activations: 0, passivations: 0, crashes: 0, commandsProcessed: 0, turns: 0, versionConflicts: 0, actorsExhausted: 0 };
  private readonly machine: AccountMachine;
  private readonly liveActorsMax: number;
  private readonly restarts: RestartBackoff<string>;
  /** Commands accepted and not yet answered, across every actor. */
  private unanswered = 0;
  /** When the last command-timeout warning was logged, and the timeouts since then. */
  private readonly timeoutWarnings = { lastAt: -Infinity, unreported: 0 };
  /** drain() callers waiting for the last answer. */
  private readonly drainWaiters = new Set<() => void>();

  constructor(private readonly deps: ActorSystemDeps) {
    this.liveActorsMax = deps.liveActorsMax ?? limits.liveActorsMax;
    // Crash records are bounded by the live-actor bound: a node never restarts more actors at once.
    this.restarts = new RestartBackoff(deps.restartBackoff ?? accountRestartBackoff, this.liveActorsMax);
    const turnDeps: TurnDeps = {
      store: deps.store,
      journal: deps.journal,
      newId: deps.newId,
      now: deps.now,
      render: deps.render,
      committed: snapshotOnCommit({
        snapshots: deps.snapshots,
        intervalVersions: deps.snapshotIntervalVersions,
        now: deps.now,
        saveFailed: (error, accountId) => deps.logger.warn({ err: error, accountId }, 'snapshot save failed; the stream remains the source of truth'),
        savesInFlightMax: limits.snapshotSavesInFlightMax,
        saveSkipped: (accountId) => deps.logger.debug({ accountId }, 'snapshot skipped: the bound of saves in flight is reached; the next multiple takes one'),
      }),
    };
    this.machine = accountMachine.provide({
      actors: {
        activate: fromPromise<AccountState, { accountId: string }>(async ({ input, signal }) => {
          // A replacement for a crashed actor waits out its backoff first (no wait otherwise).
          const waitMs = this.restarts.delayMs(input.accountId);
          if (waitMs > 0) await delay(waitMs, undefined, { signal });
          return activateAccount(input.accountId, deps.store, deps.snapshots);
        }),
      },
      actions: {
        startTurn: ({ context, self }) => {
          const entry = this.live.get(context.accountId);
          // Only the registry's own actor reaches here; anything else is a bug the actor fails with.
          if (entry?.actor !== self) {
            self.send({ type: 'TURN_FAILED', error: new Error(`account ${context.accountId}: a turn started for an actor the registry does not hold`) });
            return;
          }
          this.runTurn(entry, context.state as AccountState, context.inTurn, turnDeps);
        },
      },
    });
  }

  /** Routes a command to its account's actor and resolves with its outcome. Never rejects. */
  dispatch(request: CommandRequest): Promise<CommandOutcome> {
    const entry = this.actorFor(request.command.accountId);
    if (entry === null) {
      this.totals.actorsExhausted += 1;
      return Promise.resolve(actorsExhausted);
    }
    // Refused before it is queued or sent: the actor's context never holds a command.
    if (entry.mailbox.isFull) return Promise.resolve(mailboxFull);
    return new Promise((resolve) => {
      let answered = false;
      const pending: PendingCommand = {
        request,
        reply: (outcome) => {
          if (answered) return;
          answered = true;
          clearTimeout(timer);
          entry.pending.delete(pending);
          this.answered();
          resolve(outcome);
        },
      };
      const timeoutMs = this.deps.commandTimeoutMs;
      const timer = setTimeout(() => {
        this.warnTimedOut(entry, pending);
        pending.reply({
          kind: 'unavailable',
          code: 'command_timeout',
          detail: `No outcome within ${timeoutMs} ms; retry with the same Idempotency-Key to learn it`,
        });
      }, timeoutMs);
      this.unanswered += 1;
      entry.pending.add(pending);
      entry.mailbox.push(pending);
      entry.actor.send({ type: 'WORK' });
    });
  }

  /** Passivates one idle actor now. Returns false when it is not live or is busy. */
  passivate(accountId: string): boolean {
    const entry = this.live.get(accountId);
    if (!entry || !entry.actor.getSnapshot().matches('idle')) return false;
    entry.actor.send({ type: 'PASSIVATE' });
    return true;
  }

  stats(): ActorSystemTotals {
    return { live: this.live.size, ...this.totals };
  }

  actors(): LiveActorInfo[] {
    return [...this.live.entries()].map(([accountId, { actor, mailbox, turn }]) => {
      const snapshot = actor.getSnapshot();
      return {
        accountId,
        state: String(snapshot.value),
        version: snapshot.context.state?.version ?? null,
        mailboxDepth: mailbox.size + turn.length,
        lastActiveAt: new Date(snapshot.context.lastActiveAt).toISOString(),
        commandsProcessed: snapshot.context.commandsProcessed,
      };
    });
  }

  /** Commands accepted but not yet answered, across every actor. */
  pendingCommands(): number {
    return this.unanswered;
  }

  /** Waits (bounded) until the last pending command is answered, then stops every actor. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.unanswered > 0) {
      let wake = (): void => {};
      const answeredAll = new Promise<void>((resolve) => {
        wake = resolve;
        this.drainWaiters.add(resolve);
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([answeredAll, timedOut]);
      clearTimeout(timer);
      this.drainWaiters.delete(wake);
    }
    for (const accountId of [...this.live.keys()]) this.stopActor(accountId);
  }

  /**
   * Says where a command that timed out was held: still in the mailbox (behind a turn, or while the
   * actor activates) or in the turn in flight (its append had not come back). One line per
   * limits.commandTimeoutWarnIntervalMs at most, with the count of the others since the last one.
   */
  private warnTimedOut(entry: LiveActor, pending: PendingCommand): void {
    this.timeoutWarnings.unreported += 1;
    const now = Date.now();
    if (now - this.timeoutWarnings.lastAt < limits.commandTimeoutWarnIntervalMs) return;
    entry.logger.warn(
      {
        heldIn: entry.turn.includes(pending) ? 'turn' : 'mailbox',
        actorState: String(entry.actor.getSnapshot().value),
        mailboxDepth: entry.mailbox.size,
        commandTimeoutMs: this.deps.commandTimeoutMs,
        timedOutSinceLastWarning: this.timeoutWarnings.unreported,
      },
      'command timed out; its caller was answered 503 command_timeout',
    );
    this.timeoutWarnings.lastAt = now;
    this.timeoutWarnings.unreported = 0;
  }

  private answered(): void {
    this.unanswered -= 1;
    if (this.unanswered > 0) return;
    for (const wake of this.drainWaiters) wake();
    this.drainWaiters.clear();
  }

  /** Runs one turn of `count` queued commands, answers them, and reports the end to the actor. */
  private runTurn(entry: LiveActor, state: AccountState, count: number, turnDeps: TurnDeps): void {
    const turn = entry.mailbox.take(count);
    entry.turn = turn;
    const requests = turn.map((pending) => pending.request);
    let running: Promise<TurnResult>;
    try {
      running = runAccountTurn(turnDeps, state, requests);
    } catch (error) {
      // A synchronous throw fails the turn like a rejection, not the whole actor mid-transition.
      running = Promise.reject(error);
    }
    running.then(
      (result) => {
        this.totals.turns += 1;
        this.totals.commandsProcessed += turn.length;
        this.totals.versionConflicts += result.versionConflicts;
        this.deps.onTurn?.(turn.length, result.appendedEvents);
        this.restarts.succeeded(state.accountId);
        entry.turn = [];
        turn.forEach((pending, index) => pending.reply(result.outcomes[index]!));
        // An actor stopped meanwhile (shutdown) is not told: the registry has answered its commands.
        if (entry.actor.getSnapshot().status === 'active') entry.actor.send({ type: 'TURN_DONE', state: result.state, at: Date.now() });
      },
      (error: unknown) => {
        if (entry.actor.getSnapshot().status === 'active') entry.actor.send({ type: 'TURN_FAILED', error });
      },
    );
  }

  /** The account's live actor, a new one, or null when liveActorsMax are live and none can be evicted. */
  private actorFor(accountId: string): LiveActor | null {
    const existing = this.live.get(accountId);
    if (existing) {
      // Keep the map in least-recently-used order for eviction.
      this.live.delete(accountId);
      this.live.set(accountId, existing);
      return existing;
    }
    if (this.live.size >= this.liveActorsMax && !this.evictOne()) return null;
    return this.spawn(accountId);
  }

  private spawn(accountId: string): LiveActor {
    const actor = createActor(this.machine, { input: { accountId, idleMs: this.deps.idleMs, now: Date.now() } });
    const entry: LiveActor = {
      actor,
      mailbox: new Mailbox(limits.mailboxSizeMax),
      turn: [],
      pending: new Set(),
      logger: this.deps.logger.child({ actor: 'account', accountId }),
    };
    this.live.set(accountId, entry);
    this.totals.activations += 1;
    actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status !== 'done') return;
        if (snapshot.value === 'failed') this.crashed(accountId, entry, snapshot.context.failure);
        else this.retire(accountId, entry, 'passivated');
      },
      error: (error) => this.crashed(accountId, entry, error),
    });
    actor.start();
    return entry;
  }

  private crashed(accountId: string, entry: LiveActor, error: unknown): void {
    this.totals.crashes += 1;
    const restartInMs = this.restarts.failed(accountId);
    entry.logger.error({ err: error, restartInMs }, 'account actor crashed; it is replaced on the next command');
    this.retire(accountId, entry, 'account_unavailable');
  }

  private retire(accountId: string, entry: LiveActor, reason: 'passivated' | 'account_unavailable' | 'shutting_down'): void {
    if (this.live.get(accountId) === entry) this.live.delete(accountId);
    if (reason === 'passivated') {
      this.totals.passivations += 1;
      entry.logger.debug('passivated');
    }
    const outcome: Unavailable = {
      kind: 'unavailable',
      code: reason === 'shutting_down' ? 'shutting_down' : 'account_unavailable',
      detail: 'The account actor stopped before answering; retry with the same Idempotency-Key',
    };
    for (const pending of [...entry.pending]) pending.reply(outcome);
  }

  private stopActor(accountId: string): void {
    const entry = this.live.get(accountId);
    if (!entry) return;
    entry.actor.stop();
    this.retire(accountId, entry, 'shutting_down');
  }

  /** Passivates the least recently used idle actor; false when every live actor is busy. */
  private evictOne(): boolean {
    for (const [accountId, entry] of this.live) {
      if (entry.actor.getSnapshot().matches('idle')) {
        entry.actor.send({ type: 'PASSIVATE' });
        // Passivation is synchronous (idle → passivated, final), and retire removed the entry.
        return this.live.get(accountId) !== entry;
      }
    }
    return false;
  }
}
