// The hot path of the product: ONE statement appends a whole journal batch (every stream's events,
// one outbox row per topic naming the range of positions its events took (migration 7), transaction
// records and idempotency records) with data-modifying CTEs, run as its own implicit transaction:
// one round trip and one commit for the whole batch. Positions are numbered topic by topic (each
// stream in version order) so that every topic's events are one consecutive range.
//
// The batch travels as five JSON documents (appends, events, transaction records, idempotency
// records, transaction ids that must still be free), each one JSON.stringify and one json_to_recordset. Node's side of a batch is what bounds
// throughput (Postgres has a core of its own), and this replaced 26 parallel arrays that node-postgres
// turned into array literals element by element, escaping every quote of every JSON payload.
//
// Responses (the bodies replayed for a retry) are read out of the documents as `json`, never
// `jsonb`: json_to_recordset hands a json column the exact text of that value in the document, which
// is JSON.stringify's serialization of the body, byte for byte what respond.ts sends. jsonb would
// re-order its keys (migration 3).
//
// Each stream is checked inside the statement against its own expected version, and against the
// transaction ids and Idempotency-Keys already recorded (including the ids its rejected movements
// assumed free, which it does not write); a stream that fails a check writes nothing,
// reports why, and the others go on. Every check is a scalar subquery probing a unique index once per
// record, on purpose: a prepared statement keeps the generic plan it got while the tables were
// empty, and a join or an EXISTS there is planned as a hash over a sequential scan of the whole
// table, which grows with every command. Those checks cannot see a concurrent transaction, nor two appends
// of this batch that carry the same key: then a unique violation fails the whole statement, and the
// event store replays the batch with one savepoint per stream (appendStreamStatement.ts) to find out
// which stream conflicts. Only for batches whose stream ids are distinct: appends chained on one
// stream need to see each other's rows, which the CTEs of one statement cannot.
import { positionBaseCte } from './positionBaseCte';
import { StreamAppend } from '../../../ports/eventStore';

export interface AppendBatchRow {
  /** 1-based index of the append in the batch. */
  append_index: number;
  /** The stream's version before the batch. */
  current_version: number;
  /** Why the append wrote nothing, or null when it was written. */
  conflict: 'stream_version' | 'transaction_id' | 'idempotency_key' | null;
  /** Global positions of the append's new events in version order (empty when refused). */
  positions: string[];
}

const text = `
with appends as materialized (
  select a.append_index, a.stream_id, a.expected_version, a.topic,
         (select coalesce(max(e.stream_version), 0) from events e where e.stream_id = a.stream_id) as current_version
  from json_to_recordset($1::json) as a(append_index int, stream_id text, expected_version int, topic text)
),
new_transactions as (
  select r.*, (select true from transaction_records t where t.transaction_id = r.transaction_id) is not null as taken
  from json_to_recordset($3::json)
    as r(append_index int, transaction_id text, account_id text, kind text, amount bigint, currency text,
         stream_version int, status_code int, response json, created_at timestamptz)
),
new_idempotency as (
  select r.*, (select true from idempotency_records i where i.idempotency_key = r.idempotency_key) is not null as taken
  from json_to_recordset($4::json)
    as r(append_index int, idempotency_key text, request_hash text, operation text, status_code int,
         response json, created_at timestamptz)
),
free_transactions as (
  select f.append_index, (select true from transaction_records t where t.transaction_id = f.transaction_id) is not null as taken
  from json_to_recordset($5::json) as f(append_index int, transaction_id text)
),
checked as (
  select a.*,
         case
           when a.current_version <> a.expected_version then 'stream_version'
           when a.append_index in (select r.append_index from new_transactions r where r.taken) then 'transaction_id'
           when a.append_index in (select f.append_index from free_transactions f where f.taken) then 'transaction_id'
           when a.append_index in (select r.append_index from new_idempotency r where r.taken) then 'idempotency_key'
         end as conflict
  from appends a
),
accepted as (
  select * from checked where conflict is null
),
${positionBaseCte},
new_events as (
  select p.last_position + row_number() over (order by a.topic, e.ordinal) as global_position,
         a.append_index, a.stream_id, a.topic,
         a.expected_version + (row_number() over (partition by e.append_index order by e.ordinal))::int as stream_version,
         e.event_id, e.event_type, e.data, e.metadata, e.occurred_at
  from json_to_recordset($2::json)
         as e(ordinal int, append_index int, event_id uuid, event_type text, data jsonb, metadata jsonb, occurred_at text)
  join accepted a on a.append_index = e.append_index
  cross join position_base p
),
inserted_events as (
  insert into events (global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at)
  select global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at::timestamptz
  from new_events order by global_position
),
inserted_outbox as (
  insert into outbox_events (first_position, last_position, topic)
  select min(global_position), max(global_position), topic
  from new_events group by topic order by min(global_position)
),
inserted_transactions as (
  insert into transaction_records
    (transaction_id, account_id, kind, amount, currency, stream_version, status_code, response, created_at)
  select r.transaction_id, r.account_id, r.kind, r.amount, r.currency, r.stream_version, r.status_code, r.response, r.created_at
  from new_transactions r join accepted a on a.append_index = r.append_index
),
inserted_idempotency as (
  insert into idempotency_records (idempotency_key, request_hash, operation, status_code, response, created_at)
  select r.idempotency_key, r.request_hash, r.operation, r.status_code, r.response, r.created_at
  from new_idempotency r join accepted a on a.append_index = r.append_index
)
select c.append_index::int as append_index, c.current_version, c.conflict,
       array(select n.global_position::text from new_events n where n.append_index = c.append_index order by n.stream_version) as positions
from checked c order by c.append_index
`;

export interface AppendBatchQuery {
  name: string;
  text: string;
  values: string[];
}

export function appendBatchQuery(appends: readonly StreamAppend[]): AppendBatchQuery {
  // Child rows carry the 1-based index of their append; events also their place in the batch,
  // which numbers their global positions.
  const streams: object[] = [];
  const events: object[] = [];
  const transactions: object[] = [];
  const idempotency: object[] = [];
  const free: object[] = [];
  appends.forEach((append, index) => {
    const appendIndex = index + 1;
    streams.push({ append_index: appendIndex, stream_id: append.streamId, expected_version: append.expectedVersion, topic: append.topic });
    for (const event of append.events) {
      events.push({
        ordinal: events.length + 1,
        append_index: appendIndex,
        event_id: event.eventId,
        event_type: event.type,
        data: event.data,
        metadata: event.metadata,
        occurred_at: event.occurredAt,
      });
    }
    for (const record of append.transactions) {
      transactions.push({
        append_index: appendIndex,
        transaction_id: record.transactionId,
        account_id: record.accountId,
        kind: record.kind,
        amount: record.amount,
        currency: record.currency,
        stream_version: record.streamVersion,
        status_code: record.response.status,
        response: record.response.body,
        created_at: record.createdAt,
      });
    }
    for (const transactionId of append.freeTransactionIds ?? []) free.push({ append_index: appendIndex, transaction_id: transactionId });
    for (const record of append.idempotency) {
      idempotency.push({
        append_index: appendIndex,
        idempotency_key: record.key,
        request_hash: record.requestHash,
        operation: record.operation,
        status_code: record.response.status,
        response: record.response.body,
        created_at: record.createdAt,
      });
    }
  });
  return {
    name: 'acta_append_batch_v4',
    text,
    values: [JSON.stringify(streams), JSON.stringify(events), JSON.stringify(transactions), JSON.stringify(idempotency), JSON.stringify(free)],
  };
}
