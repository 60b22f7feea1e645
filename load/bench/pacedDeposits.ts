// Deposits at a fixed rate, open loop (pacedSchedule.ts): what the projection-lag measurement sends.
// The client runs on a worker thread of its own, like autocannon's, so it does not share the event
// loop of the in-process server it measures, and it reports how far it fell behind its own schedule
// (a late client would measure a gentler load than the one asked for).
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ActaCannonRequest } from '../cannon/cannonScenarios';

export interface PacedRunOptions {
  baseUrl: string;
  request: ActaCannonRequest;
  ratePerSec: number;
  durationS: number;
  /** Sockets at most; a request due while every one is busy waits for one. */
  inFlightMax: number;
}

export interface PacedStats {
  sent: number;
  /** Answers received, by status code; `errorCodes` counts requests that got none. */
  statusCodes: Record<string, number>;
  /** The requests that got no answer, by why (the socket error's code, `timeout`, or the error's message). */
  errorCodes: Record<string, number>;
  /** Sent ÷ the time from the first send to the last. */
  requestsPerSec: number;
  /** The most any request was sent after its due time. */
  lateMaxMs: number;
}

const pacedWorkerFilename = path.join(__dirname, 'pacedDepositsWorker.bootstrap.cjs');

export function runPacedDeposits(options: PacedRunOptions): Promise<PacedStats> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(pacedWorkerFilename, { workerData: options });
    let stats: PacedStats | null = null;
    worker.once('message', (message: PacedStats) => {
      stats = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (stats !== null) resolve(stats);
      else reject(new Error(`the paced load worker exited with code ${code} before it reported`));
    });
  });
}
