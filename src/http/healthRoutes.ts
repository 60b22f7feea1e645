// Liveness is the process only; readiness checks the database (and Kafka when configured) and
// turns 503 once shutdown begins: at once, without asking the database, so that a load balancer
// polling it during a drain gets its answer while the database is busy finishing commands. GET
// /health and /api/health report both (seed compatible). While draining every answer closes its
// connection.
import { Router } from 'express';
import { ShutdownGate } from './shutdownGate';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
}

export interface HealthPort {
  readiness(): Promise<ReadinessReport>;
}

/** What readiness says once the gate is closed, whatever the checks would say. */
const drainingReport: ReadinessReport = { ready: false, checks: { accepting: 'down' } };

/** Without a gate (a router tested alone) it never drains. */
export function healthRoutes(health: HealthPort, gate: ShutdownGate = new ShutdownGate()): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    gate.markClosing(res);
    res.json({ status: 'ok' });
  });
  const ready = async (_req: unknown, res: import('express').Response) => {
    const report = gate.isClosed ? drainingReport : await health.readiness();
    gate.markClosing(res);
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ok' : 'unavailable', live: true, ...report });
  };
  router.get('/readyz', ready);
  router.get('/health', ready);
  router.get('/api/health', ready);
  return router;
}
