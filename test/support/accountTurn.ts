// What the account-turn unit suites share: command requests for one account (the request hash
// stands for operation + payload, so equal commands hash equal) and turn dependencies on an
// in-memory store whose journal reports every append it writes.
import { randomUUID } from 'node:crypto';
import { CommandRequest } from '../../src/app/commandRequest';
import { TurnDeps } from '../../src/app/runAccountTurn';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { freshResponse } from '../../src/http/outcomeResponse';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { StreamAppend } from '../../src/ports/eventStore';

export function request(command: AccountCommand, key: string = randomUUID()): CommandRequest {
  return { command, idempotencyKey: key, requestHash: JSON.stringify(command), operation: command.type, correlationId: key };
}

/** Request builders for `accountId` (each also takes another account's id last). */
export function accountRequests(accountId: string) {
  return {
    open: (key?: string, id = accountId) => request({ type: 'OpenAccount', accountId: id, ownerId: 'o', currency: 'USD' }, key),
    deposit: (amount: number, transactionId: string = randomUUID(), key?: string, id = accountId) =>
      request({ type: 'DepositMoney', accountId: id, amount, currency: 'USD', transactionId }, key),
    withdraw: (amount: number, transactionId: string = randomUUID(), key?: string, id = accountId) =>
      request({ type: 'WithdrawMoney', accountId: id, amount, currency: 'USD', transactionId }, key),
  };
}

/** Turn dependencies on `store`, with a journal that hands each append to `onAppend` before writing it. */
export function recordingTurnDeps(store: MemoryEventStore, onAppend: (append: StreamAppend) => void): TurnDeps {
  return {
    store,
    journal: {
      append: async (append) => {
        onAppend(append);
        return (await store.appendBatch([append]))[0]!;
      },
    },
    newId: randomUUID,
    now: () => new Date().toISOString(),
    render: freshResponse,
  };
}
