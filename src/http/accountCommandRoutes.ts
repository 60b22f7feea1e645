// POST routes of the account commands: validate, fingerprint, hand to the command port, answer.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { z } from 'zod';
import { AccountCommand } from '../domain/account/accountCommands';
import { CommandPort } from '../app/commandBus';
import { commandKey } from './commandEnvelope';
import { outcomeResponse } from './outcomeResponse';
import { accountParams, actorOf, freezeBody, moneyBody, openAccountBody, unfreezeBody } from './schemas';
import { requestHash } from './requestHash';
import { send } from './respond';
import { validate } from './validate';

type Build<S extends z.ZodType> = (body: z.infer<S>, accountId: string) => AccountCommand;

export function accountCommandRoutes(commands: CommandPort): Router {
  const router = Router();
  const route = <S extends z.ZodType<{ actor?: string | null }>>(path: string, operation: string, schema: S, build: Build<S>) => {
    router.post(path, async (req, res) => {
      const key = commandKey(req, res);
      if (key === null) return;
      const params: { accountId?: string } = req.params.accountId === undefined ? {} : validate(accountParams, req.params, 'path');
      const body = validate(schema, req.body ?? {}, 'body');
      const command = build(body, params.accountId ?? '');
      const issuer = actorOf(body);
      const outcome = await commands.execute({
        command,
        idempotencyKey: key,
        // The whole validated body, actor included: the same key with another actor is another request.
        requestHash: requestHash(operation, { params, body }),
        operation,
        correlationId: (res.locals.requestId as string | undefined) ?? randomUUID(),
        ...(issuer !== undefined && { actor: issuer }),
      });
      send(res, outcomeResponse(outcome));
    });
  };
  // Each build names the command's own fields: the actor travels beside the command (into the
  // event metadata), never inside its data.
  route('/accounts', 'account.open', openAccountBody, (body) => ({
    type: 'OpenAccount',
    accountId: body.accountId,
    ownerId: body.ownerId,
    currency: body.currency,
  }));
  route('/accounts/:accountId/deposits', 'account.deposit', moneyBody, (body, accountId) => ({
    type: 'DepositMoney',
    accountId,
    amount: body.amount,
    currency: body.currency,
    transactionId: body.transactionId,
  }));
  route('/accounts/:accountId/withdrawals', 'account.withdraw', moneyBody, (body, accountId) => ({
    type: 'WithdrawMoney',
    accountId,
    amount: body.amount,
    currency: body.currency,
    transactionId: body.transactionId,
  }));
  route('/accounts/:accountId/freeze', 'account.freeze', freezeBody, (body, accountId) => ({ type: 'FreezeAccount', accountId, reason: body.reason }));
  route('/accounts/:accountId/unfreeze', 'account.unfreeze', unfreezeBody, (_body, accountId) => ({ type: 'UnfreezeAccount', accountId }));
  return router;
}
