// POST routes of the account commands: validate, fingerprint, hand to the command port, answer.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { z } from 'zod';
import { AccountCommand } from '../domain/account/accountCommands';
import { CommandPort } from '../app/commandBus';
import { commandKey } from './commandEnvelope';
import { accountParams, freezeBody, moneyBody, openAccountBody, unfreezeBody } from './schemas';
import { requestHash } from './requestHash';
import { send } from './respond';
import { validate } from './validate';

type Build<S extends z.ZodType> = (body: z.infer<S>, accountId: string) => AccountCommand;

export function accountCommandRoutes(commands: CommandPort): Router {
  const router = Router();
  const route = <S extends z.ZodType>(path: string, operation: string, schema: S, build: Build<S>) => {
    router.post(path, async (req, res) => {
      const key = commandKey(req, res);
      if (key === null) return;
      const params: { accountId?: string } = req.params.accountId === undefined ? {} : validate(accountParams, req.params, 'path');
      const body = validate(schema, req.body ?? {}, 'body');
      const command = build(body, params.accountId ?? '');
      const outcome = await commands.execute({
        command,
        idempotencyKey: key,
        requestHash: requestHash(operation, { params, body }),
        operation,
        correlationId: (res.locals.requestId as string | undefined) ?? randomUUID(),
      });
      send(res, outcome);
    });
  };
  route('/accounts', 'account.open', openAccountBody, (body) => ({ type: 'OpenAccount', ...body }));
  route('/accounts/:accountId/deposits', 'account.deposit', moneyBody, (body, accountId) => ({ type: 'DepositMoney', accountId, ...body }));
  route('/accounts/:accountId/withdrawals', 'account.withdraw', moneyBody, (body, accountId) => ({ type: 'WithdrawMoney', accountId, ...body }));
  route('/accounts/:accountId/freeze', 'account.freeze', freezeBody, (body, accountId) => ({ type: 'FreezeAccount', accountId, reason: body.reason }));
  route('/accounts/:accountId/unfreeze', 'account.unfreeze', unfreezeBody, (_body, accountId) => ({ type: 'UnfreezeAccount', accountId }));
  return router;
}
