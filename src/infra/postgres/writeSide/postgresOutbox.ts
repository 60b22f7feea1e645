// The Postgres outbox: one row per transaction and topic, naming the range of positions its events
// took (migration 7). Claims go oldest row first under a lease (claimed_by, claimed_until) and never
// past a row another live relay holds, so events reach the bus in commit order, each stream in
// version order, whichever relay publishes them. claimed_by is a lock-backed owner id
// (ownerPresence.ts): a row counts as held only while that owner's session holds its advisory lock,
// so the rows of a relay that died (kill -9, a lost connection) are claimable at once, not after
// the lease. The lease stays as the backstop: an expired one frees its rows whatever pg_locks says
// (a host that died without closing its socket, until its session's keepalive ends it). A claim
// runs on the claimant owner's own session (ownerPresence.ts onSession), so a relay whose session is
// gone can take nothing while it finds out: its claim fails instead.
//
// Claims are serialized with a transaction-level advisory lock: under READ COMMITTED two concurrent
// claim statements would both see the same unleased rows and both lease them. Taking the lock
// first means each claim's statement snapshot already includes every earlier claim.
import assert from 'node:assert/strict';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { Outbox, OutboxRow, OutboxStats } from '../../../ports/outbox';
import { StoredEventRow, toStoredEvent } from './storedEventRow';
import { assertClaim } from '../../storeAssertions';
import { inlineValues } from '../connection/inlineStatements';
import { PostgresOwner, acquireOwnerPresence, liveOwnerKeysSql, ownerKeySql } from '../presence/ownerPresence';
import { Owner } from '../../../ports/ownerPresence';
import { outboxLimits } from '../../../config/limits';

/** Advisory lock key of the claim step: "ACTAOUT1" as 8 ASCII bytes, a fixed 64-bit value. */
export const outboxClaimLockKey = '4702695075385529393';

interface ClaimedRow extends StoredEventRow {
  id: string;
  topic: string;
  attempts: number;
}

// The events are read from the events table by the row's range of positions (a primary key range
// scan); the row itself copies nothing.
//
// Every read goes through an index, never a scan of the table. The outbox is a queue (insert, lease,
// delete), so between autovacuums its heap is mostly dead tuples. A sequential scan reads all of them
// on every claim, and the relay claims tens of times a second; an index scan visits a dead row's
// entry once, marks it dead, and skips it from then on. Only the oldest outboxLimits.claimScanRowsMax
// rows are looked at: rows beyond them wait for a later claim, which loses nothing, since rows are
// taken oldest first anyway.
//
// A row is free when it has no unexpired lease, or its lease is held by an owner that has ended
// (not the claimant, which is live: the claim runs on its session). The claim takes free rows up to
// the first row held by another owner; rows held by the claimant (its round in flight) are passed
// over. pg_locks is read only for a row leased, unexpired, to another owner (the hashed subplan runs
// on first use, and the conditions before it decide every other row): an idle or single-relay outbox
// claims without it.
const claimText = `
with claim_time as (select clock_timestamp() as at),
live_owners as materialized (${liveOwnerKeysSql}
),
oldest as (
  select o.id, o.last_position - o.first_position + 1 as events,
         o.claimed_until is not null and o.claimed_until > (select at from claim_time) and o.claimed_by = $1::text as own,
         o.claimed_until is null or o.claimed_until <= (select at from claim_time)
           or (o.claimed_by <> $1::text and ${ownerKeySql('o.claimed_by')} not in (select key from live_owners)) as free
  from (select id, first_position, last_position, claimed_by, claimed_until from outbox_events order by id limit $4) o
),
before_blocked as (
  select id, events from oldest
  where id < coalesce((select min(id) from oldest where not free and not own), 9223372036854775807) and free
),
claimable as (
  select id from (select id, sum(events) over (order by id) - events as events_before from before_blocked) b
  where events_before < $2
),
claimed as (
  update outbox_events o
  set claimed_by = $1, claimed_until = (select at from claim_time) + $3::int * interval '1 millisecond'
  where o.id = any (array(select id from claimable))
  returning o.id, o.topic, o.attempts, o.first_position, o.last_position
)
select claimed.id::text as id, claimed.topic, claimed.attempts,
       e.global_position::text as global_position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.data, e.metadata, e.occurred_at
from claimed
join events e on e.global_position between claimed.first_position and claimed.last_position
order by claimed.id, e.global_position`;

