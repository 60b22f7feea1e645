// The transfer process manager's pure logic. A transfer moves money in three steps on two account
// actors: hold on the source, credit the destination, capture the hold. If the credit is refused
// the hold is released instead, so the source never shows a withdrawal and a reversal.
//
// nextStep(state) says which account command to send; onStepResult(state, step, result) turns its
// answer into transfer events. A step whose retries run out is abandoned only where that is safe:
// hold and credit are abandoned together with a fence (a `void` transaction record under the leg's
// transaction id, written in the same transaction as the transfer event), so a leg still queued
// somewhere can never commit afterwards; if the leg did commit first, the fence conflicts, which
// proves the leg happened, and the step is recorded as done instead. Capture and release are never abandoned:
// the destination was already credited, or the funds are still held, so they are retried until
// they succeed (each recovery sweep tries again).
import assert from 'node:assert/strict';
import { AccountCommand } from '../account/accountCommands';
import { TransferEvent, TransferRequested } from './transferEvents';
import { TransferStepName, holdIdOf, legTransactionIdOf, stepKeyOf } from './transferIds';
import { TransferState } from './transferState';

export interface TransferStep {
  name: TransferStepName;
  command: AccountCommand;
  /** Derived Idempotency-Key: asking the same step twice replays the first answer. */
  idempotencyKey: string;
}

export type StepResult =
  | { kind: 'done' }
  /** The account said no (a business rejection): definitive, never retried. */
  | { kind: 'refused'; code: string; detail: string }
  /** Transient failures outlasted the retry budget. */
  | { kind: 'abandoned'; detail: string };

/** A `void` record that takes a leg's transaction id so the leg can never commit later. */
export interface LegFence {
  transactionId: string;
  accountId: string;
  amount: number;
  currency: string;
}

export interface StepDecision {
  events: TransferEvent[];
  fence: LegFence | null;
}

export const retriesExhausted = 'step_retries_exhausted';

export type TransferRequest = TransferRequested['data'];

export type RequestDecision =
  | { kind: 'new'; events: TransferEvent[] }
  /** The same transfer was requested before: answer with its original outcome. */
  | { kind: 'repeat' }
  | { kind: 'conflict'; detail: string };

export function decideRequest(request: TransferRequest, state: TransferState): RequestDecision {
  if (state.status === 'NONE') return { kind: 'new', events: [{ type: 'TransferRequested', data: { ...request } }] };
  const same =
    state.sourceAccountId === request.sourceAccountId &&
    state.destinationAccountId === request.destinationAccountId &&
    state.amount === request.amount &&
    state.currency === request.currency;
  if (same) return { kind: 'repeat' };
  return { kind: 'conflict', detail: `Transfer ${request.transferId} was already requested with a different payload` };
}

export function nextStep(state: TransferState): TransferStep | null {
  if (state.status !== 'PENDING' || state.stage === null) return null;
  const { transferId, sourceAccountId, destinationAccountId, amount, currency } = state;
  const holdId = holdIdOf(transferId);
  const idempotencyKey = stepKeyOf(transferId, state.stage);
  switch (state.stage) {
    case 'hold':
      return {
        name: 'hold',
        idempotencyKey,
        command: { type: 'PlaceHold', accountId: sourceAccountId, holdId, transferId, amount, currency, counterpartyId: destinationAccountId },
      };
    case 'credit':
      return {
        name: 'credit',
        idempotencyKey,
        command: { type: 'CreditTransfer', accountId: destinationAccountId, transferId, amount, currency, counterpartyId: sourceAccountId },
      };
    case 'capture':
      return { name: 'capture', idempotencyKey, command: { type: 'CaptureHold', accountId: sourceAccountId, holdId } };
    case 'release':
      return {
        name: 'release',
        idempotencyKey,
        command: { type: 'ReleaseHold', accountId: sourceAccountId, holdId, reason: state.failure?.reason ?? 'transfer_failed' },
      };
  }
}

/** Whether a step may end the transfer when its retries run out (see the header). */
export function isAbandonable(step: TransferStepName): boolean {
  return step === 'hold' || step === 'credit';
}

export function onStepResult(state: TransferState, step: TransferStepName, result: StepResult): StepDecision {
  assert.equal(state.stage, step, `step ${step} answered while the transfer is at ${String(state.stage)}`);
  const { transferId } = state;
  const none: StepDecision = { events: [], fence: null };
  if (result.kind === 'abandoned') {
    if (!isAbandonable(step)) return none;
    const failure = { transferId, reason: retriesExhausted, stage: step, detail: result.detail };
    return { events: [{ type: 'TransferCompensationStarted', data: failure }], fence: fenceOf(state, step === 'hold' ? 'hold' : 'credit') };
  }
  const refused = result.kind === 'refused' ? { transferId, reason: result.code, stage: step, detail: result.detail } : null;
  switch (step) {
    case 'hold':
      if (refused) return { events: [{ type: 'TransferFailed', data: refused }], fence: null };
      return { events: [{ type: 'TransferFundsHeld', data: { transferId, holdId: holdIdOf(transferId) } }], fence: null };
    case 'credit':
      if (refused) return { events: [{ type: 'TransferCompensationStarted', data: refused }], fence: null };
      return { events: [{ type: 'TransferDestinationCredited', data: { transferId } }], fence: null };
    case 'capture':
      // A refused capture means the hold is gone although the destination was credited: it cannot
      // happen through this process; the transfer ends FAILED at stage capture for an operator.
      if (refused) return { events: [{ type: 'TransferFailed', data: refused }], fence: null };
      return { events: [{ type: 'TransferCompleted', data: { transferId } }], fence: null };
    case 'release': {
      // Released, or there was nothing to release (the hold was fenced before it was placed).
      const failure = state.failure ?? { reason: 'transfer_failed', stage: 'release' as const, detail: '' };
      return { events: [{ type: 'TransferFailed', data: { transferId, ...failure } }], fence: null };
    }
  }
}

function fenceOf(state: TransferState, leg: 'hold' | 'credit'): LegFence {
  const accountId = leg === 'hold' ? state.sourceAccountId : state.destinationAccountId;
  return { transactionId: legTransactionIdOf(state.transferId, leg), accountId, amount: state.amount, currency: state.currency };
}

export function evolveTransfer(state: TransferState, event: TransferEvent, version: number, at: string): TransferState {
  assert.equal(version, state.version + 1, `transfer event version ${version} does not follow ${state.version}`);
  const next: TransferState = { ...state, version, updatedAt: at };
  switch (event.type) {
    case 'TransferRequested': {
      assert.equal(state.status, 'NONE', 'TransferRequested on an existing transfer');
      const { sourceAccountId, destinationAccountId, amount, currency } = event.data;
      return { ...next, status: 'PENDING', stage: 'hold', sourceAccountId, destinationAccountId, amount, currency, createdAt: at };
    }
    case 'TransferFundsHeld':
      return { ...next, stage: 'credit' };
    case 'TransferDestinationCredited':
      return { ...next, stage: 'capture' };
    case 'TransferCompensationStarted': {
      const { reason, stage, detail } = event.data;
      return { ...next, stage: 'release', failure: { reason, stage, detail } };
    }
    case 'TransferCompleted':
      return { ...next, status: 'COMPLETED', stage: null };
    case 'TransferFailed': {
      const { reason, stage, detail } = event.data;
      return { ...next, status: 'FAILED', stage: null, failure: { reason, stage, detail } };
    }
  }
}
