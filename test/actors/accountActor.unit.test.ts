// The account actor and its system on the in-memory store: ordering, group commit, mailbox bound,
// passivation (fake timers), crash and replacement, conflict-reload and command timeout.
import { expect } from 'chai';
import pino from 'pino';
import sinon from 'sinon';
import { randomUUID } from 'node:crypto';
import { ActorSystem, ActorSystemDeps } from '../../actors/system/actorSystem';
import { CommandRequest } from '../../src/app/commandRequest';
import { JournalWriter } from '../../src/app/journalWriter';
import { limits } from '../../src/config/limits';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { createLogger } from '../../src/infra/logger';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemorySnapshotStore } from '../../src/infra/memory/memorySnapshotStore';
import { freshResponse, outcomeResponse, OutcomeResponse } from '../../src/http/outcomeResponse';
import { EventStore } from '../../src/ports/eventStore';
import { eventually } from '../support/eventually';

function request(command: AccountCommand): CommandRequest {
  const key = randomUUID();
  return { command, idempotencyKey: key, requestHash: key, operation: command.type, correlationId: key };
}
const open = (accountId: string) => request({ type: 'OpenAccount', accountId, ownerId: 'o', currency: 'USD' });
const deposit = (accountId: string, amount: number) =>
  request({ type: 'DepositMoney', accountId, amount, currency: 'USD', transactionId: randomUUID() });

