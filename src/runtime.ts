// The composition root as a function: builds storage, the journal writer, the actor system, the
// command bus and the HTTP app for a configuration. main.ts runs it; tests start it in-process.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { ActorSystem } from '../actors/system/actorSystem';
import { CommandBus } from './app/commandBus';
import { JournalWriter } from './app/journalWriter';
import { Config } from './config/config';
import { createApp } from './http/createApp';
import { ReadinessReport } from './http/healthRoutes';
import { Logger } from './infra/logger';
import { Storage, openStorage } from './storage';

export interface Runtime {
  config: Config;
  app: Express;
  storage: Storage;
  journal: JournalWriter;
  system: ActorSystem;
  commands: CommandBus;
  /** Stops taking commands, waits (bounded) for in-flight ones, stops actors and closes storage. */
  shutdown(drainMs: number): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const storage = await openStorage(config.storage, config.pgPoolMax, logger);
  const journal = new JournalWriter(storage.store, config.journalConcurrentTransactions);
  const system = new ActorSystem({
    store: storage.store,
    snapshots: storage.snapshots,
    journal,
    newId: randomUUID,
    now: () => new Date().toISOString(),
    idleMs: config.accountIdleMs,
    snapshotIntervalVersions: config.snapshotIntervalVersions,
    commandTimeoutMs: config.commandTimeoutMs,
    logger: logger.child({ component: 'actor-system' }),
  });
  const commands = new CommandBus((request) => system.dispatch(request));
  let shuttingDown = false;
  const readiness = async (): Promise<ReadinessReport> => {
    const database = (await storage.healthy()) ? 'up' : 'down';
    const checks: ReadinessReport['checks'] = { database, accepting: shuttingDown ? 'down' : 'up' };
    return { ready: Object.values(checks).every((check) => check === 'up'), checks };
  };
  const app = createApp({ commands, health: { readiness }, logger });
  return {
    config,
    app,
    storage,
    journal,
    system,
    commands,
    shutdown: async (drainMs) => {
      shuttingDown = true;
      commands.stopAccepting();
      await system.drain(drainMs);
      await storage.close();
    },
  };
}
