// What every POST command route checks before its body: the Idempotency-Key header (present and
// well-formed) and a JSON (or empty) body. Returns the key, or null after answering the problem.
import type { Request, Response } from 'express';
import { idempotencyKey } from './schemas';
import { sendProblem } from './respond';
import { validate } from './validate';

export function commandKey(req: Request, res: Response): string | null {
  const key = req.get('idempotency-key');
  if (key === undefined) {
    sendProblem(res, 400, 'idempotency_key_missing', 'The Idempotency-Key header is required');
    return null;
  }
  validate(idempotencyKey, key, 'header.Idempotency-Key');
  if (!isJsonOrEmpty(req)) {
    sendProblem(res, 415, 'unsupported_media_type', 'Send the body as application/json');
    return null;
  }
  return key;
}

/** A body, when there is one, must be JSON; a missing body validates as {} (and fails as 400 if fields are required). */
function isJsonOrEmpty(req: Request): boolean {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  return !hasBody || req.is('application/json') === 'application/json';
}
