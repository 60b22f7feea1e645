// A transfer's state, folded from its stream in the event store (the write side).
import { limits } from '../../config/limits';
import { evolveTransfer } from '../../domain/transfer/transferDecider';
import { TransferEvent } from '../../domain/transfer/transferEvents';
import { transferStreamId } from '../../domain/transfer/transferIds';
import { TransferState, initialTransferState } from '../../domain/transfer/transferState';
import { EventStore } from '../../ports/eventStore';
import { StoredEvent } from '../../ports/storedEvent';

export async function loadTransfer(transferId: string, store: Pick<EventStore, 'readStream'>): Promise<TransferState> {
  let state = initialTransferState(transferId);
  for (;;) {
    const page = await store.readStream(transferStreamId(transferId), state.version, limits.activationReadEventsMax);
    state = page.reduce(foldTransferEvent, state);
    if (page.length < limits.activationReadEventsMax) return state;
  }
}

export function foldTransferEvent(state: TransferState, stored: StoredEvent): TransferState {
  const event = { type: stored.type, data: stored.data } as unknown as TransferEvent;
  return evolveTransfer(state, event, stored.streamVersion, stored.occurredAt);
}
