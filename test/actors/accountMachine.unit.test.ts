// The account machine alone, with xstate's pure transition()/initialTransition(): no actor runs and
// no effect executes. Its context is immutable counts (the registry holds the mailbox), so each
// step can be checked from a snapshot: activation, one turn at a time, work that arrives during a
// turn going into the next one (at most turnCommandsMax per turn), passivation only when idle, and
// a failed turn ending in `failed` with its error.
import { expect } from 'chai';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { accountMachine } from '../../actors/account/accountMachine';
import { limits } from '../../src/config/limits';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';

type AccountSnapshot = SnapshotFrom<typeof accountMachine>;
type AccountEventOf = Parameters<typeof transition<typeof accountMachine>>[2];

const input = { accountId: 'a', idleMs: 60_000, now: 1_000 };
const activated: AccountState = { ...initialAccountState('a'), version: 3 };
const activationDone = { type: 'xstate.done.actor.activate', output: activated } as unknown as AccountEventOf;
const activationFailed = { type: 'xstate.error.actor.activate', error: new Error('db down') } as unknown as AccountEventOf;

function step(snapshot: AccountSnapshot, ...events: AccountEventOf[]): [AccountSnapshot, string[]] {
  let current = snapshot;
  let actions: string[] = [];
  for (const event of events) {
    const [next, executed] = transition(accountMachine, current, event);
    current = next;
    actions = executed.map((action) => action.type);
  }
  return [current, actions];
}

const work = (count: number): AccountEventOf[] => Array.from({ length: count }, () => ({ type: 'WORK' }));
const turnDone = (version: number, at: number): AccountEventOf => ({ type: 'TURN_DONE', state: { ...activated, version }, at });

function idle(): AccountSnapshot {
  const [start] = initialTransition(accountMachine, input);
  return step(start, activationDone)[0];
}

describe('account machine (pure transitions)', () => {
  it('starts activating with empty counts and the input clock', () => {
    const [start] = initialTransition(accountMachine, input);
    expect(start.value).to.equal('activating');
    expect(start.context).to.deep.include({ accountId: 'a', state: null, queued: 0, inTurn: 0, commandsProcessed: 0, lastActiveAt: 1_000 });
  });

  it('activates to idle with the loaded state, or straight into a turn when work arrived meanwhile', () => {
    expect(idle().value).to.equal('idle');
    expect(idle().context.state).to.deep.equal(activated);
    const [start] = initialTransition(accountMachine, input);
    const [busy, actions] = step(start, ...work(2), activationDone);
    expect(busy.value).to.equal('processing');
    expect(busy.context).to.include({ queued: 0, inTurn: 2 });
    expect(actions).to.include('startTurn');
  });

  it('takes a turn on work when idle, and returns to idle recording the turn and its time', () => {
    const [busy, started] = step(idle(), { type: 'WORK' });
    // Leaving idle cancels its passivation timer, then the turn starts.
    expect([busy.value, busy.context.inTurn, started]).to.deep.equal(['processing', 1, ['xstate.cancel', 'startTurn']]);
    const [after] = step(busy, turnDone(4, 2_000));
    expect(after.value).to.equal('idle');
    expect(after.context).to.deep.include({ inTurn: 0, queued: 0, commandsProcessed: 1, lastActiveAt: 2_000 });
    expect(after.context.state?.version).to.equal(4);
  });

  it('puts work that arrives during a turn in the next turns, at most turnCommandsMax each, without leaving processing', () => {
    const [busy] = step(idle(), { type: 'WORK' });
    const [waiting, duringTurn] = step(busy, ...work(limits.turnCommandsMax + 3));
    // One turn at a time: work during a turn only counts.
    expect(duringTurn).to.deep.equal([]);
    expect(waiting.context).to.include({ inTurn: 1, queued: limits.turnCommandsMax + 3 });
    const [second, next] = step(waiting, turnDone(4, 2_000));
    expect([second.value, second.context.inTurn, second.context.queued, next]).to.deep.equal(['processing', limits.turnCommandsMax, 3, ['startTurn']]);
    const [third] = step(second, turnDone(4 + limits.turnCommandsMax, 3_000));
    expect(third.context).to.include({ inTurn: 3, queued: 0 });
    const [done] = step(third, turnDone(7 + limits.turnCommandsMax, 4_000));
    expect(done.value).to.equal('idle');
    expect(done.context.commandsProcessed).to.equal(limits.turnCommandsMax + 4);
  });

  it('leaves the snapshot it was given unchanged (immutable context)', () => {
    const before = idle();
    const copy = structuredClone(before.context);
    step(before, ...work(3), turnDone(9, 5_000));
    expect(before.context).to.deep.equal(copy);
    expect(before.value).to.equal('idle');
  });

  it('passivates only when idle', () => {
    const [passivated] = step(idle(), { type: 'PASSIVATE' });
    expect([passivated.value, passivated.status]).to.deep.equal(['passivated', 'done']);
    const [busy] = step(idle(), { type: 'WORK' }, { type: 'PASSIVATE' });
    expect([busy.value, busy.status]).to.deep.equal(['processing', 'active']);
  });

  it('fails with the error of a failed turn or a failed activation, keeping the counts for the registry', () => {
    const error = new Error('connection reset');
    const [failed] = step(idle(), ...work(2), { type: 'TURN_FAILED', error });
    expect([failed.value, failed.status, failed.context.failure]).to.deep.equal(['failed', 'done', error]);
    expect(failed.context).to.include({ inTurn: 1, queued: 1 });
    const [start] = initialTransition(accountMachine, input);
    const [notActivated] = step(start, activationFailed);
    expect([notActivated.value, (notActivated.context.failure as Error).message]).to.deep.equal(['failed', 'db down']);
  });
});
