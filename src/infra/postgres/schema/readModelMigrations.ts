// Migrations of the query side: the account read models, the projectors' checkpoints and dead
// letters, and the admin audit log. Versions start at 100 so the write side keeps 1..99;
// migrations.ts lists this after the write side's. Never edit an applied entry: append.
//
// Read-model rows hold only values taken from events (no now(), no serials), so a rebuild from the
// event store produces the very same bytes as the live projector (design invariant 4).
import assert from 'node:assert/strict';
import { limits } from '../../../config/limits';
import type { Migration } from './migration';

/** Name of the unique constraint that makes recording a redelivered poison message a no-op. */
export const deadLetterOffsetConstraint = 'projection_dead_letters_offset_key';

const accountReadModels: Migration = {
  version: 100,
  name: 'read side: account_summary and account_statement',
  sql: `
    create table account_summary (
      account_id text not null,
      owner_id text not null,
      currency char(3) not null,
      status text not null,
      balance bigint not null,
      available_balance bigint not null,
      version int not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint account_summary_pkey primary key (account_id),
      constraint account_summary_status_check check (status in ('ACTIVE', 'FROZEN')),
      constraint account_summary_balance_check check (balance between 0 and ${limits.moneyMax}),
      constraint account_summary_version_check check (version >= 1)
    );

    create table account_statement (
      account_id text not null,
      stream_version int not null,
      event_id uuid not null,
      event_type text not null,
      amount bigint null,
      currency char(3) null,
      transaction_id text null,
      reason text null,
      balance_after bigint not null,
      occurred_at timestamptz not null,
      constraint account_statement_pkey primary key (account_id, stream_version),
      constraint account_statement_version_check check (stream_version >= 1)
    );
  `,
};

const projectorBookkeeping: Migration = {
  version: 101,
  name: 'read side: projection_checkpoints and projection_dead_letters',
  sql: `
    create table projection_checkpoints (
      projection text not null,
      topic text not null,
      partition int not null,
      next_offset bigint not null,
      updated_at timestamptz not null default now(),
      constraint projection_checkpoints_pkey primary key (projection, topic, partition)
    );

    create table projection_dead_letters (
      id bigserial not null,
      projection text not null,
      topic text not null,
      partition int not null,
      message_offset bigint not null,
      message_key text null,
      payload text not null,
      error text not null,
      created_at timestamptz not null default now(),
      constraint projection_dead_letters_pkey primary key (id),
      constraint ${deadLetterOffsetConstraint} unique (projection, topic, partition, message_offset)
    );
  `,
};

const adminAudit: Migration = {
  version: 102,
  name: 'admin_audit',
  sql: `
    create table admin_audit (
      id bigserial not null,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      target text not null,
      result text not null,
      detail jsonb not null default '{}'::jsonb,
      constraint admin_audit_pkey primary key (id)
    );
    create index admin_audit_at_idx on admin_audit (at);
  `,
};

// Transfers: the statement shows transfer legs (direction, counterparty, transfer id) and holds;
// the summary's available balance (balance minus open holds) can never exceed the balance; one
// transfer_summary row per transfer, shaped like the write side's transferView. Rows that existed
// before keep their values: no earlier event type has a transfer field.
const transfers: Migration = {
  version: 103,
  name: 'read side: transfer legs in account_statement, transfer_summary',
  sql: `
    alter table account_statement
      add column direction text null,
      add column counterparty_account_id text null,
      add column transfer_id text null,
      add constraint account_statement_direction_check check (direction in ('credit', 'debit'));

    alter table account_summary
      add constraint account_summary_available_check check (available_balance between 0 and balance);

    create table transfer_summary (
      transfer_id text not null,
      source_account_id text not null,
      destination_account_id text not null,
      amount bigint not null,
      currency char(3) not null,
      status text not null,
      stage text null,
      failure_reason text null,
      failure_stage text null,
      failure_detail text null,
      version int not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint transfer_summary_pkey primary key (transfer_id),
      constraint transfer_summary_status_check check (status in ('PENDING', 'COMPLETED', 'FAILED')),
      constraint transfer_summary_stage_check check (stage in ('hold', 'credit', 'capture', 'release')),
      constraint transfer_summary_failure_stage_check check (failure_stage in ('hold', 'credit', 'capture', 'release')),
      constraint transfer_summary_pending_stage_check check ((status = 'PENDING') = (stage is not null)),
      constraint transfer_summary_failure_check check (
        (failure_reason is null) = (failure_stage is null) and (failure_reason is null) = (failure_detail is null)),
      constraint transfer_summary_amount_check check (amount between 1 and ${limits.moneyMax}),
      constraint transfer_summary_version_check check (version >= 1)
    );
  `,
};

// Who issued each statement entry's command (the seed's optional `actor`, from the event metadata).
// Rows that existed before stay null, which is what a rebuild gives them too: their events were
// written before any actor was recorded.
const statementActor: Migration = {
  version: 104,
  name: 'read side: actor on account_statement',
  sql: `
    alter table account_statement add column actor text null;
  `,
};

export const readModelMigrations: Migration[] = [accountReadModels, projectorBookkeeping, adminAudit, transfers, statementActor];

readModelMigrations.forEach((migration, index) => assert.equal(migration.version, 100 + index, 'read-side versions are 100..n in order'));
