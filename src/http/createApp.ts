// The Express gateway: JSON body limit, routes, 404 for unknown routes, problem+json for errors,
// and the shutdown gate in front of them (see shutdownGate.ts; gateOf(app) closes it).
import express, { type Express, type RequestHandler } from 'express';
import { limits } from '../config/limits';
import { CommandPort } from '../app/commandBus';
import { Logger } from '../infra/logger';
import { accountCommandRoutes } from './accountCommandRoutes';
import { errorHandler, notFound } from './errorHandler';
import { HealthPort, healthRoutes } from './healthRoutes';
import { requestContext } from './requestContext';
import { ShutdownGate, attachGate } from './shutdownGate';

export interface GatewayDeps {
  commands: CommandPort;
  health: HealthPort;
  logger: Logger;
  /** Extra routers mounted under /api (read side, admin), added by the composition root. */
  apiRouters?: express.Router[];
  /** Middleware mounted before everything else (request metrics). */
  middleware?: RequestHandler[];
  /** Routers mounted at the root (metrics, console, docs). */
  rootRouters?: express.Router[];
}

export function createApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const gate = new ShutdownGate();
  attachGate(app, gate);
  for (const middleware of deps.middleware ?? []) app.use(middleware);
  app.use(requestContext(deps.logger));
  // Health answers through a drain (readiness says 503 itself); everything after the gate is refused.
  app.use(healthRoutes(deps.health, gate));
  app.use(gate.middleware);
  app.use(express.json({ limit: limits.requestBodyBytesMax, strict: true, type: 'application/json' }));
  app.use('/api', accountCommandRoutes(deps.commands));
  for (const router of deps.apiRouters ?? []) app.use('/api', router);
  for (const router of deps.rootRouters ?? []) app.use(router);
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
