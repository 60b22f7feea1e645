// What the transfer suites share: the account side of one node (a journal, the actor system and the
// command bus in front of it) on a given store, and the transfer registry settings they all use.
import { randomUUID } from 'node:crypto';
import { ActorSystem } from '../../actors/system/actorSystem';
import { TransferRegistryDeps } from '../../actors/transfer/transferRegistry';
import { CommandBus } from '../../src/app/commandBus';
import { noFaults } from '../../src/app/faults';
import { JournalWriter } from '../../src/app/journalWriter';
import { limits } from '../../src/config/limits';
import { freshResponse } from '../../src/http/outcomeResponse';
import { Logger } from '../../src/infra/logger';
import { EventStore } from '../../src/ports/eventStore';
import { SnapshotStore } from '../../src/ports/snapshotStore';

export const now = (): string => new Date().toISOString();

export interface AccountSide {
  journal: JournalWriter;
  system: ActorSystem;
  accounts: CommandBus;
}

/** A node's account side on `store`: two journal transactions at most, actors that never passivate in a test. */
export function accountSide(store: EventStore, snapshots: SnapshotStore, logger: Logger): AccountSide {
  const journal = new JournalWriter(store, 2);
  const system = new ActorSystem({
    store, snapshots, journal, newId: randomUUID, now, render: freshResponse,
    idleMs: 60_000, snapshotIntervalVersions: 1_000, commandTimeoutMs: limits.commandTimeoutMs, logger,
  });
  return { journal, system, accounts: new CommandBus((request) => system.dispatch(request)) };
}

/** The registry settings every transfer suite shares: no faults, quick bounded retries. */
export function transferRegistryBase(store: EventStore, journal: JournalWriter, logger: Logger)
  : Omit<TransferRegistryDeps, 'accounts' | 'openTransfers'> {
  return { store, journal, newId: randomUUID, now, faults: noFaults, render: freshResponse, logger, retry: { attemptsMax: 3, backoffBaseMs: 1, backoffMaxMs: 4 } };
}
