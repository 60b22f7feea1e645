// The scenario runner's HTTP client: node:http over one keep-alive agent, a hard per-request
// deadline, no retries. node:http rather than fetch because the runner shares the machine with
// the server under test: fetch (undici) costs noticeably more CPU per request, and client CPU shows
// up as server latency. It never throws for a network failure: a failed request is a result to
// record (status NETWORK_ERROR or TIMEOUT), never an exception that stops a worker.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { keepAliveAgent } from './keepAliveAgent';
import { loadLimits } from './limits';

/** An HTTP status, or what happened instead of one. */
export type ResponseStatus = number | 'NETWORK_ERROR' | 'TIMEOUT';

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL, e.g. `/accounts/a-1/balance?minVersion=3`. */
  path: string;
  body?: unknown;
  idempotencyKey?: string;
}

export interface HttpResult {
  status: ResponseStatus;
  latencyMs: number;
  /** Parsed JSON when the response was JSON, otherwise the text (or undefined for network errors). */
  body: unknown;
  /** problem+json `code` of an error response. */
  code?: string;
  /** Human-readable reason of a failure: problem `detail`, seed-style `message`, or the socket error. */
  message?: string;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResult>;
  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void;
}

export interface HttpClientOptions {
  baseUrl: string;
  requestTimeoutMs: number;
  /** Concurrent sockets; one per worker keeps every worker on its own connection. */
  maxSockets: number;
}

class RequestTimeout extends Error {}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const agent = keepAliveAgent(options.maxSockets, options.requestTimeoutMs);
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = base.port === '' ? 80 : Number(base.port);

  const send = (request: HttpRequest): Promise<HttpResult> =>
    new Promise((resolve) => {
      const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
      const started = performance.now();
      let settled = false;
      const finish = (result: Omit<HttpResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ ...result, latencyMs: performance.now() - started });
      };
      const req = http.request({ agent, host, port, method: request.method, path: prefix + request.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes <= loadLimits.responseBytesMax) chunks.push(chunk);
        });
        res.on('end', () => finish(readResponse(res, Buffer.concat(chunks), bytes)));
        res.on('error', (error) => finish(networkFailure(error)));
      });
      // The deadline covers connect, send and the whole response, not just socket idleness.
      const deadline = setTimeout(() => req.destroy(new RequestTimeout(`no complete response within ${options.requestTimeoutMs} ms`)), options.requestTimeoutMs);
      req.on('error', (error) => finish(networkFailure(error)));
      req.end(payload);
    });

  return { send, close: () => agent.destroy() };
}

function networkFailure(error: Error): Omit<HttpResult, 'latencyMs'> {
  if (error instanceof RequestTimeout) return { status: 'TIMEOUT', body: undefined, message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  return { status: 'NETWORK_ERROR', body: undefined, message: code ?? error.message };
}

function readResponse(res: http.IncomingMessage, raw: Buffer, bytes: number): Omit<HttpResult, 'latencyMs'> {
  const status = res.statusCode ?? 0;
  const text = raw.toString('utf8');
  const isJson = /json/i.test(res.headers['content-type'] ?? '');
  let body: unknown = text;
  let parseProblem: string | undefined;
  if (bytes > loadLimits.responseBytesMax) parseProblem = `response larger than ${loadLimits.responseBytesMax} bytes`;
  else if (isJson && text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch (error) {
      // Kept as the failure message: a server that sends broken JSON is itself a finding.
      parseProblem = `unparseable JSON body: ${(error as Error).message}`;
    }
  }
  if (status >= 200 && status < 300) return parseProblem === undefined ? { status, body } : { status, body, message: parseProblem };
  return { status, body, code: problemCode(body), message: parseProblem ?? errorMessage(body, res.statusMessage) };
}

function problemCode(body: unknown): string | undefined {
  const code = isRecord(body) ? body.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** problem+json `detail`, else the seed's `message` (string or array), else `title`, else the status text. */
function errorMessage(body: unknown, statusText: string | undefined): string {
  if (isRecord(body)) {
    for (const field of ['detail', 'message', 'title']) {
      const value = body[field];
      if (typeof value === 'string') return value;
      if (Array.isArray(value)) return value.join('; ');
    }
  }
  if (typeof body === 'string' && body.length > 0) return body;
  return statusText ?? 'no message';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
