// The account projection as a pure fold: given a summary row and an event, then the next row and
// the statement entry, or a named poison verdict.
import { expect } from 'chai';
import { limits } from '../../src/config/limits';
import { accountEventTypes } from '../../src/domain/account/accountEvents';
import { AccountSummaryRow } from '../../src/ports/readModel';
import { StoredEvent } from '../../src/ports/storedEvent';
import { accountEventHandlers } from '../../src/projections/accounts/accountEventHandlers';
import { accountStreamProjection, projectAccountEvent } from '../../src/projections/accounts/accountProjection';
import { decodeStoredEvent } from '../../src/projections/decodeStoredEvent';
import { foldStream } from '../../src/projections/rebuild/foldStreams';
import { accountPoisonCodes, envelopePoisonCodes, PoisonCode, transitionPoisonCodes } from '../../src/projections/poisonEventError';
import { seededRandom, randomIntInclusive, Random } from '../../load/shared/prng';
import { accountView } from '../../src/app/accountView';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { decide, evolve, isRejection } from '../../src/domain/account/accountDecider';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';
import { holdIdOf } from '../../src/domain/transfer/transferIds';
import { deposited, frozen, holdCaptured, poisonCodeOf, holdPlaced, holdReleased, newEvent, opened, stored, storedStream, summaryRow, transferCredited, unfrozen, withdrawn } from './fixtures';

const seed = Number(process.env.TEST_SEED ?? Date.now() % 2 ** 31);

function fold(events: StoredEvent[]): { summary: AccountSummaryRow | null; entries: ReturnType<typeof projectAccountEvent>['entry'][] } {
  let summary: AccountSummaryRow | null = null;
  const entries = [];
  for (const event of events) {
    const projected = projectAccountEvent(summary, event);
    summary = projected.summary;
    entries.push(projected.entry);
  }
  return { summary, entries };
}

