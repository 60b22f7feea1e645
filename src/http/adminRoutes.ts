// Admin routes (bearer ADMIN_TOKEN): projection rebuilds (one account, one transfer, everything)
// and the actor supervision actions.
// Every action is audited with who, what, target and result.
import { Router, type Response } from 'express';
import { AdminAudit } from '../ports/adminAudit';
import { Logger } from '../infra/logger';
import { requireAdmin } from './adminAuth';
import { accountParams } from './schemas';
import { sendProblem } from './respond';
import { transferParams } from './transferQueryRoutes';
import { validate } from './validate';

export interface AdminPort {
  rebuildAccount(accountId: string): Promise<Record<string, unknown>>;
  rebuildTransfer(transferId: string): Promise<Record<string, unknown>>;
  /** Every read model (accounts and transfers). */
  rebuildAll(): Promise<Record<string, unknown>>;
  /** The supervision console's JSON. */
  console(): Promise<Record<string, unknown>>;
  passivate(accountId: string): boolean;
  restartProjector(name: string): Promise<boolean>;
}

export function adminRoutes(admin: AdminPort, audit: AdminAudit, token: string | null, logger: Logger): Router {
  const router = Router();
  router.use('/admin', requireAdmin(token, audit, logger));

  async function audited(res: Response, action: string, target: string, run: () => Promise<Record<string, unknown> | null>) {
    const actor = res.locals.adminActor as string;
    try {
      const result = await run();
      await audit.record({ actor, action, target, result: result ? 'ok' : 'error', detail: result ?? {} });
      if (result) res.json({ action, target, ...result });
      else sendProblem(res, 404, 'not_found', `Nothing to ${action} for ${target}`);
    } catch (error) {
      await audit.record({ actor, action, target, result: 'error', detail: { message: error instanceof Error ? error.message : String(error) } });
      throw error;
    }
  }

  router.post('/admin/projections/accounts/rebuild-all', async (_req, res) => {
    await audited(res, 'rebuild-all', 'accounts', () => admin.rebuildAll());
  });
  router.post('/admin/projections/accounts/:accountId/rebuild', async (req, res) => {
    const { accountId } = validate(accountParams, req.params, 'path');
    await audited(res, 'rebuild', `account:${accountId}`, () => admin.rebuildAccount(accountId));
  });
  router.post('/admin/projections/transfers/:transferId/rebuild', async (req, res) => {
    const { transferId } = validate(transferParams, req.params, 'path');
    await audited(res, 'rebuild', `transfer:${transferId}`, () => admin.rebuildTransfer(transferId));
  });
  router.get('/admin/actors', async (_req, res) => {
    res.json(await admin.console());
  });
  router.post('/admin/actors/:accountId/passivate', async (req, res) => {
    const { accountId } = validate(accountParams, req.params, 'path');
    await audited(res, 'passivate', `account:${accountId}`, async () => (admin.passivate(accountId) ? { passivated: true } : null));
  });
  router.post('/admin/projectors/:name/restart', async (req, res) => {
    const name = String(req.params.name);
    await audited(res, 'restart-projector', `projector:${name}`, async () => ((await admin.restartProjector(name)) ? { restarted: true } : null));
  });
  router.get('/admin/audit', async (_req, res) => {
    res.json({ entries: await audit.recent(100) });
  });
  return router;
}