// Only the owner named on the row: if the lease expired and another relay took the row, it is
// that relay's now. An expired lease nobody took yet is still ours to delete.
const publishedText = 'delete from outbox_events where id = any($2::bigint[]) and claimed_by = $1';

export class PostgresOutbox implements Outbox {
  /** Live owners acquired here, by id: a claim runs on its owner's session. */
  private readonly owners = new Map<string, PostgresOwner>();

  constructor(
    private readonly pool: Pool,
    /** Rows a claim looks at (tests make it small to show the window's edge). */
    private readonly claimScanRowsMax: number = outboxLimits.claimScanRowsMax,
    /** The node this outbox's relays run on, recorded with each owner (cluster view). */
    private readonly node?: { nodeId: string },
  ) {
    assert.ok(Number.isSafeInteger(claimScanRowsMax) && claimScanRowsMax >= 1, 'claimScanRowsMax is an integer >= 1');
  }

  /** An owner for a relay: one connection of this pool holds its lock until it ends, and runs its claims. */
  async acquireOwner(): Promise<Owner> {
    const owner = await acquireOwnerPresence(this.pool, 'relay', this.node ? { node: this.node } : {});
    this.owners.set(owner.id, owner);
    void owner.ended.then(() => this.owners.delete(owner.id));
    return owner;
  }

  async claim(owner: string, eventsMax: number, leaseMs: number, published: readonly string[] = []): Promise<OutboxRow[]> {
    assertClaim(owner, eventsMax, leaseMs);
    const live = this.owners.get(owner);
    if (!live?.isLive()) {
      // Unknown here or ended: no claim, but what it had published is still deleted if still its own.
      await this.markPublished(owner, published);
      return [];
    }
    return live.onSession((client) => claimInTransaction(client, owner, eventsMax, leaseMs, this.claimScanRowsMax, published));
  }

  async markPublished(owner: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query({
      name: 'acta_outbox_published_v1',
      text: publishedText,
      values: [owner, ids],
    });
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query({
      name: 'acta_outbox_release_v1',
      text: `update outbox_events set claimed_by = null, claimed_until = null, attempts = attempts + 1
             where id = any($2::bigint[]) and claimed_by = $1`,
      values: [owner, ids],
    });
  }

  async stats(): Promise<OutboxStats> {
    const { rows } = await this.pool.query<{ pending: string; oldest_age_ms: string | null }>({
      name: 'acta_outbox_stats_v2',
      text: `select coalesce(sum(last_position - first_position + 1), 0) as pending,
                    round(extract(epoch from clock_timestamp() - min(created_at)) * 1000) as oldest_age_ms
             from outbox_events`,
    });
    const row = rows[0];
    assert.ok(row, 'an aggregate returns one row');
    return { pending: Number(row.pending), oldestAgeMs: row.oldest_age_ms === null ? null : Math.max(0, Number(row.oldest_age_ms)) };
  }
}

/**
 * The previous round's delete, the lock and the claim travel as one simple-query string: Postgres
 * runs its statements in one implicit transaction (the lock is held until the claim commits, and a
 * failure rolls all of it back, so the owner's session is left clean) and,
 * under READ COMMITTED, gives the claim its own snapshot taken after the lock was granted, which
 * also sees the delete. One round trip instead of five (delete; begin + lock, claim, commit). A
 * simple query takes no parameters, so the values are inlined as escaped literals
 * (inlineStatements.ts).
 */
async function claimInTransaction(client: PoolClient, owner: string, eventsMax: number, leaseMs: number, scanRowsMax: number, published: readonly string[]): Promise<OutboxRow[]> {
  assert.ok(Number.isSafeInteger(eventsMax) && Number.isSafeInteger(leaseMs), 'claim bounds are integers');
  const statements = [
    ...(published.length > 0 ? [inlineValues(client, publishedText, [owner, published])] : []),
    `select pg_advisory_xact_lock(${outboxClaimLockKey})`,
    inlineValues(client, claimText, [owner, eventsMax, leaseMs, scanRowsMax]),
  ];
  const results = (await client.query(statements.join(';\n'))) as unknown as QueryResult<ClaimedRow>[];
  assert.ok(Array.isArray(results) && results.length === statements.length, 'each statement answers one result');
  return results[statements.length - 1]!.rows.map((row) => ({ id: row.id, topic: row.topic, event: toStoredEvent(row), attempts: row.attempts }));
}
