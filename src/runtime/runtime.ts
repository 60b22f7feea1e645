// The composition root as a function: builds storage, the journal writer, the actor system, the
// command bus, the read pipeline (outbox relay → message bus → projectors, on its own worker thread
// with Postgres storage) and the HTTP app for a configuration. main.ts runs it; tests start it
// in-process.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { ActorSystem } from '../../actors/system/actorSystem';
import { CommandBus } from '../app/commandBus';
import { JournalWriter } from '../app/journalWriter';
import { ProjectionVersions } from '../app/projectionVersions';
import { Config } from '../config/config';
import { createApp } from '../http/createApp';
import { ReadinessReport } from '../http/healthRoutes';
import { accountQueryRoutes } from '../http/accountQueryRoutes';
import { transferQueryRoutes } from '../http/transferQueryRoutes';
import { AdminPort, adminRoutes } from '../http/adminRoutes';
import { Logger } from '../infra/logger';
import { ReadPipeline, ReadPipelineEvents } from './readPipeline/readPipeline';
import { startInlinePipeline } from './readPipeline/inlinePipeline';
import { WorkerPipeline } from './readPipeline/workerPipeline';
import { ProjectionRebuilder } from '../projections/rebuild/projectionRebuilder';
import { AccountReadModel } from '../ports/readModel';
import { TransferReadModel } from '../ports/transferReadModel';
import { openReadSide } from './readSide';
import { openBus } from './readPipeline/openBus';
import { clusterView } from './clusterView';
import { ProjectorTargets } from './startProjectors';
import { announceNode } from '../infra/postgres/presence/nodePresence';
import { MessageBus } from '../ports/messageBus';
import { Storage, openStorage } from './storage';
import { CommandPort } from '../app/commandBus';
import { TransferRegistry } from '../../actors/transfer/transferRegistry';
import { killAt } from '../app/faults';
import { shuttingDown as shuttingDownOutcome } from '../app/commandBus';
import { freshResponse, outcomeResponse } from '../http/outcomeResponse';
import { limits } from '../config/limits';
import { gateOf } from '../http/shutdownGate';
import { settlesWithin } from '../infra/settlesWithin';
import { requestTransfer } from '../app/transfers/requestTransfer';
import { transferCommandRoutes, TransferPort } from '../http/transferCommandRoutes';
import { consoleRouter } from '../http/consoleRoute';
import { openApiRouter } from '../http/openapi';
import { createMetrics, httpMetricsMiddleware, metricsRouter, recordCommandOutcome, recordJournalBatch, recordProjectionLag, recordTransferSettled, Metrics } from '../infra/metrics';

export interface Runtime {
  config: Config;
  app: Express;
  storage: Storage;
  journal: JournalWriter;
  system: ActorSystem;
  commands: CommandBus;
  /** Outbox relay → bus → projectors (on a worker thread or this one, per READ_PIPELINE_THREAD). */
  pipeline: ReadPipeline;
  readModel: AccountReadModel;
  transferReadModel: TransferReadModel;
  rebuilder: ProjectionRebuilder;
  versions: ProjectionVersions;
  transfers: TransferRegistry;
  /**
   * Stops taking commands at once (readiness 503, the gateway's gate closed), waits (bounded by
   * drainMs) for transfers and commands in flight, stops the actors and the read pipeline, then
   * closes storage last (pool, then embedded Postgres). onStep hears each step as it begins, so a
   * caller whose own bound runs out can say what was still pending. Idempotent.
   */
  shutdown(drainMs: number, onStep?: (step: ShutdownStep) => void): Promise<void>;
}

