// The paced load client's thread (pacedDeposits.ts): sends the run's requests on schedule over
// keep-alive sockets, each shaped by the autocannon hook (its own Idempotency-Key and transactionId,
// round-robin over the accounts), and posts its stats once every request was answered or failed.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import setupRequest from '../cannon/cannonSetupRequest';
import { keepAliveAgent } from '../shared/keepAliveAgent';
import { loadLimits } from '../shared/limits';
import { PacedRunOptions, PacedStats } from './pacedDeposits';
import { dueAtMs, requestsDue } from './pacedSchedule';

const port = parentPort;
if (!port) throw new Error('pacedDepositsWorker.ts runs as a worker thread (see pacedDeposits.ts)');

function run(options: PacedRunOptions): Promise<PacedStats> {
  const origin = new URL(options.baseUrl);
  const agent = keepAliveAgent(options.inFlightMax, loadLimits.pacedRequestTimeoutMs);
  const total = Math.max(1, Math.round(options.ratePerSec * options.durationS));
  /** 1 once request i was counted: a socket error after the response must not count it twice. */
  const counted = new Uint8Array(total);
  const statusCodes: Record<string, number> = {};
  let sent = 0;
  let settled = 0;
  const errorCodes: Record<string, number> = {};
  let lateMaxMs = 0;
  let lastSentAt = 0;
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const settle = (index: number, status: number | Error) => {
      if (counted[index] === 1) return;
      counted[index] = 1;
      if (status instanceof Error) {
        const code = errorCodeOf(status);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      } else statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      settled += 1;
      if (settled < total) return;
      agent.destroy();
      const spanS = Math.max(lastSentAt - startedAt, 1) / 1000;
      resolve({
        sent,
        statusCodes,
        errorCodes,
        requestsPerSec: total > 1 ? (total - 1) / spanS : total,
        lateMaxMs,
      });
    };
    const send = (index: number) => {
      const shaped = setupRequest({ ...options.request });
      const body = String(shaped.body ?? '');
      lastSentAt = performance.now();
      const request = http.request(
        {
          agent,
          host: origin.hostname,
          port: origin.port,
          method: shaped.method,
          path: shaped.path,
          headers: { ...shaped.headers, 'content-length': Buffer.byteLength(body) },
          timeout: loadLimits.pacedRequestTimeoutMs,
        },
        (response) => {
          response.resume();
          response.on('end', () => settle(index, response.statusCode ?? new Error('response without a status code')));
          response.on('error', (error) => settle(index, error));
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'timeout' })));
      request.on('error', (error) => settle(index, error));
      request.end(body);
    };
    const tick = () => {
      const elapsed = performance.now() - startedAt;
      const due = requestsDue(elapsed, options.ratePerSec, total);
      for (; sent < due; sent += 1) {
        lateMaxMs = Math.max(lateMaxMs, elapsed - dueAtMs(sent, options.ratePerSec));
        send(sent);
      }
      if (sent < total) setTimeout(tick, Math.max(0, dueAtMs(sent, options.ratePerSec) - (performance.now() - startedAt)));
    };
    tick();
  });
}

/** The socket error's code (ECONNRESET, ECONNREFUSED, timeout, ...), else its message. */
function errorCodeOf(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : error.message;
}

void run(workerData as PacedRunOptions).then((stats) => port.postMessage(stats));
