// An account actor's bounded command queue. The registry owns it (one per live actor, beside the
// actor, never in its xstate context) and mutates it in place: copying an immutable array on every
// command made enqueueing O(depth), which a hot account with a deep mailbox paid on each of its
// commands. The machine sees only counts (WORK per queued command).
import assert from 'node:assert/strict';
import { CommandRequest } from '../../src/app/commandRequest';
import { CommandOutcome } from '../../src/ports/commandOutcome';

/** A command waiting in an account's mailbox (held by the registry), with the callback that answers its caller. */
export interface PendingCommand {
  request: CommandRequest;
  reply: (outcome: CommandOutcome) => void;
}

export class Mailbox {
  private queued: PendingCommand[] = [];

  constructor(private readonly sizeMax: number) {
    assert.ok(Number.isInteger(sizeMax) && sizeMax > 0, 'a mailbox must hold at least one command');
  }

  get size(): number {
    return this.queued.length;
  }

  get isFull(): boolean {
    return this.queued.length >= this.sizeMax;
  }

  /** Queues a command at the back. The caller answers mailbox_full first; queueing past the bound is a bug. */
  push(pending: PendingCommand): void {
    assert.ok(!this.isFull, 'mailbox is full; the registry must answer mailbox_full instead of queueing');
    this.queued.push(pending);
  }

  /** Removes and returns up to `countMax` commands from the front, in arrival order. */
  take(countMax: number): PendingCommand[] {
    assert.ok(countMax > 0, 'a turn takes at least one command');
    // The usual case takes everything: hand over the array instead of copying it.
    if (this.queued.length <= countMax) {
      const all = this.queued;
      this.queued = [];
      return all;
    }
    return this.queued.splice(0, countMax);
  }
}
