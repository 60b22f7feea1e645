// The transfer_summary read model, kept by the transfer projector and read by GET /api/transfers/:id.
import { TransferStepName } from '../domain/transfer/transferIds';

export interface TransferSummaryRow {
  transferId: string;
  sourceAccountId: string;
  destinationAccountId: string;
  amount: number;
  currency: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  /** The step in progress while PENDING (hold, credit, capture, release); null once terminal. */
  stage: TransferStepName | null;
  /** Set when FAILED (and while a failing transfer releases its hold). */
  failureReason: string | null;
  failureStage: TransferStepName | null;
  failureDetail: string | null;
  /** Stream version of the last transfer event applied. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface TransferReadModel {
  transfer(transferId: string): Promise<TransferSummaryRow | null>;
}
