// Structured JSON logs (pino). Secrets and idempotency keys are redacted wherever they appear.
import pino from 'pino';

export type Logger = pino.Logger;

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers["idempotency-key"]',
  'idempotencyKey',
  '*.idempotencyKey',
  'adminToken',
  'databaseUrl',
];

/** nodeId (config NODE_ID) goes in every line, so the logs of several nodes can be merged and still read. */
export function createLogger(level: string, nodeId?: string): Logger {
  const base = nodeId === undefined ? { service: 'acta' } : { service: 'acta', nodeId };
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' }, base });
}
