// GET /transfers/:transferId: a transfer's status from the transfer_summary projection, in the
// same shape as the POST's answer. ?minVersion=N waits (bounded by READ_WAIT_MS) until the
// projection reached version N, as the account reads do.
import { Router } from 'express';
import { z } from 'zod';
import { TransferReadModel } from '../ports/transferReadModel';
import { readAtLeast, ReadWait } from './readAtLeast';
import { identifier, minVersionQuery } from './schemas';
import { sendProblem } from './respond';
import { validate } from './validate';

/** Transfer ids follow the account id rules: a client can never name a derived ('~') id. */
export const transferParams = z.strictObject({ transferId: identifier });
const readQuery = z.strictObject({ minVersion: minVersionQuery });

/** `versions` are the transfer projector's announcements (keyed by transfer id). */
export interface TransferQueryDeps extends ReadWait {
  readModel: TransferReadModel;
}

export function transferQueryRoutes(deps: TransferQueryDeps): Router {
  const router = Router();

  router.get('/transfers/:transferId', async (req, res) => {
    const { transferId } = validate(transferParams, req.params, 'path');
    const { minVersion } = validate(readQuery, req.query, 'query');
    const transfer = await readAtLeast(deps, res, transferId, minVersion, (id) => deps.readModel.transfer(id), () =>
      sendProblem(res, 404, 'transfer_not_found', `Transfer ${transferId} does not exist`),
    );
    if (transfer) res.json(transfer);
  });

  return router;
}
