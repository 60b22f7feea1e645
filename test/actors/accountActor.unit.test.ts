// The account actor and its system on the in-memory store: ordering, group commit, mailbox bound,
// passivation (fake timers), crash and replacement, conflict-reload and command timeout.
import { expect } from 'chai';
import sinon from 'sinon';
import { randomUUID } from 'node:crypto';
import { ActorSystem, ActorSystemDeps } from '../../actors/system/actorSystem';
import { CommandOutcome, CommandRequest } from '../../src/app/commandRequest';
import { JournalWriter } from '../../src/app/journalWriter';
import { limits } from '../../src/config/limits';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { createLogger } from '../../src/infra/logger';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemorySnapshotStore } from '../../src/infra/memory/memorySnapshotStore';
import { EventStore } from '../../src/ports/eventStore';

function request(command: AccountCommand): CommandRequest {
  const key = randomUUID();
  return { command, idempotencyKey: key, requestHash: key, operation: command.type, correlationId: key };
}
const open = (accountId: string) => request({ type: 'OpenAccount', accountId, ownerId: 'o', currency: 'USD' });
const deposit = (accountId: string, amount: number) =>
  request({ type: 'DepositMoney', accountId, amount, currency: 'USD', transactionId: randomUUID() });

/** A gate that holds appends until released, to make group commit observable. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

/** Stubs the store so every append waits for the gate (sinon.restore() in afterEach undoes it). */
function holdAppends(store: MemoryEventStore): ReturnType<typeof gate> {
  const hold = gate();
  const append = store.appendBatch.bind(store);
  sinon.stub(store, 'appendBatch').callsFake(async (appends) => {
    await hold.opened;
    return append(appends);
  });
  return hold;
}

