// Business rejections are decisions like any other: the turn records them under the request's
// Idempotency-Key (never under its transaction id), in its append, checked against the version they
// were decided at. A retry with the same key replays the rejection whatever happened since; the
// transaction id stays free; the first attempt still looks nothing up.
import { expect } from 'chai';
import sinon from 'sinon';
import { randomUUID } from 'node:crypto';
import { CommandRequest } from '../../src/app/commandRequest';
import { TurnDeps, runAccountTurn } from '../../src/app/runAccountTurn';
import { accountStreamId } from '../../src/domain/account/accountEvents';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { outcomeResponse } from '../../src/http/outcomeResponse';
import { StreamAppend } from '../../src/ports/eventStore';
import { accountRequests, recordingTurnDeps } from '../support/accountTurn';

const accountId = 'acc-r';

const { open, deposit, withdraw } = accountRequests(accountId);

describe('recorded business rejections (runAccountTurn)', () => {
  let store: MemoryEventStore;
  let deps: TurnDeps;
  let lookups: sinon.SinonSpy;
  let appends: StreamAppend[];
  let state: AccountState;

  beforeEach(async () => {
    store = new MemoryEventStore();
    appends = [];
    deps = recordingTurnDeps(store, (append) => appends.push(append));
    state = initialAccountState(accountId);
    state = (await runAccountTurn(deps, state, [open()])).state;
    lookups = sinon.spy(store, 'findIdempotency');
    appends = [];
  });
  afterEach(() => sinon.restore());

  async function run(requests: CommandRequest[]) {
    const result = await runAccountTurn(deps, state, requests);
    state = result.state;
    // As the gateway renders them (status and body): what clients and records see.
    return { ...result, outcomes: result.outcomes.map(outcomeResponse) };
  }

  const events = async (id = accountId) => (await store.readStream(accountStreamId(id), 0, 1_000)).map((event) => event.type);

  it('records a rejection on the first attempt (no lookup): one append of zero events and one key', async () => {
    const refused = withdraw(10);
    const result = await run([refused]);
    expect(result.outcomes[0]).to.deep.include({ status: 400 });
    expect(result.outcomes[0]!.body).to.include({ code: 'insufficient_funds' });
    expect(lookups.callCount).to.equal(0);
    expect(appends).to.have.length(1);
    expect(appends[0]).to.deep.include({ expectedVersion: 1, events: [], transactions: [] });
    expect(appends[0]!.idempotency.map((record) => record.key)).to.deep.equal([refused.idempotencyKey]);
    const recorded = (await store.findIdempotency([refused.idempotencyKey])).get(refused.idempotencyKey);
    expect(recorded?.response).to.deep.equal(result.outcomes[0]);
  });

  it('replays the rejection for a retry with the same key after the account could pay: no second decision, no event', async () => {
    const refused = withdraw(50);
    const first = await run([refused]);
    await run([deposit(100)]);
    const again = await run([{ ...refused }]);
    expect(again.outcomes).to.deep.equal([{ ...first.outcomes[0]!, replayed: true }]);
    expect(await events()).to.deep.equal(['AccountCreated', 'MoneyDeposited']);
    expect(state.balance).to.equal(100);
  });

  it('leaves the transaction id free: the same movement under a new key succeeds once it can', async () => {
    const transactionId = randomUUID();
    expect((await run([withdraw(50, transactionId)])).outcomes[0]!.status).to.equal(400);
    expect((await store.findTransactions([transactionId])).size).to.equal(0);
    await run([deposit(100)]);
    const paid = await run([withdraw(50, transactionId)]);
    expect(paid.outcomes[0]!.status).to.equal(201);
    expect(state.balance).to.equal(50);
  });

  it('replays a withdrawal retried under a new key after it emptied the account (201, not a recorded 400)', async () => {
    await run([deposit(50)]);
    const transactionId = randomUUID();
    const original = await run([withdraw(50, transactionId)]);
    lookups.resetHistory();
    const retry = withdraw(50, transactionId);
    const again = await run([retry]);
    expect(again.outcomes).to.deep.equal([{ ...original.outcomes[0]!, replayed: true }]);
    // The first attempt decided insufficient_funds; the append found the id taken and the turn looked up.
    expect(lookups.callCount).to.equal(1);
    expect((await store.findIdempotency([retry.idempotencyKey])).size, 'no rejection recorded under the new key').to.equal(0);
    expect(state.balance).to.equal(0);
  });

  it('answers 409 transaction_id_reused (not a recorded rejection) for a rejected movement reusing a taken id', async () => {
    const transactionId = randomUUID();
    await run([deposit(5, transactionId)]);
    const overdrawn = withdraw(10_000, transactionId);
    const result = await run([overdrawn]);
    expect(result.outcomes[0]!.body).to.include({ status: 409, code: 'transaction_id_reused' });
    expect((await store.findIdempotency([overdrawn.idempotencyKey])).size).to.equal(0);
  });

  it('decides again when the stream moved since the rejection was decided (the zero-event append is version-checked)', async () => {
    const stale = state;
    await run([deposit(100)]);
    state = stale;
    const refusedAtStale = withdraw(60);
    const result = await run([refusedAtStale]);
    expect(result.outcomes[0]!.status).to.equal(201);
    expect(appends.filter((append) => append.events.length === 0)).to.have.length(1);
    expect(state).to.include({ balance: 40, version: 3 });
  });

  it('records account_not_found without creating the stream, and replays it after the account is opened', async () => {
    const ghost = `ghost-${randomUUID()}`;
    const toGhost = deposit(5, randomUUID(), randomUUID(), ghost);
    const first = await runAccountTurn(deps, initialAccountState(ghost), [toGhost]);
    expect(outcomeResponse(first.outcomes[0]!).body).to.include({ status: 404, code: 'account_not_found' });
    expect(await store.streamVersion(accountStreamId(ghost))).to.equal(0);
    expect([...store.outboxTable.rows.values()].flatMap((row) => row.events).filter((event) => event.streamId === accountStreamId(ghost))).to.have.length(0);
    expect((await store.findIdempotency([toGhost.idempotencyKey])).size).to.equal(1);
    const opened = await runAccountTurn(deps, initialAccountState(ghost), [open(undefined, ghost)]);
    const again = await runAccountTurn(deps, opened.state, [{ ...toGhost }]);
    expect(again.outcomes.map(outcomeResponse)).to.deep.equal([{ ...outcomeResponse(first.outcomes[0]!), replayed: true }]);
    expect(await events(ghost)).to.deep.equal(['AccountCreated']);
  });

  it('replays a rejection repeated inside the same turn from the record the turn writes', async () => {
    const refused = withdraw(10);
    const result = await run([refused, { ...refused }]);
    expect(result.outcomes[1]).to.deep.equal({ ...result.outcomes[0]!, replayed: true });
    expect(appends).to.have.length(1);
    expect(appends[0]!.idempotency).to.have.length(1);
  });
});
