// One actor turn with its I/O: plan, append everything in one transaction through the journal
// writer, and on a conflict (another node wrote the stream, or a key or transaction id was taken
// before) reload, look up the recorded keys and transaction ids and plan again, a bounded number of
// times.
//
// The first attempt plans without looking anything up: almost every command carries a fresh
// Idempotency-Key and transaction id, and the append's unique keys (idempotency_records,
// transaction_records) catch the rare repeat, which then takes the careful path. That saves two
// queries per turn, which is most of the cost of a command on an account that sees one at a time.
// It is sound because every decision writes its key (planAccountTurn.ts), rejections and no-ops
// included: a withdrawal retried after it emptied the account is decided as insufficient_funds at
// first, its key collides with the original's, and the retry replays the original 201. The same
// retry under a new key records nothing under the transaction id, but the append checks the id is
// still free (freeTransactionIds) and conflicts, so it replays too. An answer the plan takes from a
// record (a repeat inside the turn) depends on a record the same append writes.
//
// A turn whose commands all write only records (rejections) still appends: zero events, at the
// stream's expected version. The store refuses it with stream_version when the stream moved since
// the decision, like any append, and then the turn reloads and decides again. A concurrent writer
// whose commit the append cannot see yet is serialized after the rejection: the rejection read the
// stream at its version and wrote nothing the writer reads, so no order of the two contradicts it.
// For an account that does not exist (account_not_found) the append writes the idempotency record
// and nothing else: no event, so the stream is still not created.
import { setTimeout as delay } from 'node:timers/promises';
import { limits } from '../config/limits';
import { accountStreamId } from '../domain/account/accountEvents';
import { AccountState } from '../domain/account/accountState';
import { AppendResult, EventStore, StreamAppend } from '../ports/eventStore';
import { catchUp } from './activateAccount';
import { movementOf } from './moneyMovement';
import { CommandOutcome } from '../ports/commandOutcome';
import { CommandRequest } from './commandRequest';
import { KnownRecords, TurnClock, planAccountTurn } from './planAccountTurn';

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
  /** Appends of this turn refused because another writer (another node's actor) moved the stream first. */
  versionConflicts: number;
}

export const accountTopic = 'acta.account';

export async function runAccountTurn(deps: TurnDeps, start: AccountState, requests: readonly CommandRequest[]): Promise<TurnResult> {
  let state = start;
  // null until looked up: the optimistic first attempt plans as if nothing were recorded.
  let known: KnownRecords | null = null;
  let versionConflicts = 0;
  for (let attempt = 0; attempt <= limits.conflictRetriesMax; attempt += 1) {
    const plan = planAccountTurn(state, requests, known ?? noRecords(), deps);
    // Only replays: nothing to write, nothing whose version could matter.
    if (plan.idempotency.length === 0 && plan.events.length === 0) return { state, outcomes: plan.outcomes, appendedEvents: 0, versionConflicts };
    const result = await deps.journal.append({
      streamId: accountStreamId(state.accountId),
      expectedVersion: state.version,
      events: plan.events,
      topic: accountTopic,
      transactions: plan.transactions,
      idempotency: plan.idempotency,
      freeTransactionIds: plan.freeTransactionIds,
    });
    if (result.ok) {
      deps.committed?.(state, plan.state);
      return { state: plan.state, outcomes: plan.outcomes, appendedEvents: plan.events.length, versionConflicts };
    }
    // Nothing of this turn was written. Whatever the conflict, the next attempt knows what is
    // recorded; only a version conflict can have moved the stream. Two nodes' actors racing on one
    // account would otherwise collide again in lockstep: the loser waits a random moment first.
    if (result.conflict === 'stream_version') {
      versionConflicts += 1;
      await delay(Math.random() * limits.conflictRetryJitterMsMax * (attempt + 1));
    }
    [state, known] = await Promise.all([
      result.conflict === 'stream_version' ? catchUp(state, deps.store) : state,
      lookUp(deps, requests),
    ]);
  }
  const outcome: CommandOutcome = {
    kind: 'unavailable',
    code: 'concurrency_conflict',
    detail: 'Another writer kept changing this account; retry with the same Idempotency-Key',
  };
  return { state, outcomes: requests.map(() => outcome), appendedEvents: 0, versionConflicts };
}

function noRecords(): KnownRecords {
  return { idempotency: new Map(), transactions: new Map() };
}

async function lookUp(deps: TurnDeps, requests: readonly CommandRequest[]): Promise<KnownRecords> {
  const keys = requests.map((request) => request.idempotencyKey);
  const transactionIds = requests.flatMap((request) => movementOf(request.command)?.transactionId ?? []);
  const [idempotency, transactions] = await Promise.all([
    deps.store.findIdempotency(keys),
    transactionIds.length > 0 ? deps.store.findTransactions(transactionIds) : Promise.resolve(new Map()),
  ]);
  return { idempotency, transactions };
}
