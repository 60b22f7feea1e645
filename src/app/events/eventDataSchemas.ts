// The zod pieces every stored event's data schema is made of. The write side (activation, a
// transfer's load) and the projections decode stored events with the same schemas, so both accept
// exactly the same events.
import { z } from 'zod';
import { limits } from '../../config/limits';
import { currencyPattern } from '../../domain/money';

// Postgres text cannot hold NUL; a string with one would fail the insert and, retried, stall the
// partition. Rejecting it here turns it into a dead letter instead.
const withoutNul = (value: string) => !value.includes('\u0000');

/** A non-empty string Postgres can store. */
export const text = z.string().min(1).refine(withoutNul, 'contains NUL');
/** A string Postgres can store, possibly empty. */
export const optionalText = z.string().refine(withoutNul, 'contains NUL');
export const currency = z.string().regex(currencyPattern);
export const amount = z.number().int().min(1).max(limits.moneyMax);