describe('account projection (pure fold)', () => {
  it('folds a full life cycle into the summary row and one statement entry per event', () => {
    const events = storedStream('acc-1', [opened('acc-1'), deposited('acc-1', 1_000), withdrawn('acc-1', 300), frozen('acc-1', 'kyc'), unfrozen('acc-1')]);
    const { summary, entries } = fold(events);

    expect(summary).to.deep.equal({
      accountId: 'acc-1',
      ownerId: 'owner-acc-1',
      currency: 'EUR',
      status: 'ACTIVE',
      balance: 700,
      availableBalance: 700,
      version: 5,
      createdAt: events[0]!.occurredAt,
      updatedAt: events[4]!.occurredAt,
    });
    expect(entries.map((entry) => [entry.streamVersion, entry.eventType, entry.balanceAfter])).to.deep.equal([
      [1, 'AccountCreated', 0],
      [2, 'MoneyDeposited', 1_000],
      [3, 'MoneyWithdrawn', 700],
      [4, 'AccountFrozen', 700],
      [5, 'AccountUnfrozen', 700],
    ]);
    expect(entries[1]).to.deep.equal({
      eventId: events[1]!.eventId,
      accountId: 'acc-1',
      streamVersion: 2,
      eventType: 'MoneyDeposited',
      amount: 1_000,
      currency: 'EUR',
      transactionId: events[1]!.data.transactionId,
      balanceAfter: 1_000,
      occurredAt: events[1]!.occurredAt,
    });
    // Unused optional fields are absent, not undefined: the rows read back from Postgres compare equal.
    expect(Object.keys(entries[4]!)).to.not.include.members(['amount', 'currency', 'transactionId', 'reason']);
    expect(entries[3]!.reason).to.equal('kyc');
  });

  it('shows FROZEN while frozen and accepts a second freeze, as the write side does', () => {
    const events = storedStream('acc-1', [opened('acc-1'), frozen('acc-1'), frozen('acc-1', 'again')]);
    expect(fold(events).summary).to.include({ status: 'FROZEN', version: 3 });
  });

  describe('edge values of money', () => {
    const base = (balance: number) => summaryRow({ balance, availableBalance: balance, version: 2 });

    it('withdrawing exactly the balance leaves 0; one more is poison', () => {
      expect(projectAccountEvent(base(500), stored('acc-1', 3, withdrawn('acc-1', 500))).summary.balance).to.equal(0);
      expect(poisonCodeOf(() => projectAccountEvent(base(500), stored('acc-1', 3, withdrawn('acc-1', 501))))).to.equal('invalid_transition');
    });

    it('a deposit up to the money bound is fine; one past it is poison', () => {
      expect(projectAccountEvent(base(limits.moneyMax - 1), stored('acc-1', 3, deposited('acc-1', 1))).summary.balance).to.equal(limits.moneyMax);
      expect(poisonCodeOf(() => projectAccountEvent(base(limits.moneyMax), stored('acc-1', 3, deposited('acc-1', 1))))).to.equal('invalid_transition');
    });

    it('the largest amount onto a zero balance', () => {
      expect(projectAccountEvent(base(0), stored('acc-1', 3, deposited('acc-1', limits.moneyMax))).summary.balance).to.equal(limits.moneyMax);
    });
  });

  it('normalises timestamps and event ids to the form Postgres gives back', () => {
    const event = { ...stored('acc-1', 1, opened('acc-1')), occurredAt: '2024-05-01T10:00:00Z', eventId: 'ABCDEF01-2345-4789-8BCD-EF0123456789' };
    const { summary, entry } = projectAccountEvent(null, event);
    expect(summary.createdAt).to.equal('2024-05-01T10:00:00.000Z');
    expect(entry.eventId).to.equal('abcdef01-2345-4789-8bcd-ef0123456789');
  });

  it('has a handler for every account event type the domain defines', () => {
    expect(accountEventTypes.filter((type) => !Object.hasOwn(accountEventHandlers, type))).to.deep.equal([]);
  });

  describe('holds and transfer legs', () => {
    const start = [opened('acc-1'), deposited('acc-1', 1_000)];
    /** The entry fields every event has. */
    const envelope = (event: StoredEvent) => ({ eventId: event.eventId, accountId: 'acc-1', streamVersion: event.streamVersion, eventType: event.type, occurredAt: event.occurredAt });

    it('a completed transfer out: the hold lowers only the available balance, the capture is the debit leg', () => {
      const events = storedStream('acc-1', [...start, holdPlaced('acc-1', 't-1', 300, 'acc-2'), holdCaptured('acc-1', 't-1', 300, 'acc-2')]);
      const afterHold = fold(events.slice(0, 3));
      expect(afterHold.summary).to.include({ balance: 1_000, availableBalance: 700, version: 3 });
      const { summary, entries } = fold(events);
      expect(summary).to.include({ balance: 700, availableBalance: 700, version: 4 });
      expect(entries[2]).to.deep.equal({ ...envelope(events[2]!), amount: 300, currency: 'EUR', counterpartyAccountId: 'acc-2', transferId: 't-1', balanceAfter: 1_000 });
      expect(entries[3]).to.deep.equal({
        ...envelope(events[3]!),
        amount: 300,
        currency: 'EUR',
        direction: 'debit',
        counterpartyAccountId: 'acc-2',
        transferId: 't-1',
        balanceAfter: 700,
      });
    });

    it('a failed transfer out: the released hold leaves the balance as before and shows no movement', () => {
      const events = storedStream('acc-1', [...start, holdPlaced('acc-1', 't-1', 1_000, 'acc-2'), holdReleased('acc-1', 't-1', 1_000, 'account_frozen')]);
      const { summary, entries } = fold(events);
      expect(summary).to.include({ balance: 1_000, availableBalance: 1_000, version: 4 });
      expect(entries.slice(2).map((entry) => [entry.eventType, entry.balanceAfter, entry.direction ?? null])).to.deep.equal([
        ['HoldPlaced', 1_000, null],
        ['HoldReleased', 1_000, null],
      ]);
      expect(entries[3]).to.deep.include({ amount: 1_000, transferId: 't-1', reason: 'account_frozen' });
      expect(entries.map((entry) => entry.eventType)).to.deep.equal(['AccountCreated', 'MoneyDeposited', 'HoldPlaced', 'HoldReleased']);
    });

    it('a transfer in: the credit leg raises balance and available balance', () => {
      const events = storedStream('acc-1', [...start, transferCredited('acc-1', 't-9', 250, 'acc-7')]);
      const { summary, entries } = fold(events);
      expect(summary).to.include({ balance: 1_250, availableBalance: 1_250 });
      expect(entries[2]).to.deep.include({ eventType: 'TransferCredited', amount: 250, direction: 'credit', counterpartyAccountId: 'acc-7', transferId: 't-9', balanceAfter: 1_250 });
    });

    it('a hold of exactly the available balance is fine; a withdrawal of the held funds is not', () => {
      const events = storedStream('acc-1', [...start, holdPlaced('acc-1', 't-1', 1_000, 'acc-2'), withdrawn('acc-1', 1)]);
      expect(fold(events.slice(0, 3)).summary).to.include({ availableBalance: 0 });
      expect(poisonCodeOf(() => fold(events))).to.equal('invalid_transition');
    });

    it('a capture or release of exactly the held sum applies; one more is poison (the row keeps only the sum of open holds)', () => {
      const holding = summaryRow({ balance: 100, availableBalance: 40, version: 2 });
      expect(projectAccountEvent(holding, stored('acc-1', 3, holdCaptured('acc-1', 't', 60, 'b'))).summary).to.include({ balance: 40, availableBalance: 40, version: 3 });
      expect(projectAccountEvent(holding, stored('acc-1', 3, holdReleased('acc-1', 't', 60, 'r'))).summary).to.include({ balance: 100, availableBalance: 100, version: 3 });
      expect(poisonCodeOf(() => projectAccountEvent(holding, stored('acc-1', 3, holdCaptured('acc-1', 't', 61, 'b'))))).to.equal('invalid_transition');
      expect(poisonCodeOf(() => projectAccountEvent(holding, stored('acc-1', 3, holdReleased('acc-1', 't', 61, 'r'))))).to.equal('invalid_transition');
    });

    it('agrees with the write side: balance and available balance of random legal histories equal accountView(evolve)', () => {
      const random = seededRandom(seed);
      for (let account = 0; account < 50; account += 1) {
        let state: AccountState = initialAccountState('acc-1');
        let summary: AccountSummaryRow | null = null;
        for (let step = 0; step < 60; step += 1) {
          const decision = decide(randomCommand(random, state, step), state);
          if (isRejection(decision)) continue;
          for (const event of decision.events) {
            const next = newEvent(event.type, { ...event.data });
            state = evolve(state, event, state.version + 1, next.occurredAt);
            summary = projectAccountEvent(summary, stored('acc-1', state.version, next)).summary;
            expect(summary, `seed ${seed} (TEST_SEED replays it), account ${account}, v${state.version}`).to.deep.equal(accountView(state));
          }
        }
      }
    });
  });

  // One row per poison verdict of the fold. `summary` is the row before the event.
  const active = summaryRow({ balance: 100, availableBalance: 100, version: 2 });
  const foldPoisons: Array<{ name: string; code: PoisonCode; summary: AccountSummaryRow | null; event: StoredEvent }> = [
    { name: 'freeze of an account never created (the seed bug)', code: 'account_not_found', summary: null, event: stored('nope', 1, frozen('nope')) },
    { name: 'deposit before the account exists', code: 'account_not_found', summary: null, event: stored('acc-1', 1, deposited('acc-1', 5)) },
    { name: 'a second AccountCreated', code: 'invalid_transition', summary: active, event: stored('acc-1', 3, opened('acc-1')) },
    { name: 'an unknown event type', code: 'unknown_event_type', summary: active, event: stored('acc-1', 3, newEvent('MoneyTeleported', { accountId: 'acc-1' })) },
    { name: 'a prototype property as type', code: 'unknown_event_type', summary: active, event: stored('acc-1', 3, newEvent('constructor', { accountId: 'acc-1' })) },
    { name: 'a float amount', code: 'invalid_event_data', summary: active, event: stored('acc-1', 3, deposited('acc-1', 1.5)) },
    { name: 'an amount of 0', code: 'invalid_event_data', summary: active, event: stored('acc-1', 3, deposited('acc-1', 0)) },
    { name: 'an amount past 2^53 - 1', code: 'invalid_event_data', summary: active, event: stored('acc-1', 3, deposited('acc-1', 2 ** 53)) },
    {
      name: 'an amount given as a string',
      code: 'invalid_event_data',
      summary: active,
      event: stored('acc-1', 3, newEvent('MoneyDeposited', { accountId: 'acc-1', amount: '10', currency: 'EUR', transactionId: 't' })),
    },
    { name: 'a lower-case currency', code: 'invalid_event_data', summary: null, event: stored('acc-1', 1, opened('acc-1', 'eur')) },
    { name: 'a NUL inside a reason', code: 'invalid_event_data', summary: active, event: stored('acc-1', 3, frozen('acc-1', 'a\u0000b')) },
    { name: 'an occurredAt that is no time', code: 'invalid_event_data', summary: active, event: { ...stored('acc-1', 3, unfrozen('acc-1')), occurredAt: 'yesterday' } },
    { name: 'an event id that is no uuid', code: 'invalid_event_data', summary: active, event: { ...stored('acc-1', 3, unfrozen('acc-1')), eventId: 'e-1' } },
    { name: 'a deposit in another currency', code: 'currency_mismatch', summary: active, event: stored('acc-1', 3, deposited('acc-1', 5, 'USD')) },
    { name: 'a withdrawal in another currency', code: 'currency_mismatch', summary: active, event: stored('acc-1', 3, withdrawn('acc-1', 5, 'USD')) },
    { name: 'a withdrawal below zero', code: 'invalid_transition', summary: active, event: stored('acc-1', 3, withdrawn('acc-1', 101)) },
    { name: 'a version that skips one', code: 'version_out_of_order', summary: active, event: stored('acc-1', 4, unfrozen('acc-1')) },
    { name: 'a version already applied', code: 'version_out_of_order', summary: active, event: stored('acc-1', 2, unfrozen('acc-1')) },
    { name: 'data naming another account', code: 'account_id_mismatch', summary: active, event: stored('acc-1', 3, deposited('acc-2', 5)) },
    { name: 'a hold above the available balance', code: 'invalid_transition', summary: active, event: stored('acc-1', 3, holdPlaced('acc-1', 't', 101, 'b')) },
    { name: 'a hold in another currency', code: 'currency_mismatch', summary: active, event: stored('acc-1', 3, holdPlaced('acc-1', 't', 5, 'b', 'USD')) },
    { name: 'a hold without its transfer', code: 'invalid_event_data', summary: active, event: stored('acc-1', 3, newEvent('HoldPlaced', { accountId: 'acc-1' })) },
    { name: 'a capture with nothing held', code: 'invalid_transition', summary: active, event: stored('acc-1', 3, holdCaptured('acc-1', 't', 5, 'b')) },
    {
      name: 'a release of more than is held',
      code: 'invalid_transition',
      summary: { ...active, availableBalance: 90 },
      event: stored('acc-1', 3, holdReleased('acc-1', 't', 11, 'r')),
    },
    {
      name: 'a credit leg past the money bound',
      code: 'invalid_transition',
      summary: { ...active, balance: limits.moneyMax, availableBalance: limits.moneyMax },
      event: stored('acc-1', 3, transferCredited('acc-1', 't', 1, 'b')),
    },
    { name: 'a credit leg before the account exists', code: 'account_not_found', summary: null, event: stored('acc-1', 1, transferCredited('acc-1', 't', 1, 'b')) },
    {
      name: 'an event of another kind of stream',
      code: 'not_an_account_stream',
      summary: null,
      event: { ...stored('x', 1, opened('x')), streamId: 'transfer-x' },
    },
  ];

  for (const row of foldPoisons) {
    it(`poison: ${row.name} → ${row.code}`, () => {
      expect(poisonCodeOf(() => projectAccountEvent(row.summary, row.event))).to.equal(row.code);
    });
  }

  describe('decoding bus messages', () => {
    const valid = stored('acc-1', 1, opened('acc-1'));
    const decodePoisons: Array<{ name: string; code: PoisonCode; key: string; value: string }> = [
      { name: 'not JSON', code: 'undecodable_message', key: valid.streamId, value: '{"type": "AccountCre' },
      { name: 'JSON that is no stored event', code: 'undecodable_message', key: valid.streamId, value: '{"hello": "world"}' },
      { name: 'a version that is not a positive integer', code: 'undecodable_message', key: valid.streamId, value: JSON.stringify({ ...valid, streamVersion: 0 }) },
      { name: 'a key that is not its stream', code: 'key_mismatch', key: 'account-other', value: JSON.stringify(valid) },
    ];
    for (const row of decodePoisons) {
      it(`poison: ${row.name} → ${row.code}`, () => {
        expect(poisonCodeOf(() => decodeStoredEvent(row.key, row.value))).to.equal(row.code);
      });
    }

    it('decodes what the outbox relay publishes', () => {
      expect(decodeStoredEvent(valid.streamId, JSON.stringify(valid))).to.deep.equal(valid);
    });

    it('every envelope, transition and account poison code has a row (gap and blocked-stream codes are the batch planner’s)', () => {
      const covered = new Set<PoisonCode>([...foldPoisons, ...decodePoisons].map((row) => row.code));
      expect([...envelopePoisonCodes, ...transitionPoisonCodes, ...accountPoisonCodes].filter((code) => !covered.has(code))).to.deep.equal([]);
    });
  });

  describe('folding a stream run (rebuild)', () => {
    it('stops at the first poison event and keeps what came before, as the live projector does', () => {
      const events = storedStream('acc-1', [opened('acc-1'), deposited('acc-1', 50), newEvent('Mystery', { accountId: 'acc-1' }), deposited('acc-1', 5)]);
      const folded = foldStream(accountStreamProjection, { streamId: 'account-acc-1', start: null, events });
      expect(folded.row).to.include({ version: 2, balance: 50 });
      expect(folded.entries).to.have.length(2);
      expect(folded.poison).to.include({ version: 3, code: 'unknown_event_type' });
    });
  });
});

