// The zod schemas the gateway validates with (and the OpenAPI document is generated from).
import { z } from 'zod';
import { limits } from '../config/limits';
import { currencyPattern } from '../domain/money';

/** Client identifiers: letters, digits and . _ : - ; derived ids start with '~', which clients cannot use. */
export const identifier = z
  .string()
  .min(1)
  .max(limits.idLengthMax)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');

export const currency = z.string().regex(currencyPattern, 'a 3-letter upper-case ISO 4217 code');

export const amount = z
  .number()
  .int('an integer count of minor units')
  .min(1)
  .max(limits.moneyMax);

export const openAccountBody = z.strictObject({ accountId: identifier, ownerId: identifier, currency });
export const moneyBody = z.strictObject({ amount, currency, transactionId: identifier });
export const freezeBody = z.strictObject({ reason: z.string().trim().min(1).max(limits.reasonLengthMax) });
export const unfreezeBody = z.strictObject({});
export const transferBody = z
  .strictObject({ transferId: identifier, sourceAccountId: identifier, destinationAccountId: identifier, amount, currency })
  .refine((body) => body.sourceAccountId !== body.destinationAccountId, {
    message: 'must differ from sourceAccountId',
    path: ['destinationAccountId'],
  });
export const accountParams = z.strictObject({ accountId: identifier });

export const idempotencyKey = z
  .string()
  .min(1)
  .max(limits.idempotencyKeyLengthMax)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters only');

export const minVersionQuery = z.coerce.number().int().min(0).max(limits.moneyMax).optional();
