// The transfer actor and registry on real account actors over the in-memory store, with a flaky
// layer in front of the account actors to make each step fail transiently, fail forever, or commit
// and still answer 503 (a timeout after the commit).
import { AssertionError } from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { ActorSystem } from '../../actors/system/actorSystem';
import { TransferRegistry } from '../../actors/transfer/transferRegistry';
import { activateAccount } from '../../src/app/activateAccount';
import { CommandBus, CommandPort } from '../../src/app/commandBus';
import { CommandRequest } from '../../src/app/commandRequest';
import { noFaults } from '../../src/app/faults';
import { JournalWriter } from '../../src/app/journalWriter';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { requestTransfer } from '../../src/app/transfers/requestTransfer';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { stepKeyOf, TransferStepName } from '../../src/domain/transfer/transferIds';
import { createLogger } from '../../src/infra/logger';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryOpenTransfers } from '../../src/infra/memory/memoryOpenTransfers';
import { MemorySnapshotStore } from '../../src/infra/memory/memorySnapshotStore';
import { freshResponse, outcomeResponse, OutcomeResponse } from '../../src/http/outcomeResponse';
import { accountSide, now, transferRegistryBase } from '../support/accountSide';
import { eventually } from '../support/eventually';
import { CommandOutcome } from '../../src/ports/commandOutcome';

type Behaviour = 'pass' | 'fail' | 'commit-then-fail' | 'assert';

const stepOf: Record<string, TransferStepName> = { PlaceHold: 'hold', CreditTransfer: 'credit', CaptureHold: 'capture', ReleaseHold: 'release' };
const unavailable: CommandOutcome = { kind: 'unavailable', code: 'command_timeout', detail: 'no answer in time' };

