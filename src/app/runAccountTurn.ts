// One actor turn with its I/O: look up recorded keys and transaction ids, plan, append everything
// in one transaction through the journal writer, and on a conflict (another node wrote the
// stream, or took a key or transaction id first) reload and plan again, a bounded number of times.
import { limits } from '../config/limits';
import { accountStreamId } from '../domain/account/accountEvents';
import { AccountState } from '../domain/account/accountState';
import { AppendResult, EventStore, StreamAppend } from '../ports/eventStore';
import { catchUp } from './activateAccount';
import { movementOf } from './moneyMovement';
import { CommandOutcome, CommandRequest } from './commandRequest';
import { TurnClock, planAccountTurn } from './planAccountTurn';
import { problemResponse } from './problem';

export interface TurnDeps extends TurnClock {
  store: Pick<EventStore, 'findIdempotency' | 'findTransactions' | 'readStream'>;
  journal: { append(append: StreamAppend): Promise<AppendResult> };
  /** Called after each commit with the new state, e.g. to take a snapshot. */
  committed?: (before: AccountState, after: AccountState) => void;
}

export interface TurnResult {
  state: AccountState;
  outcomes: CommandOutcome[];
  /** Events appended by this turn (0 when every command was rejected or replayed). */
  appendedEvents: number;
}

export const accountTopic = 'acta.account';

export async function runAccountTurn(deps: TurnDeps, start: AccountState, requests: readonly CommandRequest[]): Promise<TurnResult> {
  let state = start;
  for (let attempt = 0; attempt <= limits.conflictRetriesMax; attempt += 1) {
    const known = await lookUp(deps, requests);
    const plan = planAccountTurn(state, requests, known, deps);
    if (plan.events.length === 0) return { state, outcomes: plan.outcomes, appendedEvents: 0 };
    const result = await deps.journal.append({
      streamId: accountStreamId(state.accountId),
      expectedVersion: state.version,
      events: plan.events,
      topic: accountTopic,
      transactions: plan.transactions,
      idempotency: plan.idempotency,
    });
    if (result.ok) {
      deps.committed?.(state, plan.state);
      return { state: plan.state, outcomes: plan.outcomes, appendedEvents: plan.events.length };
    }
    state = await catchUp(state, deps.store);
  }
  const outcome = problemResponse(409, 'concurrency_conflict', 'Another writer kept changing this account; retry with the same Idempotency-Key');
  return { state, outcomes: requests.map(() => outcome), appendedEvents: 0 };
}

async function lookUp(deps: TurnDeps, requests: readonly CommandRequest[]) {
  const keys = requests.map((request) => request.idempotencyKey);
  const transactionIds = requests.flatMap((request) => movementOf(request.command)?.transactionId ?? []);
  const [idempotency, transactions] = await Promise.all([
    deps.store.findIdempotency(keys),
    transactionIds.length > 0 ? deps.store.findTransactions(transactionIds) : Promise.resolve(new Map()),
  ]);
  return { idempotency, transactions };
}
