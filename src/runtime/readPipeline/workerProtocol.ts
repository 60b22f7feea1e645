// Messages between the HTTP thread and the read pipeline's worker thread. Structured-clone data
// only; requests carry an id the reply repeats, and every reply carries the worker's fresh stats.
import type { ReadPipelineStats } from './readPipeline';

export interface PipelineWorkerData {
  databaseUrl: string;
  poolMax: number;
  kafka: { brokers: string[]; clientId: string } | null;
  logLevel: string;
  /** The node's NODE_ID, so the worker's log lines name their node like the HTTP thread's. */
  nodeId?: string;
}

export type PipelineRequest = { op: 'restartProjector'; name: string } | { op: 'busHealthy' } | { op: 'stop' };

export type ToWorker = { type: 'wake' } | ({ type: 'request'; id: number } & PipelineRequest);

/** Applied rows of one committed projector batch (parallel arrays keep the message small). */
export interface AppliedMessage {
  type: 'applied';
  projections: Array<'accounts' | 'transfers'>;
  keys: string[];
  versions: number[];
  lagsSeconds: number[];
}

export type FromWorker =
  | { type: 'ready'; stats: ReadPipelineStats }
  | { type: 'startFailed'; message: string }
  | AppliedMessage
  | { type: 'stats'; stats: ReadPipelineStats }
  | { type: 'reply'; id: number; ok: true; value: boolean; stats: ReadPipelineStats }
  | { type: 'reply'; id: number; ok: false; message: string; stats: ReadPipelineStats };