/** The command's answer as the gateway renders it (status and body), which these tests check. */
async function dispatched(system: ActorSystem, request: CommandRequest): Promise<OutcomeResponse> {
  return outcomeResponse(await system.dispatch(request));
}

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
      render: freshResponse,
      idleMs: 60_000,
      snapshotIntervalVersions: 50,
      commandTimeoutMs: limits.commandTimeoutMs,
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
    expect((await dispatched(system, open('a'))).status).to.equal(201);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => dispatched(system, deposit('a', i + 1))));
    expect(outcomes.map((o) => o.body.version)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 2));
    // Balance after each deposit is the running sum in send order.
    let sum = 0;
    expect(outcomes.map((o) => o.body.balance)).to.deep.equal(outcomes.map((_, i) => (sum += i + 1)));
  });

  it('group-commits the commands that queue while an append is in flight into one transaction', async () => {
    await dispatched(system, open('a'));
    const hold = gate();
    const append = store.appendBatch.bind(store);
    const batches: number[] = [];
    sinon.stub(store, 'appendBatch').callsFake(async (appends) => {
      batches.push(appends[0]!.events.length);
      if (batches.length === 1) await hold.opened;
      return append(appends);
    });
    const first = dispatched(system, deposit('a', 1));
    await eventually('the first turn held in its append', () => batches.length === 1);
    const rest = Array.from({ length: 10 }, () => dispatched(system, deposit('a', 1)));
    hold.release();
    const outcomes = await Promise.all([first, ...rest]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(Array(11).fill(201));
    expect(batches).to.deep.equal([1, 10]);
  });

  it('answers 503 mailbox_full past the mailbox bound instead of queueing without limit', async () => {
    await dispatched(system, open('a'));
    const hold = holdAppends(store);
    const inFlight = dispatched(system, deposit('a', 1));
    await eventually('the actor processing', () => system.actors()[0]?.state === 'processing');
    const queued = Array.from({ length: limits.mailboxSizeMax }, () => dispatched(system, deposit('a', 1)));
    const refused = await Promise.all(Array.from({ length: 3 }, () => dispatched(system, deposit('a', 1))));
    expect(refused.map((o) => [o.status, o.body.code])).to.deep.equal(Array(3).fill([503, 'mailbox_full']));
    hold.release();
    const accepted = await Promise.all([inFlight, ...queued]);
    expect(accepted.map((o) => o.status)).to.deep.equal(Array(1 + limits.mailboxSizeMax).fill(201));
  });

  it('reports the turn in flight plus the queued commands as the actor’s mailbox depth', async () => {
    await dispatched(system, open('a'));
    const hold = holdAppends(store);
    const inFlight = dispatched(system, deposit('a', 1));
    await eventually('the actor processing', () => system.actors()[0]?.state === 'processing');
    const queued = Array.from({ length: 4 }, () => dispatched(system, deposit('a', 1)));
    expect(system.actors()[0]).to.include({ state: 'processing', mailboxDepth: 5 });
    hold.release();
    await Promise.all([inFlight, ...queued]);
    expect(system.actors()[0]).to.include({ state: 'idle', mailboxDepth: 0, commandsProcessed: 6 });
  });

  it('passivates an idle actor after ACCOUNT_IDLE_MS and reactivates it from the store', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    system = build({ idleMs: 5_000 });
    await dispatched(system, open('a'));
    await dispatched(system, deposit('a', 40));
    expect(system.stats()).to.include({ live: 1, passivations: 0 });
    await clock.tickAsync(4_999);
    expect(system.stats().live).to.equal(1);
    await clock.tickAsync(2);
    expect(system.stats()).to.include({ live: 0, passivations: 1 });
    const again = await dispatched(system, deposit('a', 2));
    expect(again.body).to.include({ version: 3, balance: 42 });
    expect(system.stats()).to.include({ live: 1, activations: 2 });
  });

  it('restores from a snapshot plus tail, and ignores a snapshot of an unknown schema', async () => {
    system = build({ snapshotIntervalVersions: 3 });
    await dispatched(system, open('a'));
    for (let i = 0; i < 4; i += 1) await dispatched(system, deposit('a', 10));
    await eventually('a snapshot saved', async () => (await snapshots.load('account-a')) !== null);
    expect((await snapshots.load('account-a'))!.version).to.equal(3);
    expect(system.passivate('a')).to.equal(true);
    await eventually('the actor passivated', () => system.stats().live === 0);
    const read = sinon.spy(store, 'readStream');
    expect((await dispatched(system, deposit('a', 1))).body).to.include({ version: 6, balance: 41 });
    expect(read.firstCall.args[1]).to.equal(3);
    await snapshots.save({ streamId: 'account-a', version: 6, schemaVersion: 999, state: { bogus: true }, createdAt: new Date().toISOString() });
    system.passivate('a');
    await eventually('the actor passivated', () => system.stats().live === 0);
    expect((await dispatched(system, deposit('a', 1))).body).to.include({ version: 7, balance: 42 });
  });

  it('fails the commands a crashed actor held (503) and replaces it on the next command', async () => {
    await dispatched(system, open('a'));
    const append = store.appendBatch.bind(store);
    const stub = sinon.stub(store, 'appendBatch').rejects(new Error('connection reset'));
    const failed = await Promise.all([dispatched(system, deposit('a', 5)), dispatched(system, deposit('a', 6))]);
    expect(failed.map((o) => [o.status, o.body.code])).to.deep.equal([
      [503, 'account_unavailable'],
      [503, 'account_unavailable'],
    ]);
    expect(system.stats().crashes, 'one crash failed both held commands').to.equal(1);
    stub.callsFake(append);
    const after = await dispatched(system, deposit('a', 7));
    expect(after.body).to.include({ status: 'ACTIVE', version: 2, balance: 7 });
  });

  it('fails commands whose actor cannot activate, then recovers', async () => {
    const read = store.readStream.bind(store);
    const stub = sinon.stub(store, 'readStream').rejects(new Error('db down'));
    expect((await dispatched(system, open('a'))).body.code).to.equal('account_unavailable');
    stub.callsFake(read);
    expect((await dispatched(system, open('a'))).status).to.equal(201);
  });

  it('reloads and retries when another node wrote the stream (expected-version conflict)', async () => {
    await dispatched(system, open('a'));
    await dispatched(system, deposit('a', 10));
    // Another node appends version 3 behind this actor's back.
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
    const outcome = await dispatched(system, deposit('a', 1));
    expect(outcome.body).to.include({ version: 4, balance: 111 });
  });

  it('answers 503 command_timeout when a command gets no outcome in time', async () => {
    system = build({ commandTimeoutMs: 50 });
    await dispatched(system, open('a'));
    const hold = gate();
    sinon.stub(store, 'appendBatch').callsFake(async () => {
      await hold.opened;
      throw new Error('never');
    });
    const outcome = await dispatched(system, deposit('a', 1));
    expect([outcome.status, outcome.body.code]).to.deep.equal([503, 'command_timeout']);
    hold.release();
  });

  it('warns where timed-out commands were held, once per interval, counting the others into the next warning', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    system = build({ commandTimeoutMs: 50, logger });
    await dispatched(system, open('a'));
    const hold = gate();
    sinon.stub(store, 'appendBatch').callsFake(async () => {
      await hold.opened;
      throw new Error('never');
    });
    // The first deposit's turn holds the append; the second waits in the mailbox behind it.
    const outcomes = await Promise.all([dispatched(system, deposit('a', 1)), dispatched(system, deposit('a', 2))]);
    expect(outcomes.map((outcome) => outcome.body.code)).to.deep.equal(['command_timeout', 'command_timeout']);
    const warnings = lines.filter((line) => line.msg === 'command timed out; its caller was answered 503 command_timeout');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ accountId: 'a', heldIn: 'turn', actorState: 'processing', mailboxDepth: 1, timedOutSinceLastWarning: 1 });

    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    clock.tick(limits.commandTimeoutWarnIntervalMs);
    expect((await dispatched(system, deposit('a', 3))).body.code).to.equal('command_timeout');
    clock.restore();
    const next = lines.filter((line) => line.msg === warnings[0]!.msg);
    expect(next).to.have.length(2);
    // The mailbox one of the first pair was not logged on its own: it is counted here.
    expect(next[1]).to.include({ heldIn: 'mailbox', timedOutSinceLastWarning: 2 });
    hold.release();
  });

  it('holds liveActorsMax as a hard bound: evicts the least recently used idle actor, answers actors_exhausted when every one is busy', async () => {
    system = build({ liveActorsMax: 2 });
    await dispatched(system, open('a'));
    await dispatched(system, open('b'));
    // Both idle: a third account evicts the least recently used one (a), never exceeding the bound.
    expect((await dispatched(system, open('c'))).status).to.equal(201);
    expect(system.stats()).to.include({ live: 2, passivations: 1 });
    expect(system.actors().map((actor) => actor.accountId)).to.deep.equal(['b', 'c']);
    // Both busy: nothing can be evicted, so the fourth account is refused, not spawned.
    const hold = holdAppends(store);
    const busy = [dispatched(system, deposit('b', 1)), dispatched(system, deposit('c', 1))];
    await eventually('both actors in a turn', () => system.actors().every((actor) => actor.state === 'processing'));
    const refused = await dispatched(system, open('d'));
    expect([refused.status, refused.body.code, refused.body.retryAfterSeconds]).to.deep.equal([503, 'actors_exhausted', 1]);
    expect(refused.body).to.include({ type: 'urn:acta:problem:actors_exhausted', title: 'Service Unavailable' });
    expect(system.stats()).to.include({ live: 2, actorsExhausted: 1 });
    hold.release();
    expect((await Promise.all(busy)).map((outcome) => outcome.status)).to.deep.equal([201, 201]);
    // Idle again: d takes b's place.
    expect((await dispatched(system, open('d'))).status).to.equal(201);
    expect(system.stats().live).to.equal(2);
  });

  it('answers mailbox_full from the registry before the command reaches the actor', async () => {
    await dispatched(system, open('a'));
    const hold = holdAppends(store);
    const inFlight = dispatched(system, deposit('a', 1));
    await eventually('the first turn in flight', () => system.actors()[0]?.state === 'processing');
    const queued = Array.from({ length: limits.mailboxSizeMax }, () => dispatched(system, deposit('a', 1)));
    const refused = await dispatched(system, deposit('a', 1));
    expect(refused.body).to.include({ code: 'mailbox_full', retryAfterSeconds: 1 });
    expect(system.pendingCommands()).to.equal(limits.mailboxSizeMax + 1);
    hold.release();
    await Promise.all([inFlight, ...queued]);
    expect(system.pendingCommands()).to.equal(0);
  });

  it('waits out a backoff before activating a crashed account again, doubling while it keeps crashing', async () => {
    system = build({ restartBackoff: { baseMs: 40, maxMs: 1_000 } });
    const read = store.readStream.bind(store);
    const stub = sinon.stub(store, 'readStream').rejects(new Error('db down'));
    expect((await dispatched(system, open('a'))).body.code).to.equal('account_unavailable');
    expect((await dispatched(system, open('a'))).body.code).to.equal('account_unavailable');
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    stub.callsFake(read);
    const third = dispatched(system, open('a'));
    // Two crashes in a row: 80 ms before the third activation reads anything.
    await clock.tickAsync(79);
    expect(stub.callCount).to.equal(2);
    await clock.tickAsync(1);
    clock.restore();
    expect((await third).status).to.equal(201);
    expect(system.stats().crashes).to.equal(2);
  });

  it('drain resolves on the last answer and then stops every actor', async () => {
    await dispatched(system, open('a'));
    const hold = holdAppends(store);
    const inFlight = dispatched(system, deposit('a', 1));
    await eventually('the turn in flight', () => system.pendingCommands() === 1);
    let drained = false;
    const drain = system.drain(60_000).then(() => (drained = true));
    await Promise.resolve();
    expect(drained).to.equal(false);
    hold.release();
    await drain;
    expect((await inFlight).status).to.equal(201);
    expect(system.stats().live).to.equal(0);
  });
});
