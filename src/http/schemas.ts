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

/**
 * Text a person reads later (a freeze reason, who issued a command): any Unicode except control
 * characters, lone surrogates and the bidirectional embedding/override/isolate marks. Postgres
 * cannot hold NUL or a lone surrogate in jsonb, so such a string would fail the append after the
 * command was decided (the account actor restarted and the client got a 503 for bad input); bidi
 * marks make an audit line display differently from what it holds.
 */
export const freeTextPattern = /^[^\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]*$/u;
const freeTextMessage = 'no control characters, lone surrogates or bidirectional override marks';
const freeText = () => z.string().regex(freeTextPattern, freeTextMessage);

/**
 * Who owns the account, as another system names them: the seed accepted any string here (3..64),
 * so e-mail addresses and names with spaces are accepted too. Unlike accountId it never appears in
 * a path or a stream id, so it only has to be storable, visible and not blank.
 */
export const ownerId = freeText()
  .min(1)
  .max(limits.idLengthMax)
  .regex(/\S/, 'must not be blank');

export const currency = z.string().regex(currencyPattern, 'a 3-letter upper-case ISO 4217 code');

export const amount = z
  .number()
  .int('an integer count of minor units')
  .min(1)
  .max(limits.moneyMax);

/**
 * The seed's optional `actor` ("who issued it") on account commands. It is kept in the event
 * metadata and shown on statement entries; it is part of the request fingerprint (the whole body
 * is), but not of the money movement a transactionId names. The seed (class-validator
 * IsOptional) also accepted null; null and a blank actor record no actor.
 */
export const actor = freeText()
  .trim()
  .max(limits.actorLengthMax)
  .nullable()
  .optional()
  .describe('Who issued the command (seed compatible; null or blank records none); kept in the event metadata and shown on statement entries');

/** The actor to record: absent when the client sent none, null or a blank one. */
export function actorOf(body: { actor?: string | null }): string | undefined {
  return body.actor ? body.actor : undefined;
}

export const openAccountBody = z.strictObject({ accountId: identifier, ownerId, currency, actor });
export const moneyBody = z.strictObject({ amount, currency, transactionId: identifier, actor });
export const freezeBody = z.strictObject({
  reason: freeText().trim().min(1).max(limits.reasonLengthMax),
  actor,
});
// The seed has no unfreeze; accepting actor here keeps every account command alike.
export const unfreezeBody = z.strictObject({ actor });
// The seed's transfer DTO has no actor (it sent 400 for one), so neither has this schema.
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

// ---- query parameters ----

interface QueryIntegerBounds {
  min: number;
  max: number;
  default?: number;
}

const minVersionBounds = { min: 0, max: limits.moneyMax } as const satisfies QueryIntegerBounds;
const historyLimitBounds = { min: 1, max: limits.historyLimitMax, default: limits.historyLimitDefault } as const satisfies QueryIntegerBounds;
const historyOffsetBounds = { min: 0, max: limits.moneyMax, default: 0 } as const satisfies QueryIntegerBounds;

/** Digits only, at most as many as the largest bound has (2^53 - 1 has 16). */
const queryDigits = new RegExp(`^[0-9]{1,${String(limits.moneyMax).length}}$`);

/**
 * A query parameter that must be a plain decimal integer in bounds. z.coerce.number would take
 * '' (0), '0x10' (16), '1e2', ' 5' and '5.0'; a client that sends those has a bug worth a 400,
 * and an offset of '' silently meaning 0 hides it. A repeated parameter arrives as an array and
 * fails the string check.
 */
export function queryInteger(bounds: QueryIntegerBounds & { default: number }): z.ZodType<number, string | undefined>;
export function queryInteger(bounds: QueryIntegerBounds): z.ZodType<number | undefined, string | undefined>;
export function queryInteger(bounds: QueryIntegerBounds): z.ZodType<number | undefined, string | undefined> {
  const parsed = z
    .string()
    .regex(queryDigits, 'a plain decimal integer (digits only)')
    .transform(Number)
    .pipe(z.number().int().min(bounds.min).max(bounds.max));
  return bounds.default === undefined ? parsed.optional() : parsed.default(bounds.default);
}

export const minVersionQuery = queryInteger(minVersionBounds);
export const readQuery = z.strictObject({ minVersion: minVersionQuery });
export const historyQuery = z.strictObject({
  minVersion: minVersionQuery,
  limit: queryInteger(historyLimitBounds),
  offset: queryInteger(historyOffsetBounds),
});
