// The transfer machine alone, with xstate's pure transition()/initialTransition(): loading, a move
// that advances, transient failures backing off (doubling, from context) until the attempts run
// out, then abandon (hold, credit) or park (capture, release), a move that throws (a programmer
// error) ending in `crashed`, and a load that finds nothing to drive ending in `elsewhere`.
import { expect } from 'chai';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { transferMachine } from '../../actors/transfer/transferMachine';
import { Move } from '../../src/app/transfers/advanceTransfer';
import { TransferState, initialTransferState } from '../../src/domain/transfer/transferState';

type TransferSnapshot = SnapshotFrom<typeof transferMachine>;
type TransferEventOf = Parameters<typeof transition<typeof transferMachine>>[2];

const retry = { attemptsMax: 3, backoffBaseMs: 100, backoffMaxMs: 150 };
const pending = (stage: TransferState['stage']): TransferState => ({ ...initialTransferState('t1'), status: 'PENDING', stage, version: 1 });
const completed: TransferState = { ...initialTransferState('t1'), status: 'COMPLETED', stage: null, version: 4 };

/** The done / error event of the invoked effect currently running (xstate names it by the invoke's id). */
function effectDone(snapshot: TransferSnapshot, output: TransferState | Move | null): TransferEventOf {
  return { type: `xstate.done.actor.${invokeId(snapshot)}`, output } as unknown as TransferEventOf;
}
function effectError(snapshot: TransferSnapshot, error: unknown): TransferEventOf {
  return { type: `xstate.error.actor.${invokeId(snapshot)}`, error } as unknown as TransferEventOf;
}
function invokeId(snapshot: TransferSnapshot): string {
  const [id] = Object.keys(snapshot.children);
  if (id === undefined) throw new Error(`no effect runs in ${String(snapshot.value)}`);
  return id;
}

function start(stage: TransferState['stage'] = 'hold'): TransferSnapshot {
  const [loading] = initialTransition(transferMachine, { transferId: 't1', retry });
  return transition(transferMachine, loading, effectDone(loading, pending(stage)))[0];
}

const backoffEnded = { type: 'xstate.after.backoff.transfer.backingOff' } as unknown as TransferEventOf;
const transient: Move = { kind: 'transient', detail: '503 command_timeout' };
/** The delay xstate scheduled on entering backingOff (the `after` timer's raise action). */
function scheduledDelay(actions: Array<{ type: string; params?: unknown }>): unknown {
  const raise = actions.find((action) => action.type === 'xstate.raise');
  return (raise?.params as { delay?: unknown } | undefined)?.delay;
}

describe('transfer machine (pure transitions)', () => {
  it('loads, then moves while the transfer is pending and stops in done once it is terminal', () => {
    const moving = start();
    expect(moving.value).to.equal('moving');
    expect(moving.context.state?.stage).to.equal('hold');
    const [next] = transition(transferMachine, moving, effectDone(moving, { kind: 'moved', state: pending('credit') }));
    expect([next.value, next.context.state?.stage, next.context.attempts]).to.deep.equal(['moving', 'credit', 0]);
    const [done] = transition(transferMachine, next, effectDone(next, { kind: 'moved', state: completed }));
    expect([done.value, done.status]).to.deep.equal(['done', 'done']);
  });

  it('stops in elsewhere when the load finds nothing to drive here', () => {
    const [loading] = initialTransition(transferMachine, { transferId: 't1', retry });
    const [elsewhere] = transition(transferMachine, loading, effectDone(loading, null));
    expect([elsewhere.value, elsewhere.status]).to.deep.equal(['elsewhere', 'done']);
  });

  it('backs off after a transient failure, doubling from the base up to the max, and keeps the last error', () => {
    const moving = start();
    const [first, firstActions] = transition(transferMachine, moving, effectDone(moving, transient));
    expect([first.value, first.context.attempts, first.context.lastError]).to.deep.equal(['backingOff', 1, '503 command_timeout']);
    expect(scheduledDelay(firstActions)).to.equal(100);
    // The backoff ends (xstate's delayed event), the step is asked again and fails again: two
    // failures would wait 200, capped at the max of 150.
    const [again] = transition(transferMachine, first, backoffEnded);
    expect(again.value).to.equal('moving');
    const [second, secondActions] = transition(transferMachine, again, effectDone(again, transient));
    expect([second.value, second.context.attempts]).to.deep.equal(['backingOff', 2]);
    expect(scheduledDelay(secondActions)).to.equal(150);
  });

  it('abandons a hold or credit step whose attempts ran out, parks a capture or release step', () => {
    for (const [stage, end] of [['hold', 'abandoning'], ['credit', 'abandoning'], ['capture', 'parked'], ['release', 'parked']] as const) {
      const moving = start(stage);
      const exhausted = { ...moving, context: { ...moving.context, attempts: retry.attemptsMax - 1 } } as TransferSnapshot;
      const [after] = transition(transferMachine, exhausted, effectDone(moving, transient));
      expect(after.value, stage).to.equal(end);
    }
  });

  it('crashes on a move that throws (a programmer error) instead of backing off', () => {
    const moving = start();
    const error = new Error('a broken invariant');
    const [crashed] = transition(transferMachine, moving, effectError(moving, error));
    expect([crashed.value, crashed.status, crashed.context.failure, crashed.context.attempts]).to.deep.equal(['crashed', 'done', error, 0]);
  });

  it('ends in failed when the load throws', () => {
    const [loading] = initialTransition(transferMachine, { transferId: 't1', retry });
    const error = new Error('db down');
    const [failed] = transition(transferMachine, loading, effectError(loading, error));
    expect([failed.value, failed.context.failure]).to.deep.equal(['failed', error]);
  });
});
