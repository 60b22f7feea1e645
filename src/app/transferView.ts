// The public shape of a transfer: the same fields whether it comes from the write side (the POST's
// answer) or from the transfer_summary read model (GET).
import { TransferState } from '../domain/transfer/transferState';
import { TransferSummaryRow } from '../ports/transferReadModel';

export function transferView(state: TransferState): TransferSummaryRow {
  if (state.status === 'NONE') throw new Error(`transfer ${state.transferId} does not exist`);
  return {
    transferId: state.transferId,
    sourceAccountId: state.sourceAccountId,
    destinationAccountId: state.destinationAccountId,
    amount: state.amount,
    currency: state.currency,
    status: state.status,
    stage: state.stage,
    failureReason: state.failure?.reason ?? null,
    failureStage: state.failure?.stage ?? null,
    failureDetail: state.failure?.detail ?? null,
    version: state.version,
    createdAt: state.createdAt ?? '',
    updatedAt: state.updatedAt ?? '',
  };
}
