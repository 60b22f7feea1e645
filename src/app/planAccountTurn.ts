// Decides one actor turn: every queued command, in order, against the account's in-memory state.
// Pure: what was already recorded (idempotency keys, transaction ids) comes in as maps, time and
// ids come in as functions. The result is everything the turn must append in one transaction and
// the response each caller gets once it commits.
//
// Every decision records its outcome under the request's Idempotency-Key: a success with its events
// (and its transaction record), a decider's no-op, and a business rejection (only the key: its
// transaction id stays free). A retry with the same key therefore replays the first decision and
// can never decide differently. What is not a decision records nothing: replays, reused keys or
// transaction ids (answered from records), and the turn runner's own answers (concurrency_conflict).
import { decide, evolve, isRejection } from '../domain/account/accountDecider';
import { AccountCommand } from '../domain/account/accountCommands';
import { AccountState } from '../domain/account/accountState';
import { Accepted, CommandOutcome, Decision, RenderOutcome } from '../ports/commandOutcome';
import { IdempotencyRecord, RecordedResponse, TransactionRecord } from '../ports/commandRecords';
import { NewEvent } from '../ports/storedEvent';
import { accountView } from './accountView';
import { Movement, movementOf, sameMovement } from './moneyMovement';
import { CommandRequest } from './commandRequest';

export interface KnownRecords {
  idempotency: Map<string, IdempotencyRecord>;
  transactions: Map<string, TransactionRecord>;
}

export interface TurnClock {
  newId: () => string;
  now: () => string;
  /** How records keep a decision (the edge's rendering, replayed byte for byte). */
  render: RenderOutcome;
}

export interface TurnPlan {
  /** One per request, in request order. */
  outcomes: CommandOutcome[];
  state: AccountState;
  events: NewEvent[];
  transactions: TransactionRecord[];
  idempotency: IdempotencyRecord[];
  /** Transaction ids of rejected movements, decided as free: the append checks they still are. */
  freeTransactionIds: string[];
}

export function planAccountTurn(
  start: AccountState,
  requests: readonly CommandRequest[],
  known: KnownRecords,
  clock: TurnClock,
): TurnPlan {
  const plan: TurnPlan = { outcomes: [], state: start, events: [], transactions: [], idempotency: [], freeTransactionIds: [] };
  const idempotency = new Map(known.idempotency);
  const transactions = new Map(known.transactions);
  for (const request of requests) {
    const replay = replayOf(request, idempotency, transactions);
    if (replay) {
      plan.outcomes.push(replay);
      continue;
    }
    const decision = decide(request.command, plan.state);
    if (isRejection(decision)) {
      // The rejection is recorded under the key (never under the transaction id, which stays free
      // for a movement that can succeed) in the turn's append, which is checked against the version
      // it was decided at: a retry with this key replays it instead of deciding again.
      const rejection: Decision = { kind: 'rejected', code: decision.rejected, detail: decision.detail };
      plan.outcomes.push(rejection);
      recordKey(plan, idempotency, request, clock.render(rejection), clock.now());
      // Decided as if the transaction id were unused; if it is recorded, the answer is that record's.
      const rejected = movementOf(request.command);
      if (rejected) plan.freeTransactionIds.push(rejected.transactionId);
      continue;
    }
    const occurredAt = clock.now();
    // The actor (who issued the command, when the client said) rides in the metadata: it is not a
    // fact about the account, so the decider never sees it and the event data stays the same.
    const metadata = {
      commandId: request.idempotencyKey,
      correlationId: request.correlationId,
      causationId: null,
      ...(request.actor !== undefined && { actor: request.actor }),
    };
    for (const event of decision.events) {
      const stored: NewEvent = { eventId: clock.newId(), type: event.type, data: { ...event.data }, metadata, occurredAt };
      plan.state = evolve(plan.state, event, plan.state.version + 1, occurredAt);
      plan.events.push(stored);
    }
    const outcome = successOutcome(request.command, plan.state, decision.events.length > 0 ? plan.events[plan.events.length - 1] : undefined);
    plan.outcomes.push(outcome);
    // A repeat the decider recognised itself (a hold already open) appends no event but records like
    // any decision: its key and transaction id are then checked by the append, which catches the
    // original's records and replays them.
    const response = clock.render(outcome);
    recordKey(plan, idempotency, request, response, occurredAt);
    const movement = movementOf(request.command);
    if (movement) {
      const recorded = transactionRecord(movement, plan.state.version, response, occurredAt);
      plan.transactions.push(recorded);
      transactions.set(recorded.transactionId, recorded);
    }
  }
  return plan;
}

/** Records the decision's outcome under the request's Idempotency-Key, in the plan and for the rest of the turn. */
function recordKey(plan: TurnPlan, idempotency: Map<string, IdempotencyRecord>, request: CommandRequest, response: RecordedResponse, at: string): void {
  const record: IdempotencyRecord = {
    key: request.idempotencyKey,
    requestHash: request.requestHash,
    operation: request.operation,
    response,
    createdAt: at,
  };
  plan.idempotency.push(record);
  idempotency.set(record.key, record);
}

/** The recorded outcome when this request repeats an earlier one, or a conflict when it reuses an id. */
function replayOf(
  request: CommandRequest,
  idempotency: Map<string, IdempotencyRecord>,
  transactions: Map<string, TransactionRecord>,
): CommandOutcome | null {
  const earlier = idempotency.get(request.idempotencyKey);
  if (earlier) {
    if (earlier.requestHash === request.requestHash) return { kind: 'replayed', original: earlier.response };
    return {
      kind: 'rejected',
      code: 'idempotency_key_reused',
      detail: `Idempotency-Key ${request.idempotencyKey} was already used for a different request`,
    };
  }
  const movement = movementOf(request.command);
  if (!movement) return null;
  const recorded = transactions.get(movement.transactionId);
  if (!recorded) return null;
  if (sameMovement(recorded, movement)) return { kind: 'replayed', original: recorded.response };
  return {
    kind: 'rejected',
    code: 'transaction_id_reused',
    detail: `Transaction ${movement.transactionId} was already used for a different money movement`,
  };
}

function transactionRecord(movement: Movement, version: number, response: RecordedResponse, at: string): TransactionRecord {
  return { ...movement, streamVersion: version, response, createdAt: at };
}

function successOutcome(command: AccountCommand, state: AccountState, last: NewEvent | undefined): Accepted {
  const accepted = (view: Record<string, unknown>): Accepted => ({ kind: 'accepted', command: command.type, view, version: state.version });
  const view = accountView(state);
  const eventId = last?.eventId ?? null;
  switch (command.type) {
    case 'OpenAccount':
      return accepted({ ...view, eventId });
    case 'DepositMoney':
    case 'WithdrawMoney': {
      const type = command.type === 'DepositMoney' ? 'deposit' : 'withdrawal';
      return accepted({ ...view, transactionId: command.transactionId, amount: command.amount, type, eventId });
    }
    case 'PlaceHold':
    case 'CaptureHold':
    case 'ReleaseHold':
      return accepted({ ...view, holdId: command.holdId, eventId });
    case 'CreditTransfer':
      return accepted({ ...view, transferId: command.transferId, amount: command.amount, eventId });
    case 'FreezeAccount':
      return accepted({ ...view, reason: command.reason, eventId });
    case 'UnfreezeAccount':
      return accepted({ ...view, eventId });
  }
}
