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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' }, base: { service: 'acta' } });
}
