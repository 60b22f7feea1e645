// The bench's yardstick: a trivial Express 5 JSON POST route, served in-process on an ephemeral
// loopback port. It answers the same routes and shapes the deposit scenario uses (health, account
// open, deposit), so the very same autocannon requests hit it and the ratio compares like with like:
// JSON parsing and a JSON reply, but no validation, storage or actors.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { StartedServer } from './benchTarget';

export async function startExpressBaseline(): Promise<StartedServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json());
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/api/accounts', (req, res) => {
    res.status(201).json({ ...req.body, status: 'ACTIVE', balance: 0, version: 1 });
  });
  app.post('/api/accounts/:accountId/deposits', (req, res) => {
    res.status(201).json({ accountId: req.params.accountId, ...req.body, balance: req.body.amount, version: 2 });
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
