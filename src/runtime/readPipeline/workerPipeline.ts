// The read pipeline on a worker thread, seen from the HTTP thread. Starts the worker and waits for
// it to subscribe its projectors and start its relay; forwards commit wake-ups; turns the worker's
// applied messages into read-your-writes announcements and lag observations; caches its stats for
// the console and the gauges. A worker that dies is started again (bounded backoff) and, until it is
// back, the pipeline reports running: false (readiness goes down). Nothing is lost meanwhile: the
// outbox keeps what was not published, the bus keeps what was not projected.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '../../infra/logger';
import { ReadPipeline, ReadPipelineEvents, ReadPipelineStats, projectorGaugeStats } from './readPipeline';
import { readPipelineLimits } from '../../config/limits';
import { FromWorker, PipelineRequest, PipelineWorkerData, ToWorker } from './workerProtocol';

export const pipelineWorkerFilename = path.join(__dirname, 'pipelineWorker.bootstrap.cjs');

interface PendingRequest {
  resolve(value: boolean): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface WorkerPipelineOptions {
  data: PipelineWorkerData;
  events: ReadPipelineEvents;
  logger: Logger;
  /** The worker's entry file (tests point it elsewhere to make it fail). */
  filename?: string;
}

export class WorkerPipeline implements ReadPipeline {
  private worker: Worker | null = null;
  private latest: ReadPipelineStats = { thread: 'worker', running: false, projectors: [], relay: null };
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private wakeQueued = false;
  private stopping: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelayMs: number = readPipelineLimits.restartDelayMs;
  /** Times the worker was started again after it failed. */
  private restarts = 0;

  private constructor(private readonly options: WorkerPipelineOptions) {}

  /** Resolves once the worker's projectors are subscribed and its relay runs; rejects if it cannot start. */
  static async start(options: WorkerPipelineOptions): Promise<WorkerPipeline> {
    const pipeline = new WorkerPipeline(options);
    await pipeline.spawn();
    return pipeline;
  }

  wake(): void {
    // One message per event-loop turn however many commits landed in it.
    if (this.wakeQueued || !this.worker) return;
    this.wakeQueued = true;
    queueMicrotask(() => {
      this.wakeQueued = false;
      this.post({ type: 'wake' });
    });
  }

  stats(): ReadPipelineStats {
    return this.latest;
  }

  /** Worker restarts after failures (console). */
  restartCount(): number {
    return this.restarts;
  }

  gaugeStats() {
    return projectorGaugeStats(this.latest.projectors);
  }

  restartProjector(name: string): Promise<boolean> {
    return this.request({ op: 'restartProjector', name });
  }

  async busHealthy(): Promise<boolean> {
    try {
      return await this.request({ op: 'busHealthy' });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'read pipeline did not answer the bus health check');
      return false;
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const worker = this.worker;
      if (!worker) return;
      try {
        await this.request({ op: 'stop' });
      } finally {
        this.worker = null;
        this.latest = { ...this.latest, running: false };
        await worker.terminate();
      }
    })();
    return this.stopping;
  }

  private spawn(): Promise<void> {
    const worker = new Worker(this.options.filename ?? pipelineWorkerFilename, { workerData: this.options.data });
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const startTimer = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`read pipeline worker did not start within ${readPipelineLimits.startTimeoutMs} ms`));
      }, readPipelineLimits.startTimeoutMs);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          started = true;
          clearTimeout(startTimer);
          this.worker = worker;
          this.latest = message.stats;
          this.restartDelayMs = readPipelineLimits.restartDelayMs;
          resolve();
        } else if (message.type === 'startFailed') {
          clearTimeout(startTimer);
          reject(new Error(`read pipeline worker failed to start: ${message.message}`));
        } else {
          this.receive(message);
        }
      });
      worker.on('error', (error) => this.options.logger.error({ err: error }, 'read pipeline worker failed'));
      worker.on('exit', (code) => {
        clearTimeout(startTimer);
        if (!started) {
          reject(new Error(`read pipeline worker exited with code ${code} before it started`));
          return;
        }
        this.exited(worker, code);
      });
    });
  }

  private receive(message: Exclude<FromWorker, { type: 'ready' } | { type: 'startFailed' }>): void {
    switch (message.type) {
      case 'applied':
        message.keys.forEach((key, index) => this.options.events.applied(message.projections[index]!, key, message.versions[index]!));
        message.lagsSeconds.forEach((seconds) => this.options.events.lag(seconds));
        return;
      case 'stats':
        this.latest = message.stats;
        return;
      case 'reply': {
        this.latest = message.stats;
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new Error(message.message));
      }
    }
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.latest = { ...this.latest, running: false };
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`read pipeline worker exited (code ${code})`));
      this.pending.delete(id);
    }
    if (this.stopping) return;
    this.options.logger.error({ code, restartInMs: this.restartDelayMs }, 'read pipeline worker exited; starting it again');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, readPipelineLimits.restartDelayMaxMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.restarts += 1;
      this.spawn().then(
        () => this.options.logger.info({ restarts: this.restarts }, 'read pipeline worker started again'),
        (error: unknown) => {
          this.options.logger.error({ err: error }, 'read pipeline worker did not start again');
          if (!this.stopping) this.scheduleRestart();
        },
      );
    }, delay);
  }

  private request(request: PipelineRequest): Promise<boolean> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the read pipeline worker is not running'));
    const id = this.nextRequestId++;
    return new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`read pipeline worker did not answer ${request.op} within ${readPipelineLimits.requestTimeoutMs} ms`));
      }, readPipelineLimits.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.post({ type: 'request', id, ...request });
    });
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }
}
