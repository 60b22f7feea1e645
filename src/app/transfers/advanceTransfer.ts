// One move of the transfer process with its I/O: send the next step's command to its account actor,
// classify the answer by its kind (accepted: done; rejected: refused; unavailable: transient; a
// replay by what it replays), and record the resulting transfer events (with the leg fence when a
// step is abandoned) in the transfer's stream. The actor shell (actors/transfer) decides when to
// call again. A stopped actor's signal ends the move before it records anything more.
import { StepResult, TransferStep, nextStep, onStepResult } from '../../domain/transfer/transferDecider';
import { transferStreamId } from '../../domain/transfer/transferIds';
import { TransferState } from '../../domain/transfer/transferState';
import { AppendResult, EventStore, StreamAppend } from '../../ports/eventStore';
import { CommandOutcome, FreshOutcome, RenderOutcome } from '../../ports/commandOutcome';
import { RecordedResponse, TransactionRecord } from '../../ports/commandRecords';
import { CommandPort } from '../commandBus';
import { Faults } from '../faults';
import { transferTopic, loadTransfer, stageTransferEvents } from './loadTransfer';

export interface TransferDeps {
  /** Account commands (a CommandBus over the account actors). */
  accounts: CommandPort;
  store: Pick<EventStore, 'readStream'>;
  journal: { append(append: StreamAppend): Promise<AppendResult> };
  newId: () => string;
  now: () => string;
  faults: Faults;
  /** How the leg's fence record keeps its answer (the edge's rendering). */
  render: RenderOutcome;
}

export type Move =
  /** The step was answered and its events recorded (or the stream moved on under us and was reloaded). */
  | { kind: 'moved'; state: TransferState }
  /** The step failed for a reason that may pass (timeout, overload, database down): back off and retry. */
  | { kind: 'transient'; detail: string };

export async function advanceTransfer(deps: TransferDeps, state: TransferState, signal?: AbortSignal): Promise<Move> {
  const step = nextStep(state);
  if (!step) return { kind: 'moved', state };
  signal?.throwIfAborted();
  const outcome = await deps.accounts.execute({
    command: step.command,
    idempotencyKey: step.idempotencyKey,
    requestHash: `transfer.${step.name}`,
    operation: `transfer.${step.name}`,
    correlationId: state.transferId,
  });
  const result = classify(outcome);
  if (result === null) return { kind: 'transient', detail: describe(deps.render, outcome) };
  signal?.throwIfAborted();
  deps.faults.reached(`transfer.${step.name}.answered`);
  const moved = await record(deps, state, step, result);
  deps.faults.reached(`transfer.${step.name}.recorded`);
  return moved;
}

/** Ends a step whose retries ran out (see isAbandonable): records the compensation and the leg's fence. */
export async function abandonStep(deps: TransferDeps, state: TransferState, detail: string, signal?: AbortSignal): Promise<Move> {
  const step = nextStep(state);
  if (!step) return { kind: 'moved', state };
  signal?.throwIfAborted();
  return record(deps, state, step, { kind: 'abandoned', detail });
}

async function record(deps: TransferDeps, state: TransferState, step: TransferStep, result: StepResult): Promise<Move> {
  const decision = onStepResult(state, step.name, result);
  if (decision.events.length === 0) return { kind: 'moved', state };
  const { events, next, occurredAt } = stageTransferEvents(state, decision.events, { commandId: step.idempotencyKey, correlationId: state.transferId }, deps);
  const streamId = transferStreamId(state.transferId);
  const transactions: TransactionRecord[] = decision.fence
    ? [
        {
          ...decision.fence,
          kind: 'void',
          streamVersion: state.version + events.length,
          response: deps.render({ kind: 'rejected', code: 'transfer_leg_void', detail: `Transfer ${state.transferId} gave up this leg` }),
          createdAt: occurredAt,
        },
      ]
    : [];
  const appended = await deps.journal.append({ streamId, expectedVersion: state.version, events, topic: transferTopic, transactions, idempotency: [] });
  // The fence lost: the leg's transaction id is taken, and only the leg itself uses it, so the leg
  // committed although its answer never arrived. Record the step as done.
  if (!appended.ok && appended.conflict === 'transaction_id' && decision.fence) return record(deps, state, step, { kind: 'done' });
  // Another process moved this transfer: reload and let the next move ask again.
  if (!appended.ok) return { kind: 'moved', state: await loadTransfer(state.transferId, deps.store) };
  return { kind: 'moved', state: next };
}

/** done / refused, or null when nothing was decided and the step should be asked again. */
export function classify(outcome: CommandOutcome): StepResult | null {
  if (outcome.kind !== 'replayed') return classifyFresh(outcome);
  return 'kind' in outcome.original ? classifyFresh(outcome.original) : recordedResult(outcome.original);
}

function classifyFresh(outcome: FreshOutcome): StepResult | null {
  switch (outcome.kind) {
    case 'accepted':
      return { kind: 'done' };
    case 'rejected':
      return { kind: 'refused', code: outcome.code, detail: outcome.detail };
    case 'unavailable':
      return null;
  }
}

/**
 * A recorded answer is always a decision (records keep nothing else): a problem body carries the
 * refusal's code, any other body is an acceptance.
 */
function recordedResult(response: RecordedResponse): StepResult {
  const { code, detail } = response.body;
  if (typeof code !== 'string') return { kind: 'done' };
  return { kind: 'refused', code, detail: typeof detail === 'string' ? detail : code };
}

/** The transient answer as the transfer's failure detail shows it, e.g. `503 command_timeout`. */
function describe(render: RenderOutcome, outcome: CommandOutcome): string {
  const original = outcome.kind === 'replayed' ? outcome.original : outcome;
  const { status, body } = 'kind' in original ? render(original) : original;
  return `${status} ${typeof body.code === 'string' ? body.code : 'unknown'}`;
}