/** A command the transfer process or a client could send next (rejections are part of the draw). */
function randomCommand(random: Random, state: AccountState, step: number): AccountCommand {
  const accountId = state.accountId;
  const amount = randomIntInclusive(random, 1, 5_000);
  const openHolds = Object.keys(state.holds);
  const pick = random();
  if (state.status === 'NONE') return { type: 'OpenAccount', accountId, ownerId: 'owner-acc-1', currency: 'EUR' };
  if (pick < 0.25) return { type: 'DepositMoney', accountId, amount, currency: 'EUR', transactionId: `d-${step}` };
  if (pick < 0.4) return { type: 'WithdrawMoney', accountId, amount, currency: 'EUR', transactionId: `w-${step}` };
  if (pick < 0.6) return { type: 'PlaceHold', accountId, holdId: holdIdOf(`t-${step}`), transferId: `t-${step}`, amount, currency: 'EUR', counterpartyId: 'acc-2' };
  if (pick < 0.75 && openHolds.length > 0) return { type: 'CaptureHold', accountId, holdId: openHolds[0]! };
  if (pick < 0.85 && openHolds.length > 0) return { type: 'ReleaseHold', accountId, holdId: openHolds[0]!, reason: 'account_frozen' };
  if (pick < 0.93) return { type: 'CreditTransfer', accountId, transferId: `in-${step}`, amount, currency: 'EUR', counterpartyId: 'acc-3' };
  return state.status === 'FROZEN' ? { type: 'UnfreezeAccount', accountId } : { type: 'FreezeAccount', accountId, reason: 'review' };
}
