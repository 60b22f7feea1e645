// The read pipeline's worker thread: its own Postgres pool, bus and event loop, so the relay's
// claims and the projectors' batches never queue behind HTTP work. It runs the inline pipeline and
// reports to the HTTP thread: applied versions and lags after every batch (read-your-writes, the lag
// histogram), stats every readPipelineLimits.statsIntervalMs, and replies to requests.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../infra/logger';
import { createPool } from '../../infra/postgres/connection/pool';
import { PostgresEventStore } from '../../infra/postgres/writeSide/postgresEventStore';
import { PostgresOutbox } from '../../infra/postgres/writeSide/postgresOutbox';
import { PostgresReadModel } from '../../infra/postgres/readSide/postgresReadModel';
import { PostgresTransferReadModel } from '../../infra/postgres/readSide/postgresTransferReadModel';
import { openBus } from './openBus';
import { InlinePipeline, startInlinePipeline } from './inlinePipeline';
import { ReadPipelineEvents } from './readPipeline';
import { readPipelineLimits } from '../../config/limits';
import { AppliedMessage, FromWorker, PipelineRequest, PipelineWorkerData, ToWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('pipelineWorker.ts runs as a worker thread (see workerPipeline.ts)');
const post = (message: FromWorker) => port.postMessage(message);

/** Collects one batch's applied rows and posts them together once the projector's loop is done. */
function appliedForwarder(): ReadPipelineEvents {
  let pending: AppliedMessage | null = null;
  const flush = () => {
    if (pending) post(pending);
    pending = null;
  };
  const current = (): AppliedMessage => {
    if (!pending) {
      pending = { type: 'applied', projections: [], keys: [], versions: [], lagsSeconds: [] };
      queueMicrotask(flush);
    }
    return pending;
  };
  return {
    applied: (projection, key, version) => {
      const message = current();
      message.projections.push(projection);
      message.keys.push(key);
      message.versions.push(version);
    },
    lag: (seconds) => current().lagsSeconds.push(seconds),
  };
}

async function start(data: PipelineWorkerData): Promise<void> {
  const logger = createLogger(data.logLevel, data.nodeId).child({ thread: 'read-pipeline' });
  const pool = createPool(data.databaseUrl, { max: data.poolMax, applicationName: 'acta-read-pipeline' });
  const store = new PostgresEventStore(pool);
  const readStream = store.readStream.bind(store);
  const accounts = new PostgresReadModel(pool, readStream);
  const transfers = new PostgresTransferReadModel(pool, readStream);
  const bus = openBus(data.kafka, logger);
  let pipeline: InlinePipeline;
  try {
    pipeline = await startInlinePipeline({
      outbox: new PostgresOutbox(pool, undefined, data.nodeId === undefined ? undefined : { nodeId: data.nodeId }),
      bus,
      targets: { applyAccountBatch: (batch) => accounts.applyAccountBatch(batch), applyTransferBatch: (batch) => transfers.applyTransferBatch(batch) },
      events: appliedForwarder(),
      logger,
      thread: 'worker',
    });
  } catch (error) {
    await bus.close();
    await pool.end();
    throw error;
  }
  const statsTimer = setInterval(() => post({ type: 'stats', stats: pipeline.stats() }), readPipelineLimits.statsIntervalMs);

  const perform = async (request: PipelineRequest): Promise<boolean> => {
    switch (request.op) {
      case 'restartProjector':
        return pipeline.restartProjector(request.name);
      case 'busHealthy':
        return pipeline.busHealthy();
      case 'stop':
        clearInterval(statsTimer);
        await pipeline.stop();
        await pool.end();
        return true;
    }
  };
  port!.on('message', (message: ToWorker) => {
    if (message.type === 'wake') {
      pipeline.wake();
      return;
    }
    perform(message).then(
      (value) => post({ type: 'reply', id: message.id, ok: true, value, stats: pipeline.stats() }),
      (error: unknown) => {
        logger.error({ err: error, op: message.op }, 'read pipeline request failed');
        post({ type: 'reply', id: message.id, ok: false, message: error instanceof Error ? error.message : String(error), stats: pipeline.stats() });
      },
    ).finally(() => {
      // After the stop reply the thread has nothing left to run; closing the port lets it exit.
      if (message.op === 'stop') port!.close();
    });
  });
  post({ type: 'ready', stats: pipeline.stats() });
}

start(workerData as PipelineWorkerData).catch((error: unknown) => {
  post({ type: 'startFailed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  port.close();
});
