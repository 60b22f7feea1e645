// A transfer's state, folded from its stream in the event store (the write side). Each stored event
// is decoded with the schemas the transfer projection uses before evolveTransfer() folds it; one
// that does not decode fails the load with an UndecodableEventError naming it.
import { limits } from '../../config/limits';
import { evolveTransfer } from '../../domain/transfer/transferDecider';
import { TransferEvent } from '../../domain/transfer/transferEvents';
import { transferStreamId } from '../../domain/transfer/transferIds';
import { TransferState, initialTransferState } from '../../domain/transfer/transferState';
import { EventStore } from '../../ports/eventStore';
import { NewEvent, StoredEvent } from '../../ports/storedEvent';
import { decodeDomainEvent } from '../events/decodeDomainEvent';
import { transferEventSchemas } from '../events/transferEventSchemas';

export async function loadTransfer(transferId: string, store: Pick<EventStore, 'readStream'>): Promise<TransferState> {
  let state = initialTransferState(transferId);
  for (;;) {
    const page = await store.readStream(transferStreamId(transferId), state.version, limits.activationReadEventsMax);
    state = page.reduce(foldTransferEvent, state);
    if (page.length < limits.activationReadEventsMax) return state;
  }
}

export function foldTransferEvent(state: TransferState, stored: StoredEvent): TransferState {
  return evolveTransfer(state, decodeDomainEvent<TransferEvent>(transferEventSchemas, stored), stored.streamVersion, stored.occurredAt);
}

export interface StagedTransferEvents {
  /** The decided events, stamped for the store. */
  events: NewEvent[];
  /** The state they lead to once appended. */
  next: TransferState;
  occurredAt: string;
}

/** Stamps decided transfer events (ids, time, metadata) and folds them into the state after the append. */
export function stageTransferEvents(
  state: TransferState,
  decided: readonly TransferEvent[],
  cause: { commandId: string; correlationId: string },
  clock: { newId: () => string; now: () => string },
): StagedTransferEvents {
  const occurredAt = clock.now();
  const metadata = { ...cause, causationId: null };
  const events = decided.map((event) => ({ eventId: clock.newId(), type: event.type, data: { ...event.data }, metadata, occurredAt }));
  const next = decided.reduce((current, event, index) => evolveTransfer(current, event, state.version + index + 1, occurredAt), state);
  return { events, next, occurredAt };
}

/** The Kafka topic (aggregate kind) transfer events are published to. */
export const transferTopic = 'acta.transfer';
