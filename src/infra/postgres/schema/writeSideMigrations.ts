// The write side's versioned SQL migrations (versions 1..99: events, snapshots, outbox, command
// records, transfer and node ownership). The read side owns 100.. (readModelMigrations.ts); migrations.ts
// lists both in order. Append new entries with a higher version; never edit an applied one.
import { postgresLimits } from '../../../config/limits';
import { Migration } from './migration';

/** Positions per transaction: a global position is transaction id × this + ordinal (1-based). */
export const positionsPerTransaction = postgresLimits.transactionEventsMax + 1;

/** Constraint names the event store maps to conflicts; the migration below must use the same names. */
export const constraintNames = {
  streamVersion: 'events_stream_version_key',
  transactionId: 'transaction_records_pkey',
  idempotencyKey: 'idempotency_records_pkey',
} as const;

// Why global_position is computed rather than a bigserial: positions from a sequence are handed
// out in call order, not commit order, and a batch transaction takes positions over several
// statements. A transaction with an older id could then hold a higher position than a younger one
// that is still open, and a reader that advances by position would skip the younger one's events
// when it commits. Deriving the position from the writing transaction's id makes position order
// and transaction-id order the same, so `tx_id < pg_snapshot_xmin(...)` (every older transaction
// has ended) is exactly "no lower position can still appear". The check constraint keeps it so.
const writeSide: Migration = {
  version: 1,
  name: 'write side: events, snapshots, outbox, command records',
  sql: `
    create table events (
      global_position bigint not null,
      stream_id text not null,
      stream_version int not null,
      event_id uuid not null,
      event_type text not null,
      data jsonb not null,
      metadata jsonb not null,
      occurred_at timestamptz not null,
      tx_id xid8 not null default pg_current_xact_id(),
      constraint events_pkey primary key (global_position),
      constraint ${constraintNames.streamVersion} unique (stream_id, stream_version),
      constraint events_event_id_key unique (event_id),
      constraint events_stream_version_check check (stream_version >= 1),
      constraint events_position_check check (
        global_position / ${positionsPerTransaction} = tx_id::text::bigint
        and global_position % ${positionsPerTransaction} >= 1
      )
    );

    create table snapshots (
      stream_id text not null,
      version int not null,
      schema_version int not null,
      state jsonb not null,
      created_at timestamptz not null,
      constraint snapshots_pkey primary key (stream_id),
      constraint snapshots_version_check check (version >= 0)
    );

    create table outbox_events (
      id bigserial not null,
      global_position bigint not null,
      stream_id text not null,
      stream_version int not null,
      topic text not null,
      event jsonb not null,
      created_at timestamptz not null default now(),
      claimed_by text null,
      claimed_until timestamptz null,
      attempts int not null default 0,
      constraint outbox_events_pkey primary key (id),
      constraint outbox_events_lease_check check ((claimed_by is null) = (claimed_until is null))
    );
    create index outbox_events_stream_idx on outbox_events (stream_id, stream_version);

    create table idempotency_records (
      idempotency_key text not null,
      request_hash text not null,
      operation text not null,
      status_code int not null,
      response jsonb not null,
      created_at timestamptz not null,
      constraint ${constraintNames.idempotencyKey} primary key (idempotency_key)
    );

    create table transaction_records (
      transaction_id text not null,
      account_id text not null,
      kind text not null,
      amount bigint not null,
      currency char(3) not null,
      stream_version int not null,
      status_code int not null,
      response jsonb not null,
      created_at timestamptz not null,
      constraint ${constraintNames.transactionId} primary key (transaction_id),
      constraint transaction_records_kind_check check (kind in ('deposit', 'withdrawal')),
      constraint transaction_records_amount_check check (amount between 1 and ${Number.MAX_SAFE_INTEGER})
    );
  `,
};

// Transfers record their hold and credit legs under derived transaction ids, and a transfer that
// gives up on a leg takes the leg's id with a `void` record (see src/domain/transfer/transferDecider.ts).
// The partial index serves the recovery sweep's search for unfinished transfers.
const transferLegs: Migration = {
  version: 2,
  name: 'write side: transfer legs and open-transfer search',
  sql: `
    alter table transaction_records drop constraint transaction_records_kind_check;
    alter table transaction_records add constraint transaction_records_kind_check
      check (kind in ('deposit', 'withdrawal', 'transfer_hold', 'transfer_credit', 'void'));
    create index events_transfer_requested_idx on events (global_position) where event_type = 'TransferRequested';
  `,
};

