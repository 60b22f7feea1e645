// Activation: the latest snapshot (when its schema is known) plus the tail of the stream. Each
// stored event is decoded with the schemas the account projection uses before evolve() folds it; an
// event that does not decode fails the activation with an UndecodableEventError naming it.
import { evolve } from '../domain/account/accountDecider';
import { AccountEvent, accountStreamId } from '../domain/account/accountEvents';
import { AccountState, accountSnapshotSchemaVersion, initialAccountState } from '../domain/account/accountState';
import { limits } from '../config/limits';
import { EventStore } from '../ports/eventStore';
import { SnapshotStore } from '../ports/snapshotStore';
import { StoredEvent } from '../ports/storedEvent';
import { accountEventSchemas } from './events/accountEventSchemas';
import { decodeDomainEvent } from './events/decodeDomainEvent';

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
  return evolve(state, decodeDomainEvent<AccountEvent>(accountEventSchemas, stored), stored.streamVersion, stored.occurredAt);
}
