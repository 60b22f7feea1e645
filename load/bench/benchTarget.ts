// How bench.ts starts Acta: the real composition root in this process, on an ephemeral loopback
// port, with durable storage as in production. Storage follows the environment (DATABASE_URL,
// KAFKA_BROKERS); with none set it uses a separate embedded Postgres under .data/bench-postgres so
// the bench never touches the data of a server you are running.
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';
import { createRuntime } from '../../src/runtime/runtime';

export interface StartedServer {
  /** API base including `/api`, e.g. `http://127.0.0.1:54321/api`. */
  baseUrl: string;
  /** Account actors live in this process right now (passivationMemory.ts watches them go). */
  liveActors?: () => number;
  /** The Postgres it stores in (embedded or external), so a peer can take a database of its own next to it; absent in memory. */
  databaseUrl?: string;
  close(): Promise<void>;
}

/** `overrides` win over the environment, e.g. a short ACCOUNT_IDLE_MS for the passivation measurement. */
export const startActaServer = async (overrides: Record<string, string> = {}): Promise<StartedServer> => {
  const config = loadConfig({
    EMBEDDED_PG_DATA_DIR: '.data/bench-postgres',
    // Below the kernel's ephemeral range (32768-60999): a port in it can be held as the source port
    // of any outgoing connection, and the postmaster then fails to bind (it did, on 54330).
    EMBEDDED_PG_PORT: '25430',
    LOG_LEVEL: 'warn',
    ...process.env,
    ...overrides,
  });
  const runtime = await createRuntime(config, createLogger(config.logLevel, config.nodeId));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = runtime.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    liveActors: () => runtime.system.stats().live,
    ...(runtime.storage.url === null ? {} : { databaseUrl: runtime.storage.url }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.shutdown(10_000);
    },
  };
};