// Replays must be byte-identical to the first answer. jsonb re-orders object keys (shortest first)
// and re-spaces them, so a response read back from jsonb serialized differently from what the
// client was sent. json keeps the text exactly as written; the adapters write JSON.stringify's
// output and read it with JSON.parse, and JSON.stringify(JSON.parse(s)) === s for any s that
// JSON.stringify produced (see commandRecordRows.ts). Rows written before this migration keep
// jsonb's order: that text is all that is left of them.
const exactResponses: Migration = {
  version: 3,
  name: 'write side: command responses stored as the exact json text sent',
  sql: `
    alter table idempotency_records alter column response type json using response::text::json;
    alter table transaction_records alter column response type json using response::text::json;
  `,
};

// Who drives an unfinished transfer. owner is a lock-backed owner id (ownerPresence.ts): the row
// counts only while that owner's session holds its advisory lock, so a dead node's transfers can be
// taken at once while a live node's are never taken. The row goes when the transfer ends.
const transferOwners: Migration = {
  version: 4,
  name: 'write side: transfer_owners',
  sql: `
    create table transfer_owners (
      transfer_id text not null,
      owner text not null,
      claimed_at timestamptz not null default now(),
      constraint transfer_owners_pkey primary key (transfer_id)
    );
    create index transfer_owners_owner_idx on transfer_owners (owner);
  `,
};

// Which node holds which owner: lock-backed owners (ownerPresence.ts) are anonymous ids; a node
// records each one it acquires here so the console can show, from the database, the nodes alive
// (a live `node` owner) and what each drives (transfer_owners, outbox claims). Rows of ended owners
// are garbage, removed whenever a node acquires a new owner.
const nodeOwners: Migration = {
  version: 5,
  name: 'write side: node_owners',
  sql: `
    create table node_owners (
      owner_id text not null,
      node_id text not null,
      kind text not null,
      address text null,
      started_at timestamptz not null default now(),
      constraint node_owners_pkey primary key (owner_id)
    );
  `,
};

// An outbox row used to carry a second full copy of its event as jsonb (built in the append
// statement, written, then parsed back by the relay's claim): about a third of the bytes a deposit
// wrote. The row now only points at its event (global_position); the claim reads the event from the
// events table, where it was committed in the same transaction. Rows written before this migration
// keep their copy, which nothing reads any more.
const outboxPointers: Migration = {
  version: 6,
  name: 'write side: outbox rows point at their event instead of copying it',
  sql: `
    alter table outbox_events alter column event drop not null;
  `,
};

// One outbox row per transaction and topic instead of one per event (issue #13): the events a
// journal transaction writes under one topic have consecutive global positions (the append
// statements number them topic by topic), and the row names that range. A spread deposit batch of
// ~13 events wrote 13 rows, 13 lease updates and 13 deletes (each a heap tuple and two index
// entries, then two dead tuples to vacuum); it now writes one of each. Publication keeps commit
// order: a relay claims rows oldest first and never past a row another live relay holds
// (postgresOutbox.ts), so no relay publishes a stream's later events before its earlier ones.
// Rows written before this migration name one event each (first = last = its position) and are
// published like any other. stream_id and stream_version describe such old rows only.
const outboxRanges: Migration = {
  version: 7,
  name: 'write side: one outbox row per transaction and topic, naming a range of positions',
  sql: `
    alter table outbox_events rename column global_position to first_position;
    alter table outbox_events add column last_position bigint;
    update outbox_events set last_position = first_position;
    alter table outbox_events alter column last_position set not null;
    alter table outbox_events alter column stream_id drop not null;
    alter table outbox_events alter column stream_version drop not null;
    alter table outbox_events add constraint outbox_events_range_check check (last_position >= first_position);
    drop index outbox_events_stream_idx;
  `,
};

export const writeSideMigrations: readonly Migration[] = [writeSide, transferLegs, exactResponses, transferOwners, nodeOwners, outboxPointers, outboxRanges];
