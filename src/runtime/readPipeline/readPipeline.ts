// The read pipeline: the outbox relay, the message bus and the projectors that keep the read models
// (relay → bus → projectors). The composition root runs it either on its own thread (a worker with
// its own event loop and Postgres pool, the default with Postgres storage) or on the HTTP thread
// (in-memory storage, or READ_PIPELINE_THREAD=main). Both are driven through this port.
import type { ProjectorStats } from '../../../actors/projector/projector';
import type { OutboxRelay } from '../../../actors/outboxRelay/outboxRelay';
import type { ProjectorGaugeStats } from '../../infra/metrics';

export type RelayStats = ReturnType<OutboxRelay['stats']>;

export interface ReadPipelineStats {
  /** Where it runs: 'main' (the HTTP thread) or 'worker'. */
  thread: 'main' | 'worker';
  /** False while a worker pipeline is starting again after it failed. */
  running: boolean;
  projectors: ProjectorStats[];
  relay: RelayStats | null;
}

/** What the pipeline tells the HTTP side: read-your-writes waiters and the lag metric. */
export interface ReadPipelineEvents {
  /** A projector committed `version` of the row `key` (an account id, a transfer id). */
  applied(projection: 'accounts' | 'transfers', key: string, version: number): void;
  /** Commit → applied, in seconds, once per applied stream. */
  lag(seconds: number): void;
}

export interface ReadPipeline {
  /** A commit happened: the relay claims at once instead of waiting for its poll. */
  wake(): void;
  /** Latest known stats (from a worker: at most readPipelineLimits.statsIntervalMs old). */
  stats(): ReadPipelineStats;
  /** Dead letters and partition lag of every projector, for the metrics gauges. */
  gaugeStats(): ProjectorGaugeStats;
  /** Restarts the projector of that name ('accounts', 'transfers'); false when there is none. */
  restartProjector(name: string): Promise<boolean>;
  /** True when the bus answers (Kafka readiness). */
  busHealthy(): Promise<boolean>;
  /** Stops the relay (its rounds in flight finish), the projectors and the bus. */
  stop(): Promise<void>;
}

/** Gauge view of projector stats (shared by both pipelines). */
export function projectorGaugeStats(projectors: readonly ProjectorStats[]): ProjectorGaugeStats {
  return {
    deadLettered: projectors.reduce((sum, entry) => sum + entry.deadLettered, 0),
    partitions: projectors.flatMap((entry) => entry.partitions),
  };
}
