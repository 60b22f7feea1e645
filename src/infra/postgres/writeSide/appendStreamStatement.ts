// The per-stream append, run inside one savepoint per stream when a batch cannot go as one statement
// (appendBatchStatement.ts): a unique violation then rolls back that stream alone and names its
// conflict. One statement writes everything the stream appends (events, its outbox row, transaction
// and idempotency records) with data-modifying CTEs over unnest()ed arrays; prepared once per
// connection (named statement).
//
// Responses travel as JSON.stringify text into json columns (never jsonb, which re-orders keys), so
// a replay sends the very bytes of the first answer (migration 3).
//
// The guard compares against the stream's current version inside the statement (and checks that
// the transaction ids the append's rejected movements assumed free still are), so a writer that is ahead of or behind the stream writes nothing (no gap, no overlap). Two writers
// that both pass the guard at once still collide on unique (stream_id, stream_version): 23505.
import { positionBaseCte } from './positionBaseCte';
import { StreamAppend } from '../../../ports/eventStore';

export interface AppendStreamRow {
  /** The stream's version before this statement; the append was refused when it is not expectedVersion. */
  current_version: number;
  /** A transaction id the append needed free is recorded: it was refused (transaction_id). */
  free_taken: boolean;
  /** Global positions of the new events in version order (empty when refused). */
  positions: string[];
}

const text = `
with current_stream as (
  select coalesce(max(stream_version), 0) as version from events where stream_id = $1::text
),
free_check as (
  select exists (select 1 from transaction_records where transaction_id = any($24::text[])) as taken
),
guard as (
  select (select version from current_stream) = $2::int and not (select taken from free_check) as ok
),
${positionBaseCte},
new_events as (
  select p.last_position + e.ordinal as global_position,
         $2::int + e.ordinal::int as stream_version,
         e.event_id, e.event_type, e.data, e.metadata, e.occurred_at
  from unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[])
         with ordinality as e(event_id, event_type, data, metadata, occurred_at, ordinal)
  cross join position_base p
  where (select ok from guard)
),
inserted_events as (
  insert into events (global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at)
  select global_position, $1::text, stream_version, event_id, event_type, data, metadata, occurred_at::timestamptz
  from new_events
),
inserted_outbox as (
  insert into outbox_events (first_position, last_position, topic)
  select min(global_position), max(global_position), $8::text
  from new_events having count(*) > 0
),
inserted_transactions as (
  insert into transaction_records
    (transaction_id, account_id, kind, amount, currency, stream_version, status_code, response, created_at)
  select r.transaction_id, r.account_id, r.kind, r.amount, r.currency, r.stream_version, r.status_code, r.response, r.created_at
  from unnest($9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::int[], $15::int[], $16::json[], $17::timestamptz[])
         as r(transaction_id, account_id, kind, amount, currency, stream_version, status_code, response, created_at)
  where (select ok from guard)
),
inserted_idempotency as (
  insert into idempotency_records (idempotency_key, request_hash, operation, status_code, response, created_at)
  select r.idempotency_key, r.request_hash, r.operation, r.status_code, r.response, r.created_at
  from unnest($18::text[], $19::text[], $20::text[], $21::int[], $22::json[], $23::timestamptz[])
         as r(idempotency_key, request_hash, operation, status_code, response, created_at)
  where (select ok from guard)
)
select (select version from current_stream) as current_version, (select taken from free_check) as free_taken,
       array(select global_position::text from new_events order by global_position) as positions
`;

export interface AppendStreamQuery {
  name: string;
  text: string;
  values: unknown[];
}

export function appendStreamQuery(append: StreamAppend): AppendStreamQuery {
  const { events, transactions, idempotency } = append;
  return {
    name: 'acta_append_stream_v3',
    text,
    values: [
      append.streamId,
      append.expectedVersion,
      events.map((event) => event.eventId),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => JSON.stringify(event.metadata)),
      events.map((event) => event.occurredAt),
      append.topic,
      transactions.map((record) => record.transactionId),
      transactions.map((record) => record.accountId),
      transactions.map((record) => record.kind),
      transactions.map((record) => String(record.amount)),
      transactions.map((record) => record.currency),
      transactions.map((record) => record.streamVersion),
      transactions.map((record) => record.response.status),
      transactions.map((record) => JSON.stringify(record.response.body)),
      transactions.map((record) => record.createdAt),
      idempotency.map((record) => record.key),
      idempotency.map((record) => record.requestHash),
      idempotency.map((record) => record.operation),
      idempotency.map((record) => record.response.status),
      idempotency.map((record) => JSON.stringify(record.response.body)),
      idempotency.map((record) => record.createdAt),
      append.freeTransactionIds ?? [],
    ],
  };
}