describe('transfer actor', function () {
  let store: MemoryEventStore;
  let snapshots: MemorySnapshotStore;
  let system: ActorSystem;
  let accounts: CommandBus;
  let registry: TransferRegistry;
  let journal: JournalWriter;
  /** Per step: how each successive call behaves; calls past the list pass. */
  let plan: Partial<Record<TransferStepName, Behaviour[]>>;
  let flaky: sinon.SinonSpy<[CommandRequest], Promise<CommandOutcome>>;
  /** What onSettled heard, in order: how each actor ended and its transfer's status. */
  let settled: Array<[string, string | null]>;

  beforeEach(function () {
    store = new MemoryEventStore();
    snapshots = new MemorySnapshotStore();
    const logger = createLogger('silent');
    ({ journal, system, accounts } = accountSide(store, snapshots, logger));
    plan = {};
    settled = [];
    flaky = sinon.spy(async (request: CommandRequest): Promise<CommandOutcome> => {
      const step = stepOf[request.command.type];
      const behaviour = step ? plan[step]?.shift() ?? 'pass' : 'pass';
      if (behaviour === 'fail') return unavailable;
      if (behaviour === 'assert') throw new AssertionError({ message: 'a broken invariant' });
      const outcome = await accounts.execute(request);
      return behaviour === 'commit-then-fail' ? unavailable : outcome;
    });
    const port: CommandPort = { execute: flaky };
    registry = new TransferRegistry({
      ...transferRegistryBase(store, journal, logger),
      accounts: port,
      onSettled: (how, state) => settled.push([how, state?.status ?? null]),
      openTransfers: new MemoryOpenTransfers(store),
    });
  });
  afterEach(async function () {
    await registry.stop(1_000);
    await system.drain(1_000);
  });

  async function command(command: AccountCommand): Promise<OutcomeResponse> {
    return outcomeResponse(await accounts.execute({ command, idempotencyKey: randomUUID(), requestHash: 'h', operation: command.type, correlationId: 'test' }));
  }
  async function account(accountId: string, balance: number): Promise<void> {
    expect((await command({ type: 'OpenAccount', accountId, ownerId: 'o', currency: 'EUR' })).status).to.equal(201);
    if (balance > 0) expect((await command({ type: 'DepositMoney', accountId, amount: balance, currency: 'EUR', transactionId: `seed-${accountId}` })).status).to.equal(201);
  }
  /** Source `a` with 100, destination `b` empty. */
  async function openAccounts(): Promise<void> {
    await account('a', 100);
    await account('b', 0);
  }
  async function request(transferId: string, amount: number, start = true): Promise<OutcomeResponse> {
    const outcome = await requestTransfer(
      { store, snapshots, journal, newId: randomUUID, now, render: freshResponse },
      {
        command: { transferId, sourceAccountId: 'a', destinationAccountId: 'b', amount, currency: 'EUR' },
        idempotencyKey: `key-${transferId}-${randomUUID()}`,
        requestHash: 'h',
        operation: 'transfer.request',
        correlationId: 'test',
      },
    );
    const response = outcomeResponse(outcome);
    if (start && response.status === 202) registry.start(transferId);
    return response;
  }
  async function finished(transferId: string) {
    await registry.settled(transferId);
    return loadTransfer(transferId, store);
  }
  const balances = async () => {
    const [a, b] = await Promise.all([activateAccount('a', store, snapshots), activateAccount('b', store, snapshots)]);
    return { a: a.balance, aHeld: a.held, b: b.balance };
  };
  const calls = (step: TransferStepName) => flaky.getCalls().filter((call) => stepOf[call.args[0].command.type] === step).length;

  it('completes: hold, credit, capture, each asked once', async function () {
    await openAccounts();
    expect((await request('t1', 40)).status).to.equal(202);
    expect(await finished('t1')).to.include({ status: 'COMPLETED' });
    expect(await balances()).to.deep.equal({ a: 60, aHeld: 0, b: 40 });
    expect([calls('hold'), calls('credit'), calls('capture'), calls('release')]).to.deep.equal([1, 1, 1, 0]);
  });

  it('insufficient available funds: FAILED at hold, nothing moved', async function () {
    await account('a', 10);
    await account('b', 0);
    await request('t1', 11);
    const done = await finished('t1');
    expect(done).to.include({ status: 'FAILED' });
    expect(done.failure).to.include({ reason: 'insufficient_funds', stage: 'hold' });
    expect(await balances()).to.deep.equal({ a: 10, aHeld: 0, b: 0 });
    expect(calls('credit')).to.equal(0);
  });

  it('frozen destination: credit refused, hold released, FAILED at credit', async function () {
    await openAccounts();
    await command({ type: 'FreezeAccount', accountId: 'b', reason: 'kyc' });
    await request('t1', 40);
    const done = await finished('t1');
    expect(done).to.include({ status: 'FAILED' });
    expect(done.failure).to.include({ reason: 'account_frozen', stage: 'credit' });
    expect(await balances()).to.deep.equal({ a: 100, aHeld: 0, b: 0 });
    expect([calls('capture'), calls('release')]).to.deep.equal([0, 1]);
  });

  it('a duplicate transferId starts one actor and moves the money once', async function () {
    await openAccounts();
    await request('t1', 40);
    expect(registry.start('t1')).to.equal(false);
    expect((await request('t1', 40)).status).to.equal(202);
    expect((await request('t1', 41)).status).to.equal(409);
    await finished('t1');
    expect(await balances()).to.deep.equal({ a: 60, aHeld: 0, b: 40 });
  });

  for (const step of ['hold', 'credit', 'capture'] as const) {
    it(`retries the ${step} step after transient failures and completes`, async function () {
      await account('a', 100);
      await account('b', 0);
      plan[step] = ['fail', 'commit-then-fail'];
      await request('t1', 40);
      expect(await finished('t1')).to.include({ status: 'COMPLETED' });
      expect(calls(step)).to.equal(3);
      expect(await balances()).to.deep.equal({ a: 60, aHeld: 0, b: 40 });
    });
  }

  it('retries the release step after transient failures and fails cleanly', async function () {
    await openAccounts();
    await command({ type: 'FreezeAccount', accountId: 'b', reason: 'kyc' });
    plan.release = ['fail', 'commit-then-fail'];
    await request('t1', 40);
    expect(await finished('t1')).to.include({ status: 'FAILED' });
    expect(calls('release')).to.equal(3);
    expect(await balances()).to.deep.equal({ a: 100, aHeld: 0, b: 0 });
  });

  it('a hold that never answers is abandoned behind a fence: FAILED, and the hold can never commit later', async function () {
    await openAccounts();
    plan.hold = ['fail', 'fail', 'fail'];
    await request('t1', 40);
    const done = await finished('t1');
    expect(done).to.include({ status: 'FAILED' });
    expect(done.failure).to.include({ reason: 'step_retries_exhausted', stage: 'hold' });
    const late = outcomeResponse(await accounts.execute({
      command: { type: 'PlaceHold', accountId: 'a', holdId: '~transfer:t1', transferId: 't1', amount: 40, currency: 'EUR', counterpartyId: 'b' },
      idempotencyKey: stepKeyOf('t1', 'hold'),
      requestHash: 'transfer.hold',
      operation: 'transfer.hold',
      correlationId: 'late',
    }));
    expect(late.status).to.equal(409);
    expect(late.body.code).to.equal('transaction_id_reused');
    expect(await balances()).to.deep.equal({ a: 100, aHeld: 0, b: 0 });
  });

  it('a credit that committed but never answered is found by its fence: COMPLETED, credited once', async function () {
    await openAccounts();
    plan.credit = ['commit-then-fail', 'commit-then-fail', 'commit-then-fail'];
    await request('t1', 40);
    expect(await finished('t1')).to.include({ status: 'COMPLETED' });
    expect(await balances()).to.deep.equal({ a: 60, aHeld: 0, b: 40 });
  });

  it('a credit that never happened is abandoned: hold released, FAILED at credit, the destination untouched', async function () {
    await openAccounts();
    plan.credit = ['fail', 'fail', 'fail'];
    await request('t1', 40);
    const done = await finished('t1');
    expect(done.failure).to.include({ reason: 'step_retries_exhausted', stage: 'credit' });
    expect(done.status).to.equal('FAILED');
    expect(await balances()).to.deep.equal({ a: 100, aHeld: 0, b: 0 });
  });

  it('a capture that keeps failing is parked, never abandoned, and the next sweep completes it', async function () {
    await openAccounts();
    plan.capture = ['fail', 'fail', 'fail'];
    await request('t1', 40);
    const parked = await finished('t1');
    expect(parked).to.include({ status: 'PENDING', stage: 'capture' });
    expect(registry.stats().parked).to.equal(1);
    expect(await balances()).to.deep.equal({ a: 100, aHeld: 40, b: 40 });
    expect(await registry.sweep()).to.equal(1);
    expect(await finished('t1')).to.include({ status: 'COMPLETED' });
    expect(await balances()).to.deep.equal({ a: 60, aHeld: 0, b: 40 });
  });

  it('recovery: a recorded transfer without an actor (a crash after the 202) is found in the event store and finished', async function () {
    await openAccounts();
    await request('t1', 40, false);
    await request('t2', 70, false);
    expect(registry.list()).to.deep.equal([]);
    expect(await registry.sweep()).to.equal(2);
    const [one, two] = [await finished('t1'), await finished('t2')];
    expect([one.status, two.status].sort()).to.deep.equal(['COMPLETED', 'FAILED']);
    expect(await registry.sweep()).to.equal(0);
  });

  it('an assertion failure in a move crashes the actor instead of being retried; the next sweep resumes it', async function () {
    await openAccounts();
    plan.hold = ['assert'];
    await request('t1', 40);
    const crashed = await finished('t1');
    expect(crashed).to.include({ status: 'PENDING', stage: 'hold' });
    expect(calls('hold')).to.equal(1);
    expect(registry.stats()).to.include({ crashed: 1, parked: 0 });
    expect(settled).to.deep.equal([['crashed', 'PENDING']]);
    expect(await registry.sweep()).to.equal(1);
    expect(await finished('t1')).to.include({ status: 'COMPLETED' });
    expect(settled.at(-1)).to.deep.equal(['done', 'COMPLETED']);
  });

  it('tells onSettled of every end: done, parked, and stopped by the registry', async function () {
    await openAccounts();
    await request('t1', 10);
    await finished('t1');
    plan.capture = ['fail', 'fail', 'fail'];
    await request('t2', 10);
    await finished('t2');
    plan.hold = Array<Behaviour>(100).fill('fail');
    registry = new TransferRegistry({
      accounts: { execute: flaky },
      store,
      journal,
      newId: randomUUID,
      now,
      faults: noFaults,
      render: freshResponse,
      onSettled: (how, state) => settled.push([how, state?.status ?? null]),
      openTransfers: new MemoryOpenTransfers(store),
      logger: createLogger('silent'),
      retry: { attemptsMax: 100, backoffBaseMs: 60_000, backoffMaxMs: 60_000 },
    });
    await request('t3', 10);
    await eventually('t3 waiting out a backoff', () => registry.list()[0]?.state === 'backingOff');
    await registry.stop(1_000);
    expect(settled).to.deep.equal([
      ['done', 'COMPLETED'],
      ['parked', 'PENDING'],
      ['stopped', 'PENDING'],
    ]);
  });
});
