// Starts the real Acta runtime in-process on an ephemeral port, on a fresh Postgres database
// (or in memory), for HTTP tests.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Pool } from 'pg';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';
import { Runtime, createRuntime } from '../../src/runtime/runtime';
import { createTestDatabase } from './database';

export interface TestApp {
  baseUrl: string;
  runtime: Runtime;
  /** Pool on the test database (null in memory mode) for asserting on tables directly. */
  pool: Pool | null;
  close(): Promise<void>;
}

export async function startTestApp(options: { memory?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const database = options.memory ? null : await createTestDatabase();
  const env: Record<string, string> = {
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...(database ? { DATABASE_URL: database.url } : { EVENT_STORE_KIND: 'in-memory' }),
    ...options.env,
  };
  const config = loadConfig(env);
  const runtime = await createRuntime(config, createLogger(config.logLevel, config.nodeId));
  const server: Server = await new Promise((resolve) => {
    const listening = runtime.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    runtime,
    pool: database?.pool ?? null,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.shutdown(5_000);
      await database?.drop();
    },
  };
}

export interface HttpResult {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
  headers: Headers;
}

/** POST JSON with an Idempotency-Key (pass key: null to omit it). */
export async function post(baseUrl: string, path: string, body: unknown, key: string | null = crypto.randomUUID()): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['idempotency-key'] = key;
  return request(baseUrl, path, { method: 'POST', headers, body: JSON.stringify(body) });
}

export async function get(baseUrl: string, path: string): Promise<HttpResult> {
  return request(baseUrl, path, { method: 'GET' });
}

export async function request(baseUrl: string, path: string, init: RequestInit): Promise<HttpResult> {
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}
