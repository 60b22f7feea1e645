// Starts a projector: one member of a consumer group on one projection's topic (accounts on
// acta.account, transfers on acta.transfer). Each batch is decoded message by message (a message
// that cannot be decoded becomes a dead letter instead of stalling its partition), applied to the
// read model in one transaction, and then announced per stream through onApplied (read-your-writes
// waiters, projection-lag metrics).
import { createActor, fromPromise, waitFor, type Actor } from 'xstate';
import { Logger } from '../../src/infra/logger';
import { ConsumedBatch, MessageBus, Subscription } from '../../src/ports/messageBus';
import { toProjectionBatch } from '../../src/projections/decodeBatch';
import { BatchOutcome, ProjectionBatch } from '../../src/projections/projectionBatch';
import { projectionLimits } from '../../src/config/limits';
import { partitionKey, ProjectorCounters, ProjectorMachine, projectorMachine } from './projectorMachine';

export interface ProjectorOptions {
  /** The projection it feeds: its name (checkpoints, dead letters, stats) and its stream keys. */
  projection: { name: string; keyOfStream(streamId: string): string };
  topic: string;
  bus: MessageBus;
  groupId: string;
  /** The read model's batch write (e.g. PostgresReadModel.applyAccountBatch). */
  apply: (batch: ProjectionBatch) => Promise<BatchOutcome>;
  /** Called after a batch commits, once per stream with its key and the version the read model now holds. */
  onApplied?: (key: string, version: number, occurredAt: string) => void;
  logger: Logger;
}

export interface PartitionStats {
  topic: string;
  partition: number;
  /** Offset the partition continues from; null until this member committed a batch of it. */
  committedOffset: string | null;
  /** Messages on the partition not yet projected (highWatermark − committedOffset), null when unknown. */
  lag: number | null;
}

export interface ProjectorStats extends ProjectorCounters {
  name: string;
  groupId: string;
  state: string;
  partitions: PartitionStats[];
}

export interface Projector {
  stats(): ProjectorStats;
  /** Leaves the group and joins again (the admin console's "restart projector"). */
  restart(): Promise<void>;
  /** Leaves the group once the batch in flight has committed. */
  stop(): Promise<void>;
}

export async function startProjector(options: ProjectorOptions): Promise<Projector> {
  const { topic, projection } = options;
  const log = options.logger.child({ component: 'projector', projection: projection.name, groupId: options.groupId });
  let actor: Actor<ProjectorMachine>;

  const handle = async (consumed: ConsumedBatch): Promise<void> => {
    const batch = toProjectionBatch(projection.name, consumed);
    let outcome: BatchOutcome;
    try {
      outcome = await options.apply(batch);
    } catch (error) {
      // Logged and counted here; rethrown so the bus delivers the batch again (bounded backoff).
      log.error({ err: error, topic: consumed.topic, partition: consumed.partition }, 'applying a batch failed');
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'BATCH_FAILED' });
      throw error;
    }
    if (outcome.deadLettered > 0) {
      log.warn({ topic: consumed.topic, partition: consumed.partition, deadLettered: outcome.deadLettered }, 'poison messages dead-lettered');
    }
    if (actor.getSnapshot().status === 'active') {
      actor.send({
        type: 'BATCH_APPLIED',
        progress: { topic: consumed.topic, partition: consumed.partition, nextOffset: batch.nextOffset, highWatermark: consumed.highWatermark },
        outcome,
      });
    }
    announce(outcome, options, log);
  };

  actor = createActor(
    projectorMachine.provide({
      actors: {
        subscribe: fromPromise(async () => {
          try {
            return await options.bus.subscribe(options.groupId, [topic], handle);
          } catch (error) {
            log.warn({ err: error }, 'joining the consumer group failed; retrying with backoff');
            throw error;
          }
        }),
        unsubscribe: fromUnsubscribe(log),
      },
    }),
  );
  actor.start();
  // Resolve once the first join has succeeded or failed: a bus that is down must not hold up
  // start-up; the machine keeps trying with bounded backoff.
  try {
    await waitFor(actor, (snapshot) => !snapshot.matches('starting'), { timeout: projectionLimits.projectorTransitionTimeoutMs });
  } catch (error) {
    actor.stop();
    throw error;
  }

  return {
    stats: () => statsOf(actor, projection.name, options.groupId),
    restart: async () => {
      const before = actor.getSnapshot();
      // A running member leaves and rejoins (counted); one that is still joining or backing off
      // simply joins now.
      const mustLeave = before.matches('running');
      actor.send({ type: 'RESTART' });
      await waitFor(actor, (snapshot) => snapshot.matches('running') && (!mustLeave || snapshot.context.restarts > before.context.restarts), {
        timeout: projectionLimits.projectorTransitionTimeoutMs,
      });
    },
    stop: async () => {
      actor.send({ type: 'STOP' });
      await waitFor(actor, (snapshot) => snapshot.status === 'done', { timeout: projectionLimits.projectorTransitionTimeoutMs });
    },
  };
}

function announce(outcome: BatchOutcome, options: ProjectorOptions, log: Logger): void {
  const { onApplied } = options;
  if (!onApplied) return;
  for (const [streamId, version] of outcome.lastVersions) {
    try {
      onApplied(options.projection.keyOfStream(streamId), version, outcome.lastOccurredAt.get(streamId) ?? '');
    } catch (error) {
      // The batch is committed; a failing listener must not make the bus deliver it again.
      log.error({ err: error, streamId, version }, 'onApplied listener failed');
    }
  }
}

function statsOf(actor: Actor<ProjectorMachine>, name: string, groupId: string): ProjectorStats {
  const snapshot = actor.getSnapshot();
  const { subscription, stopRequested: _stopRequested, backoffMs: _backoffMs, partitions, ...counters } = snapshot.context;
  const assigned = subscription?.assignments() ?? [];
  return {
    name,
    groupId,
    state: snapshot.status === 'done' ? 'stopped' : String(snapshot.value),
    ...counters,
    partitions: assigned.map(({ topic, partition }) => {
      const progress = partitions[partitionKey(topic, partition)];
      if (!progress) return { topic, partition, committedOffset: null, lag: null };
      const lag = Number(BigInt(progress.highWatermark) - BigInt(progress.nextOffset));
      return { topic, partition, committedOffset: progress.nextOffset, lag: Math.max(0, lag) };
    }),
  };
}

function fromUnsubscribe(log: Logger) {
  return fromPromise<void, { subscription: Subscription | null }>(async ({ input }) => {
    if (!input.subscription) return;
    try {
      await input.subscription.stop();
    } catch (error) {
      log.warn({ err: error }, 'leaving the consumer group failed');
      throw error;
    }
  });
}
