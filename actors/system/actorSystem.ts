// The actor system (registry): spawns an account actor on the first command for its account,
// caps and passivates live actors, replaces crashed ones, and never strands a caller: every command
// is answered by its actor, by a crash (503 account_unavailable) or by its timeout (503).
import { createActor, fromPromise, type Actor } from 'xstate';
import { limits } from '../../src/config/limits';
import { AccountState, accountSnapshotSchemaVersion } from '../../src/domain/account/accountState';
import { accountStreamId } from '../../src/domain/account/accountEvents';
import { activateAccount } from '../../src/app/activateAccount';
import { CommandOutcome, CommandRequest } from '../../src/app/commandRequest';
import { problemResponse } from '../../src/app/problem';
import { TurnDeps, runAccountTurn } from '../../src/app/runAccountTurn';
import { EventStore } from '../../src/ports/eventStore';
import { SnapshotStore } from '../../src/ports/snapshotStore';
import { AccountMachine, accountMachine, turnRunner } from '../account/accountMachine';
import { PendingCommand } from '../account/pendingCommand';
import { Logger } from '../../src/infra/logger';

export interface ActorSystemDeps {
  store: Pick<EventStore, 'findIdempotency' | 'findTransactions' | 'readStream'>;
  snapshots: SnapshotStore;
  journal: TurnDeps['journal'];
  newId: () => string;
  now: () => string;
  idleMs: number;
  snapshotIntervalVersions: number;
  commandTimeoutMs?: number;
  logger: Logger;
  /** Observability hook: called once per committed turn. */
  onTurn?: (commands: number, events: number) => void;
}

interface LiveActor {
  actor: Actor<AccountMachine>;
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
}

export interface LiveActorInfo {
  accountId: string;
  state: string;
  version: number | null;
  mailboxDepth: number;
  lastActiveAt: string;
  commandsProcessed: number;
}

export class ActorSystem {
  private readonly live = new Map<string, LiveActor>();
  private readonly totals = { activations: 0, passivations: 0, crashes: 0, commandsProcessed: 0, turns: 0, versionConflicts: 0 };
  private readonly machine: AccountMachine;

  constructor(private readonly deps: ActorSystemDeps) {
    const turnDeps: TurnDeps = {
      store: deps.store,
      journal: deps.journal,
      newId: deps.newId,
      now: deps.now,
      committed: (before, after) => this.maybeSnapshot(before, after),
    };
    this.machine = accountMachine.provide({
      actors: {
        activate: fromPromise<AccountState, { accountId: string }>(({ input }) =>
          activateAccount(input.accountId, deps.store, deps.snapshots),
        ),
      },
      actions: {
        startTurn: turnRunner(async (state, turn) => {
          const result = await runAccountTurn(turnDeps, state, turn.map((pending) => pending.request));
          this.totals.turns += 1;
          this.totals.commandsProcessed += turn.length;
          this.totals.versionConflicts += result.versionConflicts;
          deps.onTurn?.(turn.length, result.appendedEvents);
          return result;
        }),
      },
    });
  }

  /** Routes a command to its account's actor and resolves with its outcome. Never rejects. */
  dispatch(request: CommandRequest): Promise<CommandOutcome> {
    return new Promise((resolve) => {
      const entry = this.actorFor(request.command.accountId);
      let answered = false;
      const pending: PendingCommand = {
        request,
        reply: (outcome) => {
          if (answered) return;
          answered = true;
          clearTimeout(timer);
          entry.pending.delete(pending);
          resolve(outcome);
        },
      };
      const timeoutMs = this.deps.commandTimeoutMs ?? limits.commandTimeoutMs;
      const timer = setTimeout(
        () => pending.reply(problemResponse(503, 'command_timeout', `No outcome within ${timeoutMs} ms; retry with the same Idempotency-Key to learn it`)),
        timeoutMs,
      );
      entry.pending.add(pending);
      entry.actor.send({ type: 'COMMAND', pending });
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
    return [...this.live.entries()].map(([accountId, { actor }]) => {
      const snapshot = actor.getSnapshot();
      return {
        accountId,
        state: String(snapshot.value),
        version: snapshot.context.state?.version ?? null,
        mailboxDepth: snapshot.context.mailbox.size + snapshot.context.turn.length,
        lastActiveAt: new Date(snapshot.context.lastActiveAt).toISOString(),
        commandsProcessed: snapshot.context.commandsProcessed,
      };
    });
  }

  /** Commands accepted but not yet answered, across every actor. */
  pendingCommands(): number {
    let count = 0;
    for (const entry of this.live.values()) count += entry.pending.size;
    return count;
  }

  /** Waits (bounded) until no command is pending, then stops every actor. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pendingCommands() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const accountId of [...this.live.keys()]) this.stopActor(accountId, 'shutting_down');
  }

  private actorFor(accountId: string): LiveActor {
    const existing = this.live.get(accountId);
    if (existing) {
      // Keep the map in least-recently-used order for eviction.
      this.live.delete(accountId);
      this.live.set(accountId, existing);
      return existing;
    }
    if (this.live.size >= limits.liveActorsMax) this.evictOne();
    return this.spawn(accountId);
  }

  private spawn(accountId: string): LiveActor {
    const actor = createActor(this.machine, { input: { accountId, idleMs: this.deps.idleMs, now: Date.now() } });
    const entry: LiveActor = { actor, pending: new Set(), logger: this.deps.logger.child({ actor: 'account', accountId }) };
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
    entry.logger.error({ err: error }, 'account actor crashed; it is replaced on the next command');
    this.retire(accountId, entry, 'account_unavailable');
  }

  private retire(accountId: string, entry: LiveActor, reason: 'passivated' | 'account_unavailable' | 'shutting_down'): void {
    if (this.live.get(accountId) === entry) this.live.delete(accountId);
    if (reason === 'passivated') {
      this.totals.passivations += 1;
      entry.logger.debug('passivated');
    }
    const outcome = problemResponse(503, reason === 'shutting_down' ? 'shutting_down' : 'account_unavailable', 'The account actor stopped before answering; retry with the same Idempotency-Key');
    for (const pending of [...entry.pending]) pending.reply(outcome);
  }

  private stopActor(accountId: string, reason: 'shutting_down'): void {
    const entry = this.live.get(accountId);
    if (!entry) return;
    entry.actor.stop();
    this.retire(accountId, entry, reason);
  }

  private evictOne(): void {
    for (const entry of this.live.values()) {
      if (entry.actor.getSnapshot().matches('idle')) {
        entry.actor.send({ type: 'PASSIVATE' });
        return;
      }
    }
  }

  private maybeSnapshot(before: AccountState, after: AccountState): void {
    const interval = this.deps.snapshotIntervalVersions;
    if (Math.floor(before.version / interval) === Math.floor(after.version / interval)) return;
    const snapshot = {
      streamId: accountStreamId(after.accountId),
      version: after.version,
      schemaVersion: accountSnapshotSchemaVersion,
      state: { ...after } as unknown as Record<string, unknown>,
      createdAt: this.deps.now(),
    };
    this.deps.snapshots.save(snapshot).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, accountId: after.accountId }, 'snapshot save failed; the stream remains the source of truth');
    });
  }
}
