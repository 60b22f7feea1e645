// GET routes of the read side: account details, balance and history from the projections.
// ?minVersion=N waits (bounded by READ_WAIT_MS) until the projection reached version N, so a
// client that passes the version its command returned never sees a 404 or stale data for it.
import { Router, type Response } from 'express';
import { z } from 'zod';
import { limits } from '../config/limits';
import { AccountReadModel, AccountSummaryRow } from '../ports/readModel';
import { readAtLeast, ReadWait } from './readAtLeast';
import { accountParams, minVersionQuery } from './schemas';
import { sendProblem } from './respond';
import { validate } from './validate';

const readQuery = z.strictObject({ minVersion: minVersionQuery });
const historyQuery = z.strictObject({
  minVersion: minVersionQuery,
  limit: z.coerce.number().int().min(1).max(limits.historyLimitMax).default(limits.historyLimitDefault),
  offset: z.coerce.number().int().min(0).max(limits.moneyMax).default(0),
});

export interface QueryDeps extends ReadWait {
  readModel: AccountReadModel;
}

export function accountQueryRoutes(deps: QueryDeps): Router {
  const router = Router();

  /** Waits for minVersion when asked; answers the problem and returns null when it cannot. */
  const summaryAtLeast = (res: Response, accountId: string, minVersion: number | undefined): Promise<AccountSummaryRow | null> =>
    readAtLeast(deps, res, accountId, minVersion, (id) => deps.readModel.summary(id), () =>
      sendProblem(res, 404, 'account_not_found', `Account ${accountId} does not exist`),
    );

  router.get('/accounts/:accountId', async (req, res) => {
    const { accountId } = validate(accountParams, req.params, 'path');
    const { minVersion } = validate(readQuery, req.query, 'query');
    const summary = await summaryAtLeast(res, accountId, minVersion);
    if (summary) res.json(summary);
  });

  router.get('/accounts/:accountId/balance', async (req, res) => {
    const { accountId } = validate(accountParams, req.params, 'path');
    const { minVersion } = validate(readQuery, req.query, 'query');
    const summary = await summaryAtLeast(res, accountId, minVersion);
    if (!summary) return;
    const { balance, availableBalance, currency, status, version, updatedAt } = summary;
    res.json({ accountId, balance, availableBalance, currency, status, version, updatedAt });
  });

  router.get('/accounts/:accountId/history', async (req, res) => {
    const { accountId } = validate(accountParams, req.params, 'path');
    const { minVersion, limit, offset } = validate(historyQuery, req.query, 'query');
    const summary = await summaryAtLeast(res, accountId, minVersion);
    if (!summary) return;
    const page = await deps.readModel.history(accountId, limit, offset);
    res.json(page ?? { accountId, entries: [], total: 0, limit, offset });
  });

  return router;
}
