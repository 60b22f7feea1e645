// Decides one actor turn: every queued command, in order, against the account's in-memory state.
// Pure: what was already recorded (idempotency keys, transaction ids) comes in as maps, time and
// ids come in as functions. The result is everything the turn must append in one transaction and
// the response each caller gets once it commits.
import { decide, evolve, isRejection } from '../domain/account/accountDecider';
import { AccountCommand } from '../domain/account/accountCommands';
import { AccountState } from '../domain/account/accountState';
import { IdempotencyRecord, TransactionRecord } from '../ports/commandRecords';
import { NewEvent } from '../ports/storedEvent';
import { accountView } from './accountView';
import { Movement, movementOf, sameMovement } from './moneyMovement';
import { CommandOutcome, CommandRequest } from './commandRequest';
import { problemResponse } from './problem';
import { rejectionStatus } from './rejectionStatus';

export interface KnownRecords {
  idempotency: Map<string, IdempotencyRecord>;
  transactions: Map<string, TransactionRecord>;
}

export interface TurnClock {
  newId: () => string;
  now: () => string;
}

export interface TurnPlan {
  /** One per request, in request order. */
  outcomes: CommandOutcome[];
  state: AccountState;
  events: NewEvent[];
  transactions: TransactionRecord[];
  idempotency: IdempotencyRecord[];
}

export function planAccountTurn(
  start: AccountState,
  requests: readonly CommandRequest[],
  known: KnownRecords,
  clock: TurnClock,
): TurnPlan {
  const plan: TurnPlan = { outcomes: [], state: start, events: [], transactions: [], idempotency: [] };
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
      plan.outcomes.push(problemResponse(rejectionStatus[decision.rejected], decision.rejected, decision.detail));
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
    // A repeat the decider recognised itself (a hold already open) changes nothing and records nothing.
    if (decision.events.length === 0) continue;
    const record: IdempotencyRecord = {
      key: request.idempotencyKey,
      requestHash: request.requestHash,
      operation: request.operation,
      response: outcome,
      createdAt: occurredAt,
    };
    plan.idempotency.push(record);
    idempotency.set(record.key, record);
    const movement = movementOf(request.command);
    if (movement) {
      const recorded = transactionRecord(movement, plan.state.version, outcome, occurredAt);
      plan.transactions.push(recorded);
      transactions.set(recorded.transactionId, recorded);
    }
  }
  return plan;
}

/** The recorded outcome when this request repeats an earlier one, or a conflict when it reuses an id. */
function replayOf(
  request: CommandRequest,
  idempotency: Map<string, IdempotencyRecord>,
  transactions: Map<string, TransactionRecord>,
): CommandOutcome | null {
  const earlier = idempotency.get(request.idempotencyKey);
  if (earlier) {
    if (earlier.requestHash === request.requestHash) return { ...earlier.response, replayed: true };
    return problemResponse(
      422,
      'idempotency_key_reused',
      `Idempotency-Key ${request.idempotencyKey} was already used for a different request`,
    );
  }
  const movement = movementOf(request.command);
  if (!movement) return null;
  const recorded = transactions.get(movement.transactionId);
  if (!recorded) return null;
  if (sameMovement(recorded, movement)) return { ...recorded.response, replayed: true };
  return problemResponse(
    409,
    'transaction_id_reused',
    `Transaction ${movement.transactionId} was already used for a different money movement`,
  );
}

function transactionRecord(movement: Movement, version: number, response: CommandOutcome, at: string): TransactionRecord {
  return { ...movement, streamVersion: version, response, createdAt: at };
}

function successOutcome(command: AccountCommand, state: AccountState, last: NewEvent | undefined): CommandOutcome {
  const view = accountView(state);
  const eventId = last?.eventId ?? null;
  switch (command.type) {
    case 'OpenAccount':
      return { status: 201, body: { ...view, eventId } };
    case 'DepositMoney':
    case 'WithdrawMoney': {
      const type = command.type === 'DepositMoney' ? 'deposit' : 'withdrawal';
      return { status: 201, body: { ...view, transactionId: command.transactionId, amount: command.amount, type, eventId } };
    }
    case 'PlaceHold':
    case 'CaptureHold':
    case 'ReleaseHold':
      return { status: 200, body: { ...view, holdId: command.holdId, eventId } };
    case 'CreditTransfer':
      return { status: 200, body: { ...view, transferId: command.transferId, amount: command.amount, eventId } };
    case 'FreezeAccount':
      return { status: 200, body: { ...view, reason: command.reason, eventId } };
    case 'UnfreezeAccount':
      return { status: 200, body: { ...view, eventId } };
  }
}