describe('account actor system', () => {
  let store: MemoryEventStore;
  let snapshots: MemorySnapshotStore;
  let system: ActorSystem;

  function build(overrides: Partial<ActorSystemDeps> = {}, eventStore: EventStore = store): ActorSystem {
    return new ActorSystem({
      store: eventStore,
      snapshots,
      journal: new JournalWriter(eventStore, 1),
      newId: randomUUID,
      now: () => new Date().toISOString(),
      idleMs: 60_000,
      snapshotIntervalVersions: 50,
      logger: createLogger('silent'),
      ...overrides,
    });
  }

  beforeEach(() => {
    store = new MemoryEventStore();
    snapshots = new MemorySnapshotStore();
    system = build();
  });
  afterEach(async () => {
    sinon.restore();
    await system.drain(1_000);
  });

  it('processes one account’s commands in arrival order', async () => {
    expect((await system.dispatch(open('a'))).status).to.equal(201);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => system.dispatch(deposit('a', i + 1))));
    expect(outcomes.map((o) => o.body.version)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 2));
    // Balance after each deposit is the running sum in send order.
    let sum = 0;
    expect(outcomes.map((o) => o.body.balance)).to.deep.equal(outcomes.map((_, i) => (sum += i + 1)));
  });

  it('group-commits the commands that queue while an append is in flight into one transaction', async () => {
    await system.dispatch(open('a'));
    const hold = gate();
    const append = store.appendBatch.bind(store);
    const batches: number[] = [];
    sinon.stub(store, 'appendBatch').callsFake(async (appends) => {
      batches.push(appends[0]!.events.length);
      if (batches.length === 1) await hold.opened;
      return append(appends);
    });
    const first = system.dispatch(deposit('a', 1));
    await waitUntil(() => batches.length === 1);
    const rest = Array.from({ length: 10 }, () => system.dispatch(deposit('a', 1)));
    hold.release();
    const outcomes = await Promise.all([first, ...rest]);
    expect(outcomes.every((o) => o.status === 201)).to.equal(true);
    expect(batches).to.deep.equal([1, 10]);
  });

  it('answers 503 mailbox_full past the mailbox bound instead of queueing without limit', async () => {
    await system.dispatch(open('a'));
    const hold = holdAppends(store);
    const inFlight = system.dispatch(deposit('a', 1));
    await waitUntil(() => system.actors()[0]?.state === 'processing');
    const queued = Array.from({ length: limits.mailboxSizeMax }, () => system.dispatch(deposit('a', 1)));
    const refused = await Promise.all(Array.from({ length: 3 }, () => system.dispatch(deposit('a', 1))));
    expect(refused.map((o) => [o.status, o.body.code])).to.deep.equal(Array(3).fill([503, 'mailbox_full']));
    hold.release();
    const accepted = await Promise.all([inFlight, ...queued]);
    expect(accepted.every((o) => o.status === 201)).to.equal(true);
  });

  it('reports the turn in flight plus the queued commands as the actor’s mailbox depth', async () => {
    await system.dispatch(open('a'));
    const hold = holdAppends(store);
    const inFlight = system.dispatch(deposit('a', 1));
    await waitUntil(() => system.actors()[0]?.state === 'processing');
    const queued = Array.from({ length: 4 }, () => system.dispatch(deposit('a', 1)));
    expect(system.actors()[0]).to.include({ state: 'processing', mailboxDepth: 5 });
    hold.release();
    await Promise.all([inFlight, ...queued]);
    expect(system.actors()[0]).to.include({ state: 'idle', mailboxDepth: 0, commandsProcessed: 6 });
  });

  it('passivates an idle actor after ACCOUNT_IDLE_MS and reactivates it from the store', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    system = build({ idleMs: 5_000 });
    await system.dispatch(open('a'));
    await system.dispatch(deposit('a', 40));
    expect(system.stats()).to.include({ live: 1, passivations: 0 });
    await clock.tickAsync(4_999);
    expect(system.stats().live).to.equal(1);
    await clock.tickAsync(2);
    expect(system.stats()).to.include({ live: 0, passivations: 1 });
    const again = await system.dispatch(deposit('a', 2));
    expect(again.body).to.include({ version: 3, balance: 42 });
    expect(system.stats()).to.include({ live: 1, activations: 2 });
  });

  it('restores from a snapshot plus tail, and ignores a snapshot of an unknown schema', async () => {
    system = build({ snapshotIntervalVersions: 3 });
    await system.dispatch(open('a'));
    for (let i = 0; i < 4; i += 1) await system.dispatch(deposit('a', 10));
    await waitUntil(async () => (await snapshots.load('account-a')) !== null);
    expect((await snapshots.load('account-a'))!.version).to.equal(3);
    expect(system.passivate('a')).to.equal(true);
    await waitUntil(() => system.stats().live === 0);
    const read = sinon.spy(store, 'readStream');
    expect((await system.dispatch(deposit('a', 1))).body).to.include({ version: 6, balance: 41 });
    expect(read.firstCall.args[1]).to.equal(3);
    await snapshots.save({ streamId: 'account-a', version: 6, schemaVersion: 999, state: { bogus: true }, createdAt: new Date().toISOString() });
    system.passivate('a');
    await waitUntil(() => system.stats().live === 0);
    expect((await system.dispatch(deposit('a', 1))).body).to.include({ version: 7, balance: 42 });
  });

  it('fails the commands a crashed actor held (503) and replaces it on the next command', async () => {
    await system.dispatch(open('a'));
    const append = store.appendBatch.bind(store);
    const stub = sinon.stub(store, 'appendBatch').rejects(new Error('connection reset'));
    const failed = await Promise.all([system.dispatch(deposit('a', 5)), system.dispatch(deposit('a', 6))]);
    expect(failed.map((o) => [o.status, o.body.code])).to.deep.equal([
      [503, 'account_unavailable'],
      [503, 'account_unavailable'],
    ]);
    expect(system.stats().crashes).to.be.greaterThan(0);
    stub.callsFake(append);
    const after = await system.dispatch(deposit('a', 7));
    expect(after.body).to.include({ status: 'ACTIVE', version: 2, balance: 7 });
  });

  it('fails commands whose actor cannot activate, then recovers', async () => {
    const read = store.readStream.bind(store);
    const stub = sinon.stub(store, 'readStream').rejects(new Error('db down'));
    expect((await system.dispatch(open('a'))).body.code).to.equal('account_unavailable');
    stub.callsFake(read);
    expect((await system.dispatch(open('a'))).status).to.equal(201);
  });

  it('reloads and retries when another node wrote the stream (expected-version conflict)', async () => {
    await system.dispatch(open('a'));
    await system.dispatch(deposit('a', 10));
    // Another node appends version 3 behind this actor's back.
    const other = build();
    await store.appendBatch([
      {
        streamId: 'account-a',
        expectedVersion: 2,
        topic: 'acta.account',
        events: [
          {
            eventId: randomUUID(),
            type: 'MoneyDeposited',
            data: { accountId: 'a', amount: 100, currency: 'USD', transactionId: 'elsewhere' },
            metadata: { commandId: 'k', correlationId: 'c', causationId: null },
            occurredAt: new Date().toISOString(),
          },
        ],
        transactions: [],
        idempotency: [],
      },
    ]);
    await other.drain(100);
    const outcome = await system.dispatch(deposit('a', 1));
    expect(outcome.body).to.include({ version: 4, balance: 111 });
  });

  it('answers 503 command_timeout when a command gets no outcome in time', async () => {
    system = build({ commandTimeoutMs: 50 });
    await system.dispatch(open('a'));
    const hold = gate();
    sinon.stub(store, 'appendBatch').callsFake(async () => {
      await hold.opened;
      throw new Error('never');
    });
    const outcome: CommandOutcome = await system.dispatch(deposit('a', 1));
    expect([outcome.status, outcome.body.code]).to.deep.equal([503, 'command_timeout']);
    hold.release();
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
