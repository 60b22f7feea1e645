// The schema of every transfer event type's data: what a transfer's load decodes a stored transfer
// event with before evolveTransfer() folds it, and what the transfer projection decodes it with.
// zod drops fields the domain does not know. Typed against TransferEvent, so a schema that could let
// through data evolveTransfer() does not expect fails to compile.
import { z } from 'zod';
import { TransferEvent, TransferEventType } from '../../domain/transfer/transferEvents';
import { amount, currency, optionalText, text } from './eventDataSchemas';

/** The data of the transfer event of type T. */
export type TransferEventData<T extends TransferEventType> = Extract<TransferEvent, { type: T }>['data'];

const stage = z.enum(['hold', 'credit', 'capture', 'release']);
const failure = z.object({ transferId: text, reason: text, stage, detail: optionalText });
const transferOnly = z.object({ transferId: text });

export const transferEventSchemas: { readonly [T in TransferEventType]: z.ZodType<TransferEventData<T>> } = {
  TransferRequested: z.object({ transferId: text, sourceAccountId: text, destinationAccountId: text, amount, currency }),
  TransferFundsHeld: z.object({ transferId: text, holdId: text }),
  TransferDestinationCredited: transferOnly,
  TransferCompensationStarted: failure,
  TransferCompleted: transferOnly,
  TransferFailed: failure,
};
