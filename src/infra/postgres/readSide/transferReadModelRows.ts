// SQL and row mapping of transfer_summary, shared by the live projection writes and the rebuild
// (which writes the same rows into the shadow table).
import assert from 'node:assert/strict';
import { TransferStepName } from '../../../domain/transfer/transferIds';
import { TransferSummaryRow } from '../../../ports/transferReadModel';
import { minorUnits } from './accountReadModelRows';
import { Column, forwardOnly, insertUnnest } from '../connection/unnestInsert';
import { SqlClient } from '../connection/inlineStatements';

export type TransferTable = 'transfer_summary' | 'transfer_summary_next';

export interface TransferDbRow {
  transfer_id: string;
  source_account_id: string;
  destination_account_id: string;
  amount: string;
  currency: string;
  status: string;
  stage: string | null;
  failure_reason: string | null;
  failure_stage: string | null;
  failure_detail: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const transferColumnList: readonly Column<TransferSummaryRow>[] = [
  { name: 'transfer_id', type: 'text', value: (row) => row.transferId },
  { name: 'source_account_id', type: 'text', value: (row) => row.sourceAccountId },
  { name: 'destination_account_id', type: 'text', value: (row) => row.destinationAccountId },
  { name: 'amount', type: 'bigint', value: (row) => row.amount },
  { name: 'currency', type: 'text', value: (row) => row.currency },
  { name: 'status', type: 'text', value: (row) => row.status },
  { name: 'stage', type: 'text', value: (row) => row.stage },
  { name: 'failure_reason', type: 'text', value: (row) => row.failureReason },
  { name: 'failure_stage', type: 'text', value: (row) => row.failureStage },
  { name: 'failure_detail', type: 'text', value: (row) => row.failureDetail },
  { name: 'version', type: 'int', value: (row) => row.version },
  { name: 'created_at', type: 'timestamptz', value: (row) => row.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (row) => row.updatedAt },
];

export const transferColumns = transferColumnList.map((column) => column.name).join(', ');

const statuses: ReadonlyArray<TransferSummaryRow['status']> = ['PENDING', 'COMPLETED', 'FAILED'];
const stages: readonly TransferStepName[] = ['hold', 'credit', 'capture', 'release'];

function stageOf(value: string | null, column: string): TransferStepName | null {
  if (value === null) return null;
  const stage = stages.find((known) => known === value);
  assert.ok(stage, `unknown ${column} ${value}`);
  return stage;
}

export function toTransfer(row: TransferDbRow): TransferSummaryRow {
  const status = statuses.find((known) => known === row.status);
  assert.ok(status, `unknown transfer status ${row.status}`);
  return {
    transferId: row.transfer_id,
    sourceAccountId: row.source_account_id,
    destinationAccountId: row.destination_account_id,
    amount: minorUnits(row.amount, 'amount'),
    currency: row.currency,
    status,
    stage: stageOf(row.stage, 'stage'),
    failureReason: row.failure_reason,
    failureStage: stageOf(row.failure_stage, 'failure_stage'),
    failureDetail: row.failure_detail,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Upserts transfer rows; a row only ever moves forward (see forwardOnly). */
export async function upsertTransfers(client: SqlClient, table: TransferTable, rows: readonly TransferSummaryRow[]): Promise<void> {
  await insertUnnest(client, table, transferColumnList, rows, forwardOnly('transfer_id', transferColumnList));
}
