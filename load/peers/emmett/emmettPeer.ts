// Starts the Emmett peer in the bench's process, as benchTarget.ts starts Acta, so the bench's
// server-thread and whole-box CPU columns measure both the same way: a fresh database on the bench's
// Postgres, Emmett's PostgreSQL event store with the balance projection inline, Pongo for reads (on
// the same pg pool), Express on an ephemeral loopback port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { projections } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { pongoClient } from '@event-driven-io/pongo';
import pg from 'pg';
import type { StartedServer } from '../../bench/benchTarget';
import { loadLimits } from '../../shared/limits';
import { accountBalanceProjection } from './accountBalance';
import { createEmmettApp } from './accountApi';
import { createPeerDatabase } from './peerDatabase';

/** Resolves once no pg client is checked out or awaited for a few polls in a row, or after the bound. */
async function quiet(pool: pg.Pool): Promise<void> {
  const deadline = Date.now() + loadLimits.peerDrainMs;
  let idlePolls = 0;
  while (idlePolls < loadLimits.peerDrainIdlePolls && Date.now() < deadline) {
    await sleep(loadLimits.peerDrainPollMs);
    const busy = pool.totalCount - pool.idleCount + pool.waitingCount;
    idlePolls = busy === 0 ? idlePolls + 1 : 0;
  }
}

/** `serverUrl`: any database on the Postgres server to use; the peer creates its own next to it. */
export async function startEmmettPeer(serverUrl: string): Promise<StartedServer> {
  const database = await createPeerDatabase(serverUrl);
  const pool = new pg.Pool({
    connectionString: database.url,
    max: loadLimits.peerPoolMax,
    connectionTimeoutMillis: loadLimits.peerConnectTimeoutMs,
    statement_timeout: loadLimits.peerStatementTimeoutMs,
    application_name: 'acta-bench-emmett-peer',
  });
  // pg emits an idle client's connection loss on the pool; without a listener it would end the process.
  pool.on('error', (error) => console.error('emmett peer: idle pg client failed:', error.message));
  const eventStore = getPostgreSQLEventStore(database.url, {
    projections: projections.inline([accountBalanceProjection]),
    // Migrated once here, as the samples do, so no request pays for it.
    schema: { autoMigration: 'None' },
    connectionOptions: { pool },
  });
  const readStore = pongoClient(database.url, { connectionOptions: { pool } });
  let server: Server | null = null;
  const close = async () => {
    if (server !== null) {
      const listening = server;
      listening.closeAllConnections();
      await new Promise<void>((resolve, reject) => listening.close((error) => (error ? reject(error) : resolve())));
    }
    // Handlers of requests autocannon abandoned at the end of a run may still be retrying a version
    // conflict; let them finish (bounded) rather than drop the database under them.
    await quiet(pool);
    await readStore.close();
    await eventStore.close();
    await pool.end();
    await database.drop();
  };
  try {
    await eventStore.schema.migrate();
    const app = createEmmettApp(eventStore, readStore.db(), () => new Date());
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
  } catch (error) {
    await close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api`, close };
}
