// The facts a transfer stream (`transfer-<id>`) can hold. The transfer process manager appends them;
// evolve() must stay total over every type ever stored.
import { TransferStepName } from './transferIds';

export interface TransferRequested {
  type: 'TransferRequested';
  data: { transferId: string; sourceAccountId: string; destinationAccountId: string; amount: number; currency: string };
}
export interface TransferFundsHeld {
  type: 'TransferFundsHeld';
  data: { transferId: string; holdId: string };
}
export interface TransferDestinationCredited {
  type: 'TransferDestinationCredited';
  data: { transferId: string };
}
/** The transfer cannot complete; the hold on the source is released next. */
export interface TransferCompensationStarted {
  type: 'TransferCompensationStarted';
  data: { transferId: string; reason: string; stage: TransferStepName; detail: string };
}
export interface TransferCompleted {
  type: 'TransferCompleted';
  data: { transferId: string };
}
/** Terminal: nothing moved (or whatever was held has been released). */
export interface TransferFailed {
  type: 'TransferFailed';
  data: { transferId: string; reason: string; stage: TransferStepName; detail: string };
}

export type TransferEvent =
  | TransferRequested
  | TransferFundsHeld
  | TransferDestinationCredited
  | TransferCompensationStarted
  | TransferCompleted
  | TransferFailed;
export type TransferEventType = TransferEvent['type'];

export const transferEventTypes: readonly TransferEventType[] = [
  'TransferRequested',
  'TransferFundsHeld',
  'TransferDestinationCredited',
  'TransferCompensationStarted',
  'TransferCompleted',
  'TransferFailed',
];

export const terminalTransferEventTypes: readonly TransferEventType[] = ['TransferCompleted', 'TransferFailed'];
