// The command port in front of the actors, with a dispatch the test answers by hand: a retry while
// the original runs waits for it and replays it, a reused key with another payload is refused, and
// nothing new is dispatched after shutdown began or past the in-flight bound.
import { expect } from 'chai';
import { CommandBus } from '../../src/app/commandBus';
import { CommandRequest } from '../../src/app/commandRequest';
import { CommandOutcome } from '../../src/ports/commandOutcome';

function deposit(idempotencyKey: string, requestHash = `hash-${idempotencyKey}`): CommandRequest {
  return {
    command: { type: 'DepositMoney', accountId: 'acc-1', amount: 100, currency: 'EUR', transactionId: `tx-${idempotencyKey}` },
    idempotencyKey,
    requestHash,
    operation: 'account.deposit',
    correlationId: idempotencyKey,
  };
}

const accepted: CommandOutcome = { kind: 'accepted', command: 'DepositMoney', view: { balance: 100 }, version: 2 };

/** A dispatch whose commands stay running until the test answers them. */
function heldDispatch(): { dispatch: (request: CommandRequest) => Promise<CommandOutcome>; keys: string[]; answerAll: () => void } {
  const keys: string[] = [];
  const answers: Array<() => void> = [];
  return {
    keys,
    dispatch: (request) => new Promise((resolve) => {
      keys.push(request.idempotencyKey);
      answers.push(() => resolve(accepted));
    }),
    answerAll: () => answers.splice(0).forEach((answer) => answer()),
  };
}

describe('CommandBus', () => {
  it('dispatches a retry that arrives while the original runs once, and answers it with the original as a replay', async () => {
    const held = heldDispatch();
    const bus = new CommandBus(held.dispatch);
    const original = bus.execute(deposit('k1'));
    const retry = bus.execute(deposit('k1'));
    expect([held.keys, bus.inFlightCount()]).to.deep.equal([['k1'], 1]);
    held.answerAll();
    expect(await original).to.deep.equal(accepted);
    expect(await retry).to.deep.equal({ kind: 'replayed', original: accepted });
    expect(bus.inFlightCount()).to.equal(0);
  });

  it('refuses the key in flight with another payload as idempotency_key_reused, dispatching nothing', async () => {
    const held = heldDispatch();
    const bus = new CommandBus(held.dispatch);
    void bus.execute(deposit('k1'));
    const reused = await bus.execute(deposit('k1', 'another-hash'));
    expect(reused).to.include({ kind: 'rejected', code: 'idempotency_key_reused' });
    expect(held.keys).to.deep.equal(['k1']);
  });

  it('answers shutting_down for a new command once it stops accepting, and still replays one in flight', async () => {
    const held = heldDispatch();
    const bus = new CommandBus(held.dispatch);
    const running = bus.execute(deposit('k1'));
    bus.stopAccepting();
    expect(await bus.execute(deposit('k2'))).to.include({ kind: 'unavailable', code: 'shutting_down' });
    const retry = bus.execute(deposit('k1'));
    held.answerAll();
    expect([await running, await retry]).to.deep.equal([accepted, { kind: 'replayed', original: accepted }]);
    expect(held.keys).to.deep.equal(['k1']);
  });

  it('answers node_overloaded past its in-flight bound without dispatching, and takes commands again once one ends', async () => {
    const held = heldDispatch();
    const bus = new CommandBus(held.dispatch, 2);
    void bus.execute(deposit('k1'));
    void bus.execute(deposit('k2'));
    const refused = await bus.execute(deposit('k3'));
    expect(refused).to.include({ kind: 'unavailable', code: 'node_overloaded' });
    expect(held.keys).to.deep.equal(['k1', 'k2']);
    held.answerAll();
    await new Promise((resolve) => setImmediate(resolve));
    void bus.execute(deposit('k3'));
    expect(held.keys).to.deep.equal(['k1', 'k2', 'k3']);
  });
});
