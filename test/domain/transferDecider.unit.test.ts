// The transfer process manager's pure decisions: request repeats and conflicts, the step sequence,
// refusals, abandonment with fences, and the fold.
import { expect } from 'chai';
import { decideRequest, evolveTransfer, isAbandonable, nextStep, onStepResult, retriesExhausted } from '../../src/domain/transfer/transferDecider';
import { TransferEvent } from '../../src/domain/transfer/transferEvents';
import { TransferState, initialTransferState } from '../../src/domain/transfer/transferState';
import { foldEvents } from '../support/deciderSpec';

const at = '2026-01-01T00:00:00.000Z';
const request = { transferId: 't-1', sourceAccountId: 'a', destinationAccountId: 'b', amount: 40, currency: 'EUR' };
const requested: TransferEvent = { type: 'TransferRequested', data: request };

const versionOf = (state: TransferState): number => state.version;
const given = (...events: TransferEvent[]): TransferState => foldEvents(evolveTransfer, versionOf, initialTransferState('t-1'), events, at);
const after = (state: TransferState, decision: { events: TransferEvent[] }): TransferState => foldEvents(evolveTransfer, versionOf, state, decision.events, at);

describe('transfer decider', () => {
  describe('request', () => {
    it('a new transfer records TransferRequested and starts at the hold step', () => {
      const decision = decideRequest(request, given());
      expect(decision).to.deep.equal({ kind: 'new', events: [requested] });
      expect(given(requested)).to.include({ status: 'PENDING', stage: 'hold', amount: 40, version: 1 });
    });
    it('the same payload again is a repeat; any difference is a conflict', () => {
      expect(decideRequest(request, given(requested))).to.deep.equal({ kind: 'repeat' });
      for (const change of [{ amount: 41 }, { destinationAccountId: 'c' }, { sourceAccountId: 'c' }, { currency: 'USD' }]) {
        expect(decideRequest({ ...request, ...change }, given(requested)).kind).to.equal('conflict');
      }
    });
  });

  describe('steps', () => {
    it('happy path: hold → credit → capture → COMPLETED, with derived keys and ids', () => {
      let state = given(requested);
      const hold = nextStep(state)!;
      expect(hold).to.deep.equal({
        name: 'hold',
        idempotencyKey: '~transfer:t-1:hold',
        command: { type: 'PlaceHold', accountId: 'a', holdId: '~transfer:t-1', transferId: 't-1', amount: 40, currency: 'EUR', counterpartyId: 'b' },
      });
      state = after(state, onStepResult(state, 'hold', { kind: 'done' }));
      const credit = nextStep(state)!;
      expect(credit.command).to.deep.equal({ type: 'CreditTransfer', accountId: 'b', transferId: 't-1', amount: 40, currency: 'EUR', counterpartyId: 'a' });
      state = after(state, onStepResult(state, 'credit', { kind: 'done' }));
      expect(nextStep(state)!.command).to.deep.equal({ type: 'CaptureHold', accountId: 'a', holdId: '~transfer:t-1' });
      state = after(state, onStepResult(state, 'capture', { kind: 'done' }));
      expect(state).to.include({ status: 'COMPLETED', stage: null, version: 4 });
      expect(nextStep(state)).to.equal(null);
    });

    it('a refused hold ends FAILED at once: nothing was held, nothing to release', () => {
      const state = given(requested);
      const decision = onStepResult(state, 'hold', { kind: 'refused', code: 'insufficient_funds', detail: 'd' });
      expect(decision.fence).to.equal(null);
      expect(after(state, decision)).to.include({ status: 'FAILED' });
      expect(after(state, decision).failure).to.deep.equal({ reason: 'insufficient_funds', stage: 'hold', detail: 'd' });
    });

    it('a refused credit releases the hold, then FAILED with the credit refusal as the reason', () => {
      let state = given(requested, { type: 'TransferFundsHeld', data: { transferId: 't-1', holdId: '~transfer:t-1' } });
      state = after(state, onStepResult(state, 'credit', { kind: 'refused', code: 'account_frozen', detail: 'frozen' }));
      expect(state).to.include({ status: 'PENDING', stage: 'release' });
      expect(nextStep(state)!.command).to.deep.equal({ type: 'ReleaseHold', accountId: 'a', holdId: '~transfer:t-1', reason: 'account_frozen' });
      state = after(state, onStepResult(state, 'release', { kind: 'done' }));
      expect(state).to.include({ status: 'FAILED' });
      expect(state.failure).to.deep.equal({ reason: 'account_frozen', stage: 'credit', detail: 'frozen' });
    });

    it('abandoning hold or credit compensates and fences the leg\'s transaction id', () => {
      const held = given(requested, { type: 'TransferFundsHeld', data: { transferId: 't-1', holdId: '~transfer:t-1' } });
      const onHold = onStepResult(given(requested), 'hold', { kind: 'abandoned', detail: '503' });
      expect(onHold.fence).to.deep.equal({ transactionId: '~transfer:t-1:hold', accountId: 'a', amount: 40, currency: 'EUR' });
      expect(after(given(requested), onHold)).to.include({ stage: 'release' });
      const onCredit = onStepResult(held, 'credit', { kind: 'abandoned', detail: '503' });
      expect(onCredit.fence).to.deep.equal({ transactionId: '~transfer:t-1:credit', accountId: 'b', amount: 40, currency: 'EUR' });
      expect(after(held, onCredit).failure).to.deep.equal({ reason: retriesExhausted, stage: 'credit', detail: '503' });
    });

    it('capture and release are never abandoned: no events, the transfer stays where it is', () => {
      expect([isAbandonable('hold'), isAbandonable('credit'), isAbandonable('capture'), isAbandonable('release')]).to.deep.equal([true, true, false, false]);
      const credited = given(requested, { type: 'TransferFundsHeld', data: { transferId: 't-1', holdId: '~transfer:t-1' } }, { type: 'TransferDestinationCredited', data: { transferId: 't-1' } });
      expect(onStepResult(credited, 'capture', { kind: 'abandoned', detail: 'x' })).to.deep.equal({ events: [], fence: null });
    });

    it('an answer for a step the transfer is not at is a programming error', () => {
      expect(() => onStepResult(given(requested), 'credit', { kind: 'done' })).to.throw(/answered while/);
    });
  });

  it('evolve asserts versions follow each other and a transfer is requested once', () => {
    expect(() => evolveTransfer(given(requested), requested, 3, at)).to.throw(/does not follow/);
    expect(() => evolveTransfer(given(requested), requested, 2, at)).to.throw(/existing transfer/);
  });
});
