// The state of one transfer, folded from its stream.
import { TransferStepName } from './transferIds';

export type TransferStatus = 'NONE' | 'PENDING' | 'COMPLETED' | 'FAILED';

export interface TransferFailure {
  reason: string;
  stage: TransferStepName;
  detail: string;
}

export interface TransferState {
  transferId: string;
  status: TransferStatus;
  /** The step the process performs next while PENDING; null once terminal. */
  stage: TransferStepName | null;
  sourceAccountId: string;
  destinationAccountId: string;
  amount: number;
  currency: string;
  /** Why it failed (also set while compensating, before the hold is released). */
  failure: TransferFailure | null;
  version: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export function initialTransferState(transferId: string): TransferState {
  return {
    transferId,
    status: 'NONE',
    stage: null,
    sourceAccountId: '',
    destinationAccountId: '',
    amount: 0,
    currency: '',
    failure: null,
    version: 0,
    createdAt: null,
    updatedAt: null,
  };
}

export function isTerminal(state: TransferState): boolean {
  return state.status === 'COMPLETED' || state.status === 'FAILED';
}
