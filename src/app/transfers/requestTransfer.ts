// POST /api/transfers: validates the transfer against the write side (both accounts exist, differ
// and hold the transfer's currency), then records TransferRequested durably, together with the
// request's Idempotency-Key. Only then is the answer 202: the transfer process takes it from there.
// A refusal (unknown account, currency mismatch) is recorded under the key too, with no event (the
// transfer stream is not created), checked against the stream still being empty. A repeat with the
// same key replays the recorded answer byte for byte; the same transferId with the same payload
// under another key answers with the transfer as it stands; a different payload under the same
// transferId is 409, under the same key 422.
import { limits } from '../../config/limits';
import { AccountState } from '../../domain/account/accountState';
import { TransferRequest, decideRequest } from '../../domain/transfer/transferDecider';
import { transferStreamId } from '../../domain/transfer/transferIds';
import { TransferState } from '../../domain/transfer/transferState';
import { Accepted, CommandOutcome, Decision, Rejected, RenderOutcome } from '../../ports/commandOutcome';
import { EventStore, StreamAppend, AppendResult } from '../../ports/eventStore';
import { SnapshotStore } from '../../ports/snapshotStore';
import { activateAccount } from '../activateAccount';
import { CommandRequest } from '../commandRequest';
import { transferTopic, loadTransfer, stageTransferEvents } from './loadTransfer';
import { transferView } from '../transferView';

export interface RequestTransferDeps {
  store: Pick<EventStore, 'readStream' | 'findIdempotency'>;
  snapshots: SnapshotStore;
  journal: { append(append: StreamAppend): Promise<AppendResult> };
  newId: () => string;
  now: () => string;
  /** How the record keeps the answer (the edge's rendering, replayed byte for byte). */
  render: RenderOutcome;
}

export type TransferCommandRequest = CommandRequest<TransferRequest>;

export async function requestTransfer(deps: RequestTransferDeps, request: TransferCommandRequest): Promise<CommandOutcome> {
  for (let attempt = 0; attempt <= limits.conflictRetriesMax; attempt += 1) {
    const recorded = (await deps.store.findIdempotency([request.idempotencyKey])).get(request.idempotencyKey);
    if (recorded) {
      if (recorded.requestHash !== request.requestHash) {
        return { kind: 'rejected', code: 'idempotency_key_reused', detail: `Idempotency-Key ${request.idempotencyKey} was already used for a different request` };
      }
      return { kind: 'replayed', original: recorded.response };
    }
    const state = await loadTransfer(request.command.transferId, deps.store);
    const decision = decideRequest(request.command, state);
    if (decision.kind === 'repeat') return { kind: 'replayed', original: accepted(state) };
    if (decision.kind === 'conflict') return { kind: 'rejected', code: 'transfer_id_reused', detail: decision.detail };
    const invalid = await invalidAccounts(deps, request.command);
    const cause = { commandId: request.idempotencyKey, correlationId: request.correlationId };
    const { events, next, occurredAt } = invalid ? { events: [], next: state, occurredAt: deps.now() } : stageTransferEvents(state, decision.events, cause, deps);
    const outcome: Decision = invalid ?? accepted(next);
    const result = await deps.journal.append({
      streamId: transferStreamId(request.command.transferId),
      expectedVersion: 0,
      events,
      topic: transferTopic,
      transactions: [],
      idempotency: [{ key: request.idempotencyKey, requestHash: request.requestHash, operation: request.operation, response: deps.render(outcome), createdAt: occurredAt }],
    });
    if (result.ok) return outcome;
    // Someone requested this transfer (or used this key) at the same moment: decide again.
  }
  return {
    kind: 'unavailable',
    code: 'concurrency_conflict',
    detail: 'The transfer kept changing while it was requested; retry with the same Idempotency-Key',
  };
}

function accepted(state: TransferState): Accepted {
  return { kind: 'accepted', command: 'RequestTransfer', view: { ...transferView(state) }, version: state.version };
}

async function invalidAccounts(deps: RequestTransferDeps, request: TransferRequest): Promise<Rejected | null> {
  if (request.sourceAccountId === request.destinationAccountId) {
    return { kind: 'rejected', code: 'same_account', detail: 'The source and destination accounts must differ' };
  }
  const [source, destination] = await Promise.all([
    activateAccount(request.sourceAccountId, deps.store, deps.snapshots),
    activateAccount(request.destinationAccountId, deps.store, deps.snapshots),
  ]);
  return accountRefusal(source, 'source', request.currency) ?? accountRefusal(destination, 'destination', request.currency);
}

function accountRefusal(account: AccountState, role: 'source' | 'destination', currency: string): Rejected | null {
  if (account.status === 'NONE') return { kind: 'rejected', code: 'account_not_found', detail: `The ${role} account ${account.accountId} does not exist` };
  if (account.currency !== currency) {
    return { kind: 'rejected', code: 'currency_mismatch', detail: `The ${role} account ${account.accountId} holds ${account.currency}, not ${currency}` };
  }
  return null;
}
