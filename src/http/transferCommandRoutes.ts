// POST /transfers: validate, fingerprint, record the transfer durably, answer 202.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { CommandOutcome } from '../ports/commandOutcome';
import { TransferCommandRequest } from '../app/transfers/requestTransfer';
import { commandKey } from './commandEnvelope';
import { outcomeResponse } from './outcomeResponse';
import { requestHash } from './requestHash';
import { send } from './respond';
import { transferBody } from './schemas';
import { validate } from './validate';

export interface TransferPort {
  request(request: TransferCommandRequest): Promise<CommandOutcome>;
}

export const transferOperation = 'transfer.request';

export function transferCommandRoutes(transfers: TransferPort): Router {
  const router = Router();
  router.post('/transfers', async (req, res) => {
    const key = commandKey(req, res);
    if (key === null) return;
    const body = validate(transferBody, req.body ?? {}, 'body');
    const outcome = await transfers.request({
      command: body,
      idempotencyKey: key,
      requestHash: requestHash(transferOperation, { body }),
      operation: transferOperation,
      correlationId: (res.locals.requestId as string | undefined) ?? randomUUID(),
    });
    send(res, outcomeResponse(outcome));
  });
  return router;
}
