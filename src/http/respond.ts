// Writing responses: problem+json for errors, JSON for everything else.
import type { Response } from 'express';
import { isProblemBody, problem } from './problem';
import { OutcomeResponse } from './outcomeResponse';

/**
 * A repeat answered with the original's outcome says so, as Stripe's Idempotent-Replayed header does.
 * Status, Content-Type (derived from the body) and body bytes are the original's: the stores record
 * the body as the very JSON.stringify text sent here (a json column, never jsonb), and a body read
 * back serializes to that text again (see src/infra/postgres/writeSide/commandRecordRows.ts).
 */
export function send(res: Response, outcome: OutcomeResponse): void {
  if (outcome.replayed) res.set('idempotent-replayed', 'true');
  const type = isProblemBody(outcome.body) ? 'application/problem+json' : 'application/json';
  res.status(outcome.status).type(type).send(JSON.stringify(outcome.body));
}

export function sendProblem(res: Response, status: number, code: string, detail: string, extra?: Record<string, unknown>): void {
  send(res, { status, body: problem(status, code, detail, extra) });
}
