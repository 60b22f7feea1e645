// Bearer-token guard for admin routes: constant-time comparison, a per-client rate limit, and an
// audit record for every refusal. The token's identity in the audit log is a digest, never the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AdminAudit } from '../ports/adminAudit';
import { Logger } from '../infra/logger';
import { sendProblem } from './respond';
import { adminLimits } from '../config/limits';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function adminActor(token: string): string {
  return `token:${digest(token).toString('hex').slice(0, 12)}`;
}

export function requireAdmin(token: string | null, audit: AdminAudit, logger: Logger): RequestHandler {
  const expected = token ? digest(token) : null;
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const client = req.ip ?? 'unknown';
    const now = Date.now();
    const window = windows.get(client);
    if (!window || now - window.start >= adminLimits.windowMs) {
      if (windows.size >= adminLimits.clientsTrackedMax) windows.delete(windows.keys().next().value as string);
      windows.set(client, { start: now, count: 1 });
    } else if (++window.count > adminLimits.requestsPerWindowMax) {
      res.set('retry-after', String(Math.ceil((window.start + adminLimits.windowMs - now) / 1000)));
      return sendProblem(res, 429, 'rate_limited', 'Too many admin requests; slow down');
    }
    if (!expected) return sendProblem(res, 503, 'admin_disabled', 'Admin endpoints are disabled: set ADMIN_TOKEN to enable them');
    const header = req.get('authorization') ?? '';
    // The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer x` is the same as `Bearer x`.
    const presented = /^bearer /i.test(header) ? header.slice('bearer '.length) : '';
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      void audit
        .record({ actor: 'anonymous', action: `${req.method} ${req.path}`, target: '', result: 'denied' })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not audit a refused admin request'));
      res.set('www-authenticate', 'Bearer');
      return sendProblem(res, 401, 'unauthorized', 'A valid bearer token is required');
    }
    res.locals.adminActor = adminActor(presented);
    next();
  };
}
