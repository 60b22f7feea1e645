// Liveness is the process only; readiness checks the database (and Kafka when configured) and
// turns 503 once shutdown begins. GET /health and /api/health report both (seed compatible).
import { Router } from 'express';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
}

export interface HealthPort {
  readiness(): Promise<ReadinessReport>;
}

export function healthRoutes(health: HealthPort): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const ready = async (_req: unknown, res: import('express').Response) => {
    const report = await health.readiness();
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ok' : 'unavailable', live: true, ...report });
  };
  router.get('/readyz', ready);
  router.get('/health', ready);
  router.get('/api/health', ready);
  return router;
}
