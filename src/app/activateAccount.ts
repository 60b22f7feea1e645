// Activation: the latest snapshot (when its schema is known) plus the tail of the stream.
import { evolve } from '../domain/account/accountDecider';
import { AccountEvent, accountStreamId } from '../domain/account/accountEvents';
import { AccountState, accountSnapshotSchemaVersion, initialAccountState } from '../domain/account/accountState';
import { limits } from '../config/limits';
import { EventStore } from '../ports/eventStore';
import { SnapshotStore } from '../ports/snapshotStore';
import { StoredEvent } from '../ports/storedEvent';

export async function activateAccount(
  accountId: string,
  store: Pick<EventStore, 'readStream'>,
  snapshots: SnapshotStore,
): Promise<AccountState> {
  const snapshot = await snapshots.load(accountStreamId(accountId));
  const start =
    snapshot && snapshot.schemaVersion === accountSnapshotSchemaVersion
      ? (snapshot.state as unknown as AccountState)
      : initialAccountState(accountId);
  return catchUp(start, store);
}

/** Folds every event after the state's version (used on activation and after a version conflict). */
export async function catchUp(state: AccountState, store: Pick<EventStore, 'readStream'>): Promise<AccountState> {
  const streamId = accountStreamId(state.accountId);
  let current = state;
  for (;;) {
    const page = await store.readStream(streamId, current.version, limits.activationReadEventsMax);
    current = page.reduce(foldStored, current);
    if (page.length < limits.activationReadEventsMax) return current;
  }
}

export function foldStored(state: AccountState, stored: StoredEvent): AccountState {
  const event = { type: stored.type, data: stored.data } as unknown as AccountEvent;
  return evolve(state, event, stored.streamVersion, stored.occurredAt);
}
