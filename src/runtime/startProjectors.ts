// Starts the projectors that keep the read models, each in its own consumer group: accounts on
// acta.account, transfers on acta.transfer. The composition root starts them before the outbox
// relay (the in-process bus acknowledges a publish only once every subscribed group handled it).
import { Projector, ProjectorOptions, startProjector } from '../../actors/projector/projector';
import { accountTopic } from '../app/runAccountTurn';
import { transferTopic } from '../app/transfers/loadTransfer';
import { Logger } from '../infra/logger';
import { MessageBus } from '../ports/messageBus';
import { accountStreamProjection } from '../projections/accounts/accountProjection';
import { transferStreamProjection } from '../projections/transfers/transferProjection';
import { BatchOutcome, ProjectionBatch } from '../projections/projectionBatch';
import { projectorGaugeStats, ReadPipelineEvents } from './readPipeline/readPipeline';
import { commitLagSeconds, ProjectorGaugeStats } from '../infra/metrics';

export const accountProjectorGroup = 'acta-account-projector';
export const transferProjectorGroup = 'acta-transfer-projector';

export interface Projectors {
  accounts: Projector;
  transfers: Projector;
  all(): Projector[];
  /** Dead letters and partition lag of every projector, for the metrics gauges. */
  gaugeStats(): ProjectorGaugeStats;
  /** Restarts the projector of that name ('accounts', 'transfers'); false when there is none. */
  restart(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** The read models' batch writes the projectors feed. */
export interface ProjectorTargets {
  applyAccountBatch(batch: ProjectionBatch): Promise<BatchOutcome>;
  applyTransferBatch(batch: ProjectionBatch): Promise<BatchOutcome>;
}

/** Resolves once both projectors have tried to join their groups (they keep retrying if the bus is down). */
export async function startProjectors(targets: ProjectorTargets, bus: MessageBus, logger: Logger, events: ReadPipelineEvents): Promise<Projectors> {
  const start = (projection: ProjectorOptions['projection'], topic: string, groupId: string, apply: ProjectorOptions['apply'], name: 'accounts' | 'transfers') =>
    startProjector({
      projection,
      topic,
      bus,
      groupId,
      apply,
      onApplied: (key, version, occurredAt) => {
        events.applied(name, key, version);
        const lag = commitLagSeconds(occurredAt, Date.now());
        if (lag !== null) events.lag(lag);
      },
      logger: logger.child({ component: `${projection.name}-projector` }),
    });
  const started = await Promise.allSettled([
    start(accountStreamProjection, accountTopic, accountProjectorGroup, (batch) => targets.applyAccountBatch(batch), 'accounts'),
    start(transferStreamProjection, transferTopic, transferProjectorGroup, (batch) => targets.applyTransferBatch(batch), 'transfers'),
  ]);
  const [accountStart, transferStart] = started;
  if (accountStart.status === 'rejected' || transferStart.status === 'rejected') {
    const failures = started.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const stopped = await Promise.allSettled(running.map((projector) => projector.stop()));
    const stopFailures = stopped.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    throw new AggregateError([...failures, ...stopFailures], 'a projector did not start (the other was stopped again)');
  }
  const [accounts, transfers] = [accountStart.value, transferStart.value];
  const all = () => [accounts, transfers];
  return {
    accounts,
    transfers,
    all,
    gaugeStats: () => projectorGaugeStats(all().map((projector) => projector.stats())),
    restart: async (name) => {
      const projector = all().find((candidate) => candidate.stats().name === name);
      if (!projector) return false;
      await projector.restart();
      return true;
    },
    stop: async () => {
      await Promise.all(all().map((projector) => projector.stop()));
    },
  };
}
