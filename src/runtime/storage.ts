// Opens the storage of the configured mode: embedded Postgres (default), external Postgres, or
// in-memory. Every mode yields the same ports; Postgres is the same SQL whether embedded or not.
import path from 'node:path';
import { StorageMode } from '../config/config';
import { limits } from '../config/limits';
import { settlesWithin } from '../infra/settlesWithin';
import { Logger } from '../infra/logger';
import { EventStore } from '../ports/eventStore';
import { Outbox } from '../ports/outbox';
import { SnapshotStore } from '../ports/snapshotStore';
import { OpenTransferFinder } from '../ports/openTransfers';
import { PostgresOpenTransfers } from '../infra/postgres/writeSide/postgresOpenTransfers';
import { MemoryOpenTransfers } from '../infra/memory/memoryOpenTransfers';
import { createPool, type PgPool as Pool } from '../infra/postgres/connection/pool';
import { migrate } from '../infra/postgres/schema/migrate';
import { PostgresEventStore } from '../infra/postgres/writeSide/postgresEventStore';
import { PostgresSnapshotStore } from '../infra/postgres/writeSide/postgresSnapshotStore';
import { PostgresOutbox } from '../infra/postgres/writeSide/postgresOutbox';
import { startEmbeddedPostgres } from '../infra/postgres/embedded/embeddedPostgres';
import { MemoryEventStore } from '../infra/memory/memoryEventStore';
import { MemorySnapshotStore } from '../infra/memory/memorySnapshotStore';
import { MemoryOutbox } from '../infra/memory/memoryOutbox';

export interface Storage {
  store: EventStore;
  snapshots: SnapshotStore;
  outbox: Outbox;
  openTransfers: OpenTransferFinder;
  /** The Postgres pool, null in in-memory mode. */
  pool: Pool | null;
  /** The Postgres connection string (embedded or external), null in in-memory mode. */
  url: string | null;
  /** True when the database answers a trivial query. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openStorage(mode: StorageMode, poolMax: number, logger: Logger, node?: { nodeId: string }): Promise<Storage> {
  if (mode.kind === 'in-memory') {
    const store = new MemoryEventStore();
    return {
      store,
      snapshots: new MemorySnapshotStore(),
      outbox: new MemoryOutbox(store),
      openTransfers: new MemoryOpenTransfers(store),
      pool: null,
      url: null,
      healthy: async () => true,
      close: async () => {},
    };
  }
  let url: string;
  let stopEmbedded: () => Promise<void> = async () => {};
  if (mode.kind === 'embedded') {
    const dataDir = path.resolve(mode.dataDir);
    logger.info({ dataDir, port: mode.port }, 'starting embedded Postgres');
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: mode.port,
      onLog: (message) => logger.debug({ component: 'embedded-postgres' }, message.trim()),
      onNotice: (message) => logger.warn({ component: 'embedded-postgres', dataDir }, message),
    });
    url = embedded.connectionString;
    stopEmbedded = embedded.stop;
  } else {
    url = mode.url;
  }
  const pool = createPool(url, { max: poolMax });
  try {
    await migrate(pool);
  } catch (error) {
    // Nothing else has the pool or the cluster yet: a failed start must not leave them running.
    await pool.end();
    await stopEmbedded();
    throw error;
  }
  return {
    store: new PostgresEventStore(pool),
    snapshots: new PostgresSnapshotStore(pool),
    outbox: new PostgresOutbox(pool, undefined, node),
    openTransfers: new PostgresOpenTransfers(pool, node),
    pool,
    url,
    healthy: async () => {
      try {
        await pool.query('select 1');
        return true;
      } catch (error) {
        logger.warn({ err: error }, 'database health check failed');
        return false;
      }
    },
    close: async () => {
      // The pool first (it waits for checked-out clients, bounded: a read still running must not
      // hold the stop), then the cluster, which ends whatever connections are left.
      if (!(await settlesWithin(pool.end(), limits.shutdownPoolEndMs))) {
        logger.warn({ waitedMs: limits.shutdownPoolEndMs, checkedOut: pool.totalCount - pool.idleCount }, 'pool clients still checked out at close; stopping the database under them');
      }
      await stopEmbedded();
    },
  };
}
