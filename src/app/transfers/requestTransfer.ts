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
import { EventStore, StreamAppend, AppendResult } from '../../ports/eventStore';
import { SnapshotStore } from '../../ports/snapshotStore';
import { activateAccount } from '../activateAccount';
import { CommandOutcome, CommandRequest } from '../commandRequest';
import { problemResponse } from '../problem';
import { transferTopic } from '../transferTopic';
import { transferView } from '../transferView';
import { loadTransfer, stageTransferEvents } from './loadTransfer';

export interface RequestTransferDeps {
  store: Pick<EventStore, 'readStream' | 'findIdempotency'>;
  snapshots: SnapshotStore;
  journal: { append(append: StreamAppend): Promise<AppendResult> };
  newId: () => string;
  now: () => string;
}

export type TransferCommandRequest = CommandRequest<TransferRequest>;

export async function requestTransfer(deps: RequestTransferDeps, request: TransferCommandRequest): Promise<CommandOutcome> {
  for (let attempt = 0; attempt <= limits.conflictRetriesMax; attempt += 1) {
    const recorded = (await deps.store.findIdempotency([request.idempotencyKey])).get(request.idempotencyKey);
    if (recorded) {
      if (recorded.requestHash !== request.requestHash) {
        return problemResponse(422, 'idempotency_key_reused', `Idempotency-Key ${request.idempotencyKey} was already used for a different request`);
      }
      return { ...recorded.response, replayed: true };
    }
    const state = await loadTransfer(request.command.transferId, deps.store);
    const decision = decideRequest(request.command, state);
    if (decision.kind === 'repeat') return { ...accepted(state), replayed: true };
    if (decision.kind === 'conflict') return problemResponse(409, 'transfer_id_reused', decision.detail);
    const invalid = await invalidAccounts(deps, request.command);
    const cause = { commandId: request.idempotencyKey, correlationId: request.correlationId };
    const { events, next, occurredAt } = invalid ? { events: [], next: state, occurredAt: deps.now() } : stageTransferEvents(state, decision.events, cause, deps);
    const outcome = invalid ?? accepted(next);
    const result = await deps.journal.append({
      streamId: transferStreamId(request.command.transferId),
      expectedVersion: 0,
      events,
      topic: transferTopic,
      transactions: [],
      idempotency: [{ key: request.idempotencyKey, requestHash: request.requestHash, operation: request.operation, response: outcome, createdAt: occurredAt }],
    });
    if (result.ok) return outcome;
    // Someone requested this transfer (or used this key) at the same moment: decide again.
  }
  return problemResponse(409, 'concurrency_conflict', 'The transfer kept changing while it was requested; retry with the same Idempotency-Key');
}

function accepted(state: TransferState): CommandOutcome {
  return { status: 202, body: { ...transferView(state) } };
}

async function invalidAccounts(deps: RequestTransferDeps, request: TransferRequest): Promise<CommandOutcome | null> {
  if (request.sourceAccountId === request.destinationAccountId) {
    return problemResponse(422, 'same_account', 'The source and destination accounts must differ');
  }
  const [source, destination] = await Promise.all([
    activateAccount(request.sourceAccountId, deps.store, deps.snapshots),
    activateAccount(request.destinationAccountId, deps.store, deps.snapshots),
  ]);
  return accountRefusal(source, 'source', request.currency) ?? accountRefusal(destination, 'destination', request.currency);
}

function accountRefusal(account: AccountState, role: 'source' | 'destination', currency: string): CommandOutcome | null {
  if (account.status === 'NONE') return problemResponse(404, 'account_not_found', `The ${role} account ${account.accountId} does not exist`);
  if (account.currency !== currency) {
    return problemResponse(422, 'currency_mismatch', `The ${role} account ${account.accountId} holds ${account.currency}, not ${currency}`);
  }
  return null;
}
