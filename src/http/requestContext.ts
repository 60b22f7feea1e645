// Request id and request log: honours X-Request-Id (or makes one), echoes it on the response,
// and logs each request with a child logger. Success is logged at debug to keep the hot path
// quiet; 5xx at error. Idempotency keys and tokens are redacted by the logger.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Logger } from '../infra/logger';

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const presented = req.get('x-request-id');
    const requestId = presented && requestIdPattern.test(presented) ? presented : randomUUID();
    res.set('x-request-id', requestId);
    res.locals.requestId = requestId;
    const started = performance.now();
    res.on('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      logger[level]({ requestId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    next();
  };
}
