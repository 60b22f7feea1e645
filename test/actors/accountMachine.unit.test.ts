// The account machine alone, with a turn runner the test settles by hand: turns run one at a time,
// commands queued during a turn go in the next one (up to the turn bound), replies keep order, and a
// failed turn ends the actor in `failed` with the error.
import { expect } from 'chai';
import { createActor, fromPromise, waitFor } from 'xstate';
import { accountMachine, turnRunner } from '../../actors/account/accountMachine';
import { PendingCommand } from '../../actors/account/pendingCommand';
import { CommandOutcome, CommandRequest } from '../../src/app/commandRequest';
import { TurnResult } from '../../src/app/runAccountTurn';
import { limits } from '../../src/config/limits';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';

const waitMs = 2_000;

interface HeldTurn {
  commands: PendingCommand[];
  settle: (result: Promise<TurnResult>) => void;
}

/** An account actor whose turns wait in `turns` until the test settles them. */
function heldActor(run?: (state: AccountState, turn: PendingCommand[]) => Promise<TurnResult>) {
  const turns: HeldTurn[] = [];
  const machine = accountMachine.provide({
    actors: { activate: fromPromise(async ({ input }: { input: { accountId: string } }) => initialAccountState(input.accountId)) },
    actions: {
      startTurn: turnRunner(
        run ??
          ((_, commands) =>
            new Promise<TurnResult>((resolve, reject) => {
              turns.push({ commands, settle: (result) => result.then(resolve, reject) });
            })),
      ),
    },
  });
  const actor = createActor(machine, { input: { accountId: 'a', idleMs: 60_000, now: 0 } });
  actor.start();
  const replies: string[] = [];
  const send = (key: string) => {
    const request = { idempotencyKey: key } as CommandRequest;
    actor.send({ type: 'COMMAND', pending: { request, reply: (outcome: CommandOutcome) => replies.push(`${key}:${String(outcome.body.key ?? outcome.body.code)}`) } });
  };
  return { actor, turns, replies, send };
}

/** A turn that answers each command with its own key, so a misrouted reply shows. */
function answered(turn: HeldTurn, version: number): Promise<TurnResult> {
  const state = { ...initialAccountState('a'), version };
  const outcomes = turn.commands.map((command) => ({ status: 201, body: { key: command.request.idempotencyKey } }));
  return Promise.resolve({ state, outcomes, appendedEvents: outcomes.length, versionConflicts: 0 });
}

const turnSizes = (turns: HeldTurn[]) => turns.map((turn) => turn.commands.length);

describe('account machine', () => {
  it('activates to idle, runs a turn in processing and returns to idle', async () => {
    const { actor, turns, send, replies } = heldActor();
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    send('k1');
    expect(actor.getSnapshot().value).to.equal('processing');
    await waitFor(actor, () => turns.length === 1, { timeout: waitMs });
    turns[0]!.settle(answered(turns[0]!, 1));
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    expect(replies).to.deep.equal(['k1:k1']);
    expect(actor.getSnapshot().context).to.include({ commandsProcessed: 1 });
    expect(actor.getSnapshot().context.state?.version).to.equal(1);
    actor.stop();
  });

  it('puts commands queued during a turn in the next turn, at most turnCommandsMax per turn, replies in order', async () => {
    const { actor, turns, send, replies } = heldActor();
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    send('k0');
    await waitFor(actor, () => turns.length === 1, { timeout: waitMs });
    const queued = limits.turnCommandsMax + 3;
    for (let i = 1; i <= queued; i += 1) send(`k${i}`);
    // One turn at a time: nothing else started while the first is in flight.
    expect(turnSizes(turns)).to.deep.equal([1]);
    for (let index = 0; index < 3; index += 1) {
      await waitFor(actor, () => turns.length === index + 1, { timeout: waitMs });
      turns[index]!.settle(answered(turns[index]!, index + 1));
    }
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    expect(turnSizes(turns)).to.deep.equal([1, limits.turnCommandsMax, 3]);
    expect(replies).to.deep.equal(Array.from({ length: queued + 1 }, (_, i) => `k${i}:k${i}`));
    expect(actor.getSnapshot().context.commandsProcessed).to.equal(queued + 1);
    actor.stop();
  });

  it('answers mailbox_full past mailboxSizeMax while a turn is in flight, and queues again once drained', async () => {
    const { actor, turns, send, replies } = heldActor();
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    send('first');
    for (let i = 0; i < limits.mailboxSizeMax; i += 1) send(`q${i}`);
    send('over');
    expect(replies).to.deep.equal(['over:mailbox_full']);
    expect(actor.getSnapshot().context.mailbox.size).to.equal(limits.mailboxSizeMax);
    turns[0]!.settle(answered(turns[0]!, 1));
    await waitFor(actor, () => turns.length === 2, { timeout: waitMs });
    send('later');
    expect(replies.at(-1)).to.equal('first:first');
    expect(actor.getSnapshot().context.mailbox.size).to.equal(limits.mailboxSizeMax - limits.turnCommandsMax + 1);
    actor.stop();
  });

  it('moves to failed with the turn error and keeps the queued commands for the system to fail', async () => {
    const { actor, turns, send, replies } = heldActor();
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    send('k1');
    send('k2');
    const error = new Error('connection reset');
    turns[0]!.settle(Promise.reject(error));
    const done = await waitFor(actor, (snapshot) => snapshot.status === 'done', { timeout: waitMs });
    expect(done.value).to.equal('failed');
    expect(done.context.failure).to.equal(error);
    expect(replies).to.deep.equal([]);
    expect(done.context.turn.map((pending) => pending.request.idempotencyKey)).to.deep.equal(['k1']);
    expect(done.context.mailbox.size).to.equal(1);
  });

  it('fails the same way when the turn runner throws synchronously', async () => {
    const error = new Error('bad state');
    const { actor, send } = heldActor(() => {
      throw error;
    });
    await waitFor(actor, (snapshot) => snapshot.matches('idle'), { timeout: waitMs });
    send('k1');
    const done = await waitFor(actor, (snapshot) => snapshot.status === 'done', { timeout: waitMs });
    expect([done.value, done.context.failure]).to.deep.equal(['failed', error]);
  });
});
