// The hot path of the product: ONE statement appends a whole journal batch (every stream's events,
// outbox rows, transaction records and idempotency records) with data-modifying CTEs over unnest()ed
// arrays, run as its own implicit transaction: one round trip and one commit for the whole batch.
//
// Each stream is checked against its own expected version inside the statement; a stream whose
// version moved (its writer is behind or ahead) writes nothing and the others go on. A unique
// violation (a concurrent writer of the same stream version, a reused transaction id or
// Idempotency-Key) fails the whole statement instead; the event store then replays the batch with one
// savepoint per stream (appendStreamStatement.ts) to find out which stream conflicts.
// Only for batches whose stream ids are distinct: appends chained on one stream need to see each
// other's rows, which the CTEs of one statement cannot.
import { positionBaseCte } from './positionBaseCte';
import { StreamAppend } from '../../ports/eventStore';

export interface AppendBatchRow {
  /** 1-based index of the append in the batch. */
  append_index: number;
  /** The stream's version before the batch; the append was refused when it is not expectedVersion. */
  current_version: number;
  /** Global positions of the append's new events in version order (empty when refused). */
  positions: string[];
}

const text = `
with appends as (
  select a.append_index, a.stream_id, a.expected_version, a.topic,
         (select coalesce(max(e.stream_version), 0) from events e where e.stream_id = a.stream_id) as current_version
  from unnest($1::text[], $2::int[], $3::text[]) with ordinality as a(stream_id, expected_version, topic, append_index)
),
accepted as (
  select * from appends where current_version = expected_version
),
${positionBaseCte},
new_events as (
  select p.last_position + row_number() over (order by e.ordinal) as global_position,
         a.append_index, a.stream_id, a.topic,
         a.expected_version + (row_number() over (partition by e.append_index order by e.ordinal))::int as stream_version,
         e.event_id, e.event_type, e.data, e.metadata, e.occurred_at
  from unnest($4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[], $9::text[])
         with ordinality as e(append_index, event_id, event_type, data, metadata, occurred_at, ordinal)
  join accepted a on a.append_index = e.append_index
  cross join position_base p
),
inserted_events as (
  insert into events (global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at)
  select global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at::timestamptz
  from new_events order by global_position
),
inserted_outbox as (
  insert into outbox_events (global_position, stream_id, stream_version, topic, event)
  select global_position, stream_id, stream_version, topic,
         jsonb_build_object(
           'eventId', event_id, 'type', event_type, 'data', data, 'metadata', metadata, 'occurredAt', occurred_at,
           'streamId', stream_id, 'streamVersion', stream_version, 'globalPosition', global_position::text)
  from new_events order by global_position
),
inserted_transactions as (
  insert into transaction_records
    (transaction_id, account_id, kind, amount, currency, stream_version, status_code, response, created_at)
  select r.transaction_id, r.account_id, r.kind, r.amount, r.currency, r.stream_version, r.status_code, r.response, r.created_at
  from unnest($10::int[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[], $16::int[], $17::int[], $18::jsonb[], $19::timestamptz[])
         as r(append_index, transaction_id, account_id, kind, amount, currency, stream_version, status_code, response, created_at)
  join accepted a on a.append_index = r.append_index
),
inserted_idempotency as (
  insert into idempotency_records (idempotency_key, request_hash, operation, status_code, response, created_at)
  select r.idempotency_key, r.request_hash, r.operation, r.status_code, r.response, r.created_at
  from unnest($20::int[], $21::text[], $22::text[], $23::text[], $24::int[], $25::jsonb[], $26::timestamptz[])
         as r(append_index, idempotency_key, request_hash, operation, status_code, response, created_at)
  join accepted a on a.append_index = r.append_index
)
select a.append_index::int as append_index, a.current_version,
       array(select n.global_position::text from new_events n where n.append_index = a.append_index order by n.stream_version) as positions
from appends a order by a.append_index
`;

export interface AppendBatchQuery {
  name: string;
  text: string;
  values: unknown[];
}

export function appendBatchQuery(appends: readonly StreamAppend[]): AppendBatchQuery {
  // Child rows carry the 1-based index of their append (unnest ... with ordinality numbers appends so).
  const events = appends.flatMap((append, index) => append.events.map((event) => ({ index: index + 1, event })));
  const transactions = appends.flatMap((append, index) => append.transactions.map((record) => ({ index: index + 1, record })));
  const idempotency = appends.flatMap((append, index) => append.idempotency.map((key) => ({ index: index + 1, key })));
  return {
    name: 'acta_append_batch_v1',
    text,
    values: [
      appends.map((append) => append.streamId),
      appends.map((append) => append.expectedVersion),
      appends.map((append) => append.topic),
      events.map(({ index }) => index),
      events.map(({ event }) => event.eventId),
      events.map(({ event }) => event.type),
      events.map(({ event }) => JSON.stringify(event.data)),
      events.map(({ event }) => JSON.stringify(event.metadata)),
      events.map(({ event }) => event.occurredAt),
      transactions.map(({ index }) => index),
      transactions.map(({ record }) => record.transactionId),
      transactions.map(({ record }) => record.accountId),
      transactions.map(({ record }) => record.kind),
      transactions.map(({ record }) => String(record.amount)),
      transactions.map(({ record }) => record.currency),
      transactions.map(({ record }) => record.streamVersion),
      transactions.map(({ record }) => record.response.status),
      transactions.map(({ record }) => JSON.stringify(record.response.body)),
      transactions.map(({ record }) => record.createdAt),
      idempotency.map(({ index }) => index),
      idempotency.map(({ key }) => key.key),
      idempotency.map(({ key }) => key.requestHash),
      idempotency.map(({ key }) => key.operation),
      idempotency.map(({ key }) => key.response.status),
      idempotency.map(({ key }) => JSON.stringify(key.response.body)),
      idempotency.map(({ key }) => key.createdAt),
    ],
  };
}
