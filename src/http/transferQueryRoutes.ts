// GET /transfers/:transferId: a transfer's status from the transfer_summary projection, in the
// same shape as the POST's answer. ?minVersion=N waits (bounded by READ_WAIT_MS) until the
// projection reached version N, as the account reads do; a transfer the event store has but the
// projection does not yet (just after the 202) is waited for instead of answering 404.
import { Router } from 'express';
import { z } from 'zod';
import { transferStreamId } from '../domain/transfer/transferIds';
import { EventStore } from '../ports/eventStore';
import { TransferReadModel } from '../ports/transferReadModel';
import { readAtLeast, ReadWait } from './readAtLeast';
import { identifier, readQuery } from './schemas';
import { sendProblem } from './respond';
import { validate } from './validate';

/** Transfer ids follow the account id rules: a client can never name a derived ('~') id. */
export const transferParams = z.strictObject({ transferId: identifier });

/** `versions` are the transfer projector's announcements (keyed by transfer id). */
export interface TransferQueryDeps extends Omit<ReadWait, 'writtenVersion'> {
  readModel: TransferReadModel;
  /** The write side, asked only when the read model has no row for a transfer. */
  store: Pick<EventStore, 'streamVersion'>;
}

export function transferQueryRoutes(deps: TransferQueryDeps): Router {
  const router = Router();
  const wait: ReadWait = { versions: deps.versions, readWaitMs: deps.readWaitMs, writtenVersion: (transferId) => deps.store.streamVersion(transferStreamId(transferId)) };

  router.get('/transfers/:transferId', async (req, res) => {
    const { transferId } = validate(transferParams, req.params, 'path');
    const { minVersion } = validate(readQuery, req.query, 'query');
    const transfer = await readAtLeast(wait, res, transferId, minVersion, (id) => deps.readModel.transfer(id), () =>
      sendProblem(res, 404, 'transfer_not_found', `Transfer ${transferId} does not exist`),
    );
    if (transfer) res.json(transfer);
  });

  return router;
}