export type ShutdownStep = 'transfers' | 'commands' | 'read pipeline' | 'storage';

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const storage = await openStorage(config.storage, config.pgPoolMax, logger, { nodeId: config.nodeId });
  // With Postgres the node announces itself (a lock-backed owner in node_owners) for the console's cluster view.
  const presence = storage.pool ? await announceNode(storage.pool, { nodeId: config.nodeId, address: `${config.host}:${config.port}` }, logger) : null;
  // The cluster view's Kafka admin client, opened on first use.
  let adminBus: MessageBus | null = null;
  // The gauges read live state at scrape time; system and projector exist by then.
  const metrics: Metrics = createMetrics(
    {
      liveActors: () => system.stats().live,
      versionConflicts: () => system.stats().versionConflicts,
      transferActors: () => transfers.stats().live,
      mailboxDepth: () => system.actors().reduce((sum, actor) => sum + actor.mailboxDepth, 0),
      outboxStats: () => storage.outbox.stats(),
      projectorStats: () => pipeline?.gaugeStats() ?? { deadLettered: 0, partitions: [] },
    },
    { defaultMetrics: true, nodeId: config.nodeId },
  );
  // The relay is woken right after every commit: no poll interval on the hot path.
  // Assigned once the projectors are subscribed (below): the relay starts after its consumers exist.
  let pipeline: ReadPipeline | null = null;
  const journal = new JournalWriter(storage.store, config.journalConcurrentTransactions, (appends, events, ms) => {
    pipeline?.wake();
    recordJournalBatch(metrics, appends, events, ms);
  });
  const system = new ActorSystem({
    store: storage.store,
    snapshots: storage.snapshots,
    journal,
    newId: randomUUID,
    now: () => new Date().toISOString(),
    idleMs: config.accountIdleMs,
    render: freshResponse,
    snapshotIntervalVersions: config.snapshotIntervalVersions,
    commandTimeoutMs: config.commandTimeoutMs,
    logger: logger.child({ component: 'actor-system' }),
  });
  const commands = new CommandBus((request) => system.dispatch(request));
  // Transfers talk to the account actors through their own bus: it keeps answering while the
  // gateway's bus refuses new client commands during shutdown, so transfers in flight can finish.
  const transferLegs = new CommandBus((request) => system.dispatch(request));
  const newId = randomUUID;
  const now = () => new Date().toISOString();
  const transfers = new TransferRegistry({
    accounts: transferLegs,
    store: storage.store,
    journal,
    newId,
    now,
    faults: killAt(config.faultKillAt ?? undefined),
    render: freshResponse,
    openTransfers: storage.openTransfers,
    logger: logger.child({ component: 'transfers' }),
    onSettled: (how, state) => recordTransferSettled(metrics, how, state?.status ?? null, state?.failure?.reason ?? null),
  });
  const transferPort: TransferPort = {
    request: async (request) => {
      if (shuttingDown) return shuttingDownOutcome;
      const outcome = await requestTransfer({ store: storage.store, snapshots: storage.snapshots, journal, newId, now, render: freshResponse }, request);
      if (outcome.kind === 'accepted' && outcome.view.status === 'PENDING') transfers.start(request.command.transferId);
      return outcome;
    },
  };
  const readSide = openReadSide(storage);
  const { readModel, transferReadModel, rebuilder, audit, versions, transferVersions } = readSide;
  const pipelineEvents: ReadPipelineEvents = {
    applied: (projection, key, version) => (projection === 'accounts' ? versions : transferVersions).applied(key, version),
    lag: (seconds) => recordProjectionLag(metrics, seconds),
  };
  const startedPipeline = await startReadPipeline(config, storage, readSide, pipelineEvents, logger);
  pipeline = startedPipeline;
  // Recovery: transfers left unfinished by an earlier process are resumed from the event store.
  await transfers.startSweeping();

  let shuttingDown = false;
  let shutdown: Promise<void> | null = null;
  const readiness = async (): Promise<ReadinessReport> => {
    const checks: ReadinessReport['checks'] = {
      database: (await storage.healthy()) ? 'up' : 'down',
      accepting: shuttingDown ? 'down' : 'up',
    };
    checks.readPipeline = startedPipeline.stats().running ? 'up' : 'down';
    if (config.kafka) checks.kafka = (await startedPipeline.busHealthy()) ? 'up' : 'down';
    return { ready: Object.values(checks).every((check) => check === 'up'), checks };
  };
  const admin: AdminPort = {
    rebuildAccount: (accountId) => rebuilder.rebuildAccount(accountId),
    rebuildTransfer: (transferId) => rebuilder.rebuildTransfer(transferId),
    rebuildAll: () => rebuilder.rebuildAll(),
    console: async () => {
      const { projectors, relay, thread, running } = startedPipeline.stats();
      return {
        system: { nodeId: config.nodeId, ...system.stats(), journal: journal.stats(), readPipeline: { thread, running } },
        accounts: system.actors(),
        projectors,
        outbox: { ...(await storage.outbox.stats()), relay },
        transfers: transfers.list(),
        transferTotals: transfers.stats(),
        cluster: storage.pool
          ? await clusterView({ pool: storage.pool, bus: config.kafka ? (adminBus ??= openBus(config.kafka, logger)) : null, kafkaClientPrefix: config.kafka?.clientIdPrefix ?? null })
          : null,
      };
    },
    passivate: (accountId) => system.passivate(accountId),
    restartProjector: (name) => startedPipeline.restartProjector(name),
  };
  const countedCommands: CommandPort = {
    execute: async (request) => {
      const outcome = await commands.execute(request);
      const { status, body } = outcomeResponse(outcome);
      recordCommandOutcome(metrics, request.command.type, status, body, { replayed: outcome.kind === 'replayed' });
      return outcome;
    },
  };
  const app = createApp({
    commands: countedCommands,
    middleware: [httpMetricsMiddleware(metrics)],
    rootRouters: [metricsRouter(metrics), openApiRouter(), consoleRouter()],
    health: { readiness },
    logger,
    apiRouters: [transferCommandRoutes(transferPort), accountQueryRoutes({ readModel, versions, readWaitMs: config.readWaitMs, store: storage.store }),
      transferQueryRoutes({ readModel: transferReadModel, versions: transferVersions, readWaitMs: config.readWaitMs, store: storage.store }),
      adminRoutes(admin, audit, config.adminToken, logger)],
  });
  return {
    config,
    app,
    storage,
    journal,
    system,
    commands,
    pipeline: startedPipeline,
    readModel,
    transferReadModel,
    rebuilder,
    versions,
    transfers,
    shutdown: (drainMs, onStep = () => {}) => {
      // Idempotent: SIGTERM twice, or a test closing after a shutdown test, share one drain.
      if (!shutdown) {
        shuttingDown = true;
        commands.stopAccepting();
        gateOf(app).close();
        shutdown = (async () => {
          // One drain bound for both: client commands keep finishing while transfers do.
          const drainDeadline = Date.now() + drainMs;
          onStep('transfers');
          await transfers.stop(Math.min(drainMs, config.commandTimeoutMs));
          onStep('commands');
          await system.drain(Math.max(0, drainDeadline - Date.now()));
          onStep('read pipeline');
          // The worker's stop is bounded here: what it has not published or projected stays in the
          // outbox and the bus, and the process exit ends the thread if it is still running.
          const pipelineStopped = startedPipeline.stop().catch((error: unknown) => logger.error({ err: error }, 'read pipeline did not stop cleanly'));
          if (!(await settlesWithin(pipelineStopped, limits.shutdownPipelineStopMs))) {
            logger.warn({ waitedMs: limits.shutdownPipelineStopMs }, 'read pipeline still stopping; closing storage without it');
          }
          onStep('storage');
          await adminBus?.close().catch((error: unknown) => logger.warn({ err: error }, 'the console Kafka client did not close cleanly'));
          await presence?.release();
          await storage.close();
        })();
      }
      return shutdown;
    },
  };
}

/**
 * The read pipeline for the configuration: on its own worker thread with Postgres storage (unless
 * READ_PIPELINE_THREAD=main), on this thread in memory (the worker could not see the in-memory
 * store). Resolves once its projectors are subscribed and its relay runs.
 */
async function startReadPipeline(config: Config, storage: Storage, readSide: ReturnType<typeof openReadSide>, events: ReadPipelineEvents, logger: Logger): Promise<ReadPipeline> {
  if (config.readPipelineThread === 'worker' && storage.url) {
    return WorkerPipeline.start({
      data: { databaseUrl: storage.url, poolMax: config.readPipelinePoolMax, kafka: config.kafka, logLevel: config.logLevel, nodeId: config.nodeId },
      events,
      logger: logger.child({ component: 'read-pipeline' }),
    });
  }
  const targets: ProjectorTargets = {
    applyAccountBatch: (batch) => readSide.readModel.applyAccountBatch(batch),
    applyTransferBatch: (batch) => readSide.transferReadModel.applyTransferBatch(batch),
  };
  return startInlinePipeline({ outbox: storage.outbox, bus: openBus(config.kafka, logger), targets, events, logger, thread: 'main' });
}
