// Named bounds of the admin routes' guard (src/http/adminAuth.ts): its per-client rate limit and
// how many clients it tracks. Units are the last word of each name.
import assert from 'node:assert/strict';

export const adminLimits = {
  requestsPerWindowMax: 120,
  windowMs: 60_000,
  /** Distinct clients tracked by the rate limiter; the oldest window is dropped past this. */
  clientsTrackedMax: 10_000,
} as const;

assert.ok(adminLimits.requestsPerWindowMax >= 1 && adminLimits.clientsTrackedMax >= 1);
