// Owner presence on Postgres: an owner id is live exactly while a session holds the advisory lock
// derived from it. acquireOwnerPresence takes one pooled connection for the owner's whole life
// (never handed back while the owner lives), takes pg_try_advisory_lock(key(id)) on it, and names
// the session after the owner (application_name). When the process dies, the kernel closes its
// sockets, Postgres ends the session and the lock with it: the owner's claims are void at once. When
// the host dies without closing them, the session's TCP keepalive (set below) ends it within
// seconds. The process itself learns of a lost connection through the client's error/end events and
// a heartbeat query, and then must claim nothing more under that id.
//
// The claim statements decide liveness in SQL with the fragments exported here: the key of an id is
// the first 64 bits of its md5 (computed by Postgres on both sides, so no second implementation can
// drift), and the live keys are the granted session advisory locks of this database in pg_locks (a
// bigint lock shows as classid = high 32 bits, objid = low 32 bits, objsubid = 1). A later cluster
// feature lists live owners with liveOwners() below.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { limits } from '../../../config/limits';
import { Owner } from '../../../ports/ownerPresence';

/** SQL: the advisory-lock key of the owner id `expression` evaluates to. */
export function ownerKeySql(expression: string): string {
  return `('x' || left(md5(${expression}), 16))::bit(64)::bigint`;
}

/** SQL: one column `key`, the keys of every session advisory lock granted in this database. */
export const liveOwnerKeysSql = `
  select (l.classid::bigint << 32) | l.objid::bigint as key
  from pg_locks l
  where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
    and l.database = (select d.oid from pg_database d where d.datname = current_database())`;

/** Longest owner id: application_name keeps 63 bytes, and the id must survive it whole. */
const ownerIdLengthMax = 63;

export class PostgresOwner implements Owner {
  readonly ended: Promise<void>;
  private live = true;
  private checking = false;
  private readonly heartbeat: NodeJS.Timeout;
  private resolveEnded!: () => void;

  constructor(
    private readonly client: PoolClient,
    readonly id: string,
    /** The owner's backend (tests terminate it to stand for a crash). */
    readonly backendPid: number,
    private readonly onLost: (error: Error) => void,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    // A checked-out pg client has no error listener of the pool's: without this one, a terminated
    // session would crash the process instead of ending the owner.
    client.on('error', (error: Error) => this.lose(error));
    client.on('end', () => this.lose(new Error(`the connection of owner ${id} ended`)));
    this.heartbeat = setInterval(() => void this.check(), limits.ownerHeartbeatIntervalMs);
    this.heartbeat.unref();
  }

  isLive(): boolean {
    return this.live;
  }

  /**
   * Runs work on the owner's own session. Whatever it reads or writes is then done by a live owner
   * by construction: if the session has died the work fails, it cannot succeed for a dead owner.
   * (The outbox claims this way, which spares it reading pg_locks for its own liveness.)
   */
  async onSession<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    assert.ok(this.live, `owner ${this.id} has ended`);
    return work(this.client);
  }

  async release(): Promise<void> {
    if (!this.live) return;
    // Unlocking first frees the claims before the connection is gone. If the unlock fails the
    // connection is destroyed anyway (below), and that ends the session and its locks all the same.
    const failure = await this.client.query('select pg_advisory_unlock_all()').then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    this.end(failure);
  }

  private async check(): Promise<void> {
    if (!this.live || this.checking) return;
    this.checking = true;
    try {
      await this.client.query('select 1');
    } catch (error) {
      this.lose(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.checking = false;
    }
  }

  private lose(error: Error): void {
    if (!this.live) return;
    this.end(error);
    this.onLost(error);
  }

  /** Ends the owner; the connection is destroyed, never returned (its session holds the lock). */
  private end(error?: Error): void {
    if (!this.live) return;
    this.live = false;
    clearInterval(this.heartbeat);
    this.client.release(error ?? true);
    this.resolveEnded();
  }
}

export interface OwnerPresenceOptions {
  /** Called once when the owner ends because its connection failed (not on release()). */
  onLost?: (error: Error) => void;
  /** The node (config NODE_ID) the owner belongs to: recorded in node_owners for the cluster view. */
  node?: { nodeId: string; address?: string | null };
}

/** A live owner `<kind>-<uuid>` holding its lock on a connection of `pool` until it ends. */
export async function acquireOwnerPresence(pool: Pool, kind: string, options: OwnerPresenceOptions = {}): Promise<PostgresOwner> {
  const client = await pool.connect();
  try {
    // Session settings of this connection only (it is never returned to the pool).
    await client.query(
      `set tcp_keepalives_idle = ${limits.ownerKeepaliveIdleSeconds}; ` +
        `set tcp_keepalives_interval = ${limits.ownerKeepaliveIntervalSeconds}; ` +
        `set tcp_keepalives_count = ${limits.ownerKeepaliveCount}`,
    );
    for (let attempt = 0; attempt < limits.ownerAcquireAttemptsMax; attempt += 1) {
      const id = `${kind}-${randomUUID()}`;
      assert.ok(id.length <= ownerIdLengthMax, `owner id ${id} is longer than ${ownerIdLengthMax}`);
      const { rows } = await client.query<{ locked: boolean; pid: number }>(
        `select pg_try_advisory_lock(${ownerKeySql('$1::text')}) as locked, pg_backend_pid() as pid, set_config('application_name', $1, false)`,
        [id],
      );
      const row = rows[0];
      assert.ok(row, 'the lock query returns one row');
      if (row.locked) {
        if (options.node) await recordNodeOwner(client, id, kind, options.node);
        return new PostgresOwner(client, id, row.pid, options.onLost ?? (() => {}));
      }
    }
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  client.release(true);
  throw new Error(`no free owner lock after ${limits.ownerAcquireAttemptsMax} attempts (${kind})`);
}

/**
 * Records which node holds the owner, on the owner's own session (the lock is already held), and
 * clears rows of owners that have ended: a node that died left them behind.
 */
async function recordNodeOwner(client: PoolClient, id: string, kind: string, node: { nodeId: string; address?: string | null }): Promise<void> {
  await client.query(
    `with gone as (
       delete from node_owners where ${ownerKeySql('owner_id')} not in (${liveOwnerKeysSql})
     )
     insert into node_owners (owner_id, node_id, kind, address) values ($1, $2, $3, $4)`,
    [id, node.nodeId, kind, node.address ?? null],
  );
}

/**
 * Owner ids live in this database right now: sessions that hold the lock of the id they are named
 * after. Other advisory locks (migrations, claims) do not match a session's name and are left out.
 */
export async function liveOwners(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ owner: string }>(`
    select a.application_name as owner
    from pg_locks l
    join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
      and a.datname = current_database()
      and l.database = (select d.oid from pg_database d where d.datname = current_database())
      and (l.classid::bigint << 32) | l.objid::bigint = ${ownerKeySql('a.application_name')}
    order by a.application_name`);
  return rows.map((row) => row.owner);
}
