// GET routes of the read side: account details, balance and history from the projections.
// ?minVersion=N waits (bounded by READ_WAIT_MS) until the projection reached version N, so a
// client that passes the version its command returned never sees a 404 or stale data for it; an
// account the event store has but the projection does not yet is waited for too (readAtLeast.ts).
import { Router, type Response } from 'express';
import { accountStreamId } from '../domain/account/accountEvents';
import { AccountReadModel, AccountSummaryRow } from '../ports/readModel';
import { EventStore } from '../ports/eventStore';
import { readAtLeast, ReadWait } from './readAtLeast';
import { accountParams, historyQuery, readQuery } from './schemas';
import { sendProblem } from './respond';
import { validate } from './validate';

export interface QueryDeps extends Omit<ReadWait, 'writtenVersion'> {
  readModel: AccountReadModel;
  /** The write side, asked only when the read model has no row for an account. */
  store: Pick<EventStore, 'streamVersion'>;
}

export function accountQueryRoutes(deps: QueryDeps): Router {
  const router = Router();
  const wait: ReadWait = { versions: deps.versions, readWaitMs: deps.readWaitMs, writtenVersion: (accountId) => deps.store.streamVersion(accountStreamId(accountId)) };

  /** Waits for minVersion (or the account's written version) when needed; null once a problem was answered. */
  const summaryAtLeast = (res: Response, accountId: string, minVersion: number | undefined): Promise<AccountSummaryRow | null> =>
    readAtLeast(wait, res, accountId, minVersion, (id) => deps.readModel.summary(id), () =>
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
