// The turn runner's optimistic first attempt: fresh commands append without looking anything up,
// and a repeat (caught by the append's unique keys) or a command that writes nothing (caught before
// answering) still gets the recorded outcome, 422 or 409 exactly as with lookups up front.
import { expect } from 'chai';
import sinon from 'sinon';
import { randomUUID } from 'node:crypto';
import { CommandRequest } from '../../src/app/commandRequest';
import { TurnDeps, runAccountTurn } from '../../src/app/runAccountTurn';
import { limits } from '../../src/config/limits';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { accountStreamId } from '../../src/domain/account/accountEvents';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { outcomeResponse } from '../../src/http/outcomeResponse';
import { StreamAppend } from '../../src/ports/eventStore';
import { accountRequests, recordingTurnDeps, request } from '../support/accountTurn';

const accountId = 'acc-1';

const { open, deposit, withdraw } = accountRequests(accountId);

describe('runAccountTurn', () => {
  let store: MemoryEventStore;
  let deps: TurnDeps;
  let lookups: sinon.SinonSpy;
  let appends: StreamAppend[];
  let state: AccountState;

  beforeEach(async () => {
    store = new MemoryEventStore();
    appends = [];
    deps = recordingTurnDeps(store, (append) => appends.push(append));
    lookups = sinon.spy(store, 'findIdempotency');
    state = initialAccountState(accountId);
    await run([open()]);
    lookups.resetHistory();
    appends = [];
  });
  afterEach(() => sinon.restore());

  async function run(requests: CommandRequest[]) {
    const result = await runAccountTurn(deps, state, requests);
    state = result.state;
    // As the gateway renders them (status and body): what clients and records see.
    return { ...result, outcomes: result.outcomes.map(outcomeResponse) };
  }

  async function eventCount(): Promise<number> {
    return (await store.readStream(accountStreamId(accountId), 0, 1_000)).length;
  }

  it('appends a turn of fresh commands without looking anything up', async () => {
    const result = await run([deposit(10), deposit(20), withdraw(5)]);
    expect(result.outcomes.map((outcome) => outcome.status)).to.deep.equal([201, 201, 201]);
    expect(result.state).to.include({ balance: 25, version: 4 });
    expect(lookups.callCount).to.equal(0);
    expect(appends).to.have.length(1);
  });

  it('replays a repeated key with the original outcome: the append conflicts, then the records are read', async () => {
    const original = deposit(70);
    const first = await run([original]);
    const events = await eventCount();
    const again = await run([{ ...original }]);
    expect(again.outcomes).to.deep.equal(first.outcomes.map((outcome) => ({ ...outcome, replayed: true })));
    expect(again.appendedEvents).to.equal(0);
    expect(await eventCount()).to.equal(events);
    expect(state.balance).to.equal(70);
    expect(lookups.callCount).to.equal(1);
  });

  it('replays a withdrawal retried after it emptied the account (201, not 400 insufficient_funds)', async () => {
    await run([deposit(50)]);
    const original = withdraw(50);
    const first = await run([original]);
    expect(first.outcomes[0]!.status).to.equal(201);
    const again = await run([{ ...original }]);
    expect(again.outcomes).to.deep.equal(first.outcomes.map((outcome) => ({ ...outcome, replayed: true })));
    expect(state.balance).to.equal(0);
  });

  it('replays a repeated OpenAccount (201, not 409 account_already_exists)', async () => {
    const key = randomUUID();
    const other = initialAccountState('acc-2');
    const command: AccountCommand = { type: 'OpenAccount', accountId: 'acc-2', ownerId: 'o', currency: 'USD' };
    const first = await runAccountTurn(deps, other, [request(command, key)]);
    const again = await runAccountTurn(deps, first.state, [request(command, key)]);
    expect(again.outcomes.map(outcomeResponse)).to.deep.equal(first.outcomes.map((outcome) => ({ ...outcomeResponse(outcome), replayed: true })));
  });

  it('answers 422 idempotency_key_reused for the same key with another payload, writing nothing', async () => {
    const key = randomUUID();
    await run([deposit(70, randomUUID(), key)]);
    const events = await eventCount();
    const reused = await run([deposit(71, randomUUID(), key)]);
    expect(reused.outcomes[0]).to.deep.include({ status: 422 });
    expect(reused.outcomes[0]!.body).to.include({ code: 'idempotency_key_reused' });
    expect(await eventCount()).to.equal(events);
    expect(state.balance).to.equal(70);
  });

  it('answers 409 transaction_id_reused for the same transaction id with another movement, even one the decider would reject', async () => {
    const transactionId = randomUUID();
    await run([deposit(500, transactionId)]);
    const events = await eventCount();
    const moved = await run([deposit(501, transactionId)]);
    const overdrawn = await run([withdraw(10_000, transactionId)]);
    for (const result of [moved, overdrawn]) {
      expect(result.outcomes[0]).to.deep.include({ status: 409 });
      expect(result.outcomes[0]!.body).to.include({ code: 'transaction_id_reused' });
    }
    expect(await eventCount()).to.equal(events);
  });

  it('replays a repeated transaction id under a new key without moving money again', async () => {
    const transactionId = randomUUID();
    const first = await run([deposit(500, transactionId)]);
    const again = await run([deposit(500, transactionId)]);
    expect(again.outcomes).to.deep.equal(first.outcomes.map((outcome) => ({ ...outcome, replayed: true })));
    expect(state.balance).to.equal(500);
  });

  it('decides the fresh commands of a turn that also holds a repeat, after one conflict', async () => {
    const repeated = deposit(10);
    await run([repeated]);
    const result = await run([deposit(1), { ...repeated }, deposit(2)]);
    expect(result.outcomes.map((outcome) => outcome.status)).to.deep.equal([201, 201, 201]);
    expect(result.outcomes[1]!.body).to.include({ balance: 10, version: 2 });
    expect(state).to.include({ balance: 13, version: 4 });
    expect(appends).to.have.length(3);
  });

  it('reloads the stream after another writer moved it, then commits', async () => {
    const stale = state;
    await run([deposit(5)]);
    state = stale;
    const result = await run([deposit(7)]);
    expect(result.outcomes[0]!.status).to.equal(201);
    expect(state).to.include({ balance: 12, version: 3 });
  });

  it('gives up with 409 concurrency_conflict after conflictRetriesMax reloads', async () => {
    deps.journal = {
      append: async (append) => {
        appends.push(append);
        return { ok: false, conflict: 'stream_version' };
      },
    };
    const result = await run([deposit(1)]);
    expect(result.outcomes[0]).to.deep.include({ status: 409 });
    expect(result.outcomes[0]!.body).to.include({ code: 'concurrency_conflict' });
    expect(appends).to.have.length(limits.conflictRetriesMax + 1);
    expect(result.versionConflicts, 'every refused append is counted').to.equal(limits.conflictRetriesMax + 1);
  });

  it('counts no version conflict for a repeat caught by its idempotency key', async () => {
    let first = true;
    deps.journal = {
      append: async (append) => {
        appends.push(append);
        if (!first) return { ok: true, lastVersion: append.expectedVersion + append.events.length, globalPositions: [] };
        first = false;
        return { ok: false, conflict: 'idempotency_key' };
      },
    };
    const result = await run([deposit(1)]);
    expect(result.versionConflicts).to.equal(0);
  });
});
