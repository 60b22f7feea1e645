// The schema of every account event type's data: what activation decodes a stored account event
// with before evolve() folds it, and what the account projection's handlers decode it with. zod
// drops fields the domain does not know. Typed against AccountEvent, so a schema that could let
// through data evolve() does not expect fails to compile.
import { z } from 'zod';
import { AccountEvent, AccountEventType } from '../../domain/account/accountEvents';
import { amount, currency, text } from './eventDataSchemas';

/** The data of the account event of type T. */
export type AccountEventData<T extends AccountEventType> = Extract<AccountEvent, { type: T }>['data'];

const moneyData = z.object({ accountId: text, amount, currency, transactionId: text });
const holdData = z.object({ accountId: text, holdId: text, transferId: text, amount, currency, counterpartyId: text });

export const accountEventSchemas: { readonly [T in AccountEventType]: z.ZodType<AccountEventData<T>> } = {
  AccountCreated: z.object({ accountId: text, ownerId: text, currency }),
  MoneyDeposited: moneyData,
  MoneyWithdrawn: moneyData,
  AccountFrozen: z.object({ accountId: text, reason: text }),
  AccountUnfrozen: z.object({ accountId: text }),
  HoldPlaced: holdData,
  HoldCaptured: holdData,
  HoldReleased: z.object({ accountId: text, holdId: text, transferId: text, amount, currency, reason: text }),
  TransferCredited: z.object({ accountId: text, transferId: text, amount, currency, counterpartyId: text }),
};
