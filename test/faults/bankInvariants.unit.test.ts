// The fault runs' invariant checks, fed hand-made stores: each check finds the defect it exists for
// (so a fault run that passes has really been checked) and accepts a store that holds.
import { expect } from 'chai';
import { SentCommand } from './bankWorkload';
import { StoreFacts, checkConservation, checkLedger, checkTransfers, checkVersions, foldAccounts } from './bankInvariants';

type Row = StoreFacts['events'][number];

function facts(rows: Row[]): StoreFacts {
  const byStream = new Map<string, Row[]>();
  for (const row of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);
  return { events: rows, byStream };
}

const row = (stream_id: string, stream_version: number, event_type: string, data: Record<string, unknown>): Row => ({ stream_id, stream_version, event_type, data });

function command(kind: SentCommand['kind'], body: Record<string, unknown>, status: number | null, path = '/api/accounts/a/deposits'): SentCommand {
  return { kind, path, body, key: `k-${JSON.stringify(body)}`, status, response: status === null ? null : { code: status >= 400 ? 'insufficient_funds' : undefined }, attempts: 1, retries: 0 };
}

const healthy = [
  row('account-a', 1, 'AccountCreated', { accountId: 'a' }),
  row('account-a', 2, 'MoneyDeposited', { accountId: 'a', amount: 500, transactionId: 't1' }),
  row('account-b', 1, 'AccountCreated', { accountId: 'b' }),
  row('transfer-x', 1, 'TransferRequested', { transferId: 'x' }),
  row('account-a', 3, 'HoldPlaced', { accountId: 'a', transferId: 'x', amount: 200 }),
  row('account-b', 2, 'TransferCredited', { accountId: 'b', transferId: 'x', amount: 200 }),
  row('account-a', 4, 'HoldCaptured', { accountId: 'a', transferId: 'x', amount: 200 }),
  row('transfer-x', 2, 'TransferCompleted', { transferId: 'x' }),
];

describe('fault-run invariants', () => {
  it('accept a store that holds every invariant', () => {
    const store = facts(healthy);
    const ledger = [command('deposit', { amount: 500, transactionId: 't1' }, 201), command('withdrawal', { amount: 9_999, transactionId: 't2' }, 400)];
    expect(checkLedger(ledger, store)).to.deep.equal([]);
    expect(checkVersions(store)).to.deep.equal([]);
    expect(checkTransfers(store)).to.deep.equal([]);
    expect(checkConservation(store)).to.deep.equal([]);
    expect(foldAccounts(store)).to.deep.equal([
      { accountId: 'a', balance: 300, version: 4 },
      { accountId: 'b', balance: 200, version: 2 },
    ]);
  });

  it('find an acknowledged command that is missing, and a rejected one that was stored', () => {
    const store = facts(healthy);
    const problems = checkLedger([command('deposit', { amount: 7, transactionId: 'lost' }, 201), command('deposit', { amount: 500, transactionId: 't1' }, 400)], store);
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/acknowledged deposit .* stored 0 times/);
    expect(problems[1]).to.match(/rejected deposit .* stored 1 times/);
  });

  it('find a transactionId applied twice and an acknowledged movement stored with another amount', () => {
    const store = facts([...healthy, row('account-a', 5, 'MoneyDeposited', { accountId: 'a', amount: 500, transactionId: 't1' })]);
    expect(checkLedger([], store)).to.deep.equal(['transactionId t1 applied 2 times']);
    const other = facts([healthy[0]!, row('account-a', 2, 'MoneyDeposited', { accountId: 'a', amount: 501, transactionId: 't1' })]);
    expect(checkLedger([command('deposit', { amount: 500, transactionId: 't1' }, 201)], other)[0]).to.match(/stored as MoneyDeposited/);
  });

  it('find a gap or a repeat in stream versions', () => {
    expect(checkVersions(facts([row('account-a', 1, 'AccountCreated', {}), row('account-a', 3, 'MoneyDeposited', {})]))).to.deep.equal(['account-a has versions 1,3']);
    expect(checkVersions(facts([row('account-a', 1, 'AccountCreated', {}), row('account-a', 1, 'MoneyDeposited', {})]))).to.have.length(1);
  });

  it('find a transfer that is not terminal, a completed one missing its capture, a failed one that moved money', () => {
    const open = facts(healthy.slice(0, 6));
    expect(checkTransfers(open)[0]).to.match(/transfer x is not terminal/);
    const noCapture = facts([...healthy.slice(0, 6), row('transfer-x', 2, 'TransferCompleted', { transferId: 'x' })]);
    expect(checkTransfers(noCapture)[0]).to.match(/completed transfer x has legs/);
    const failedButCredited = facts([...healthy.slice(0, 6), row('transfer-x', 2, 'TransferFailed', { transferId: 'x' })]);
    expect(checkTransfers(failedButCredited)[0]).to.match(/failed transfer x has legs/);
  });

  it('find money made from nothing: a credit without its capture', () => {
    const store = facts([...healthy.slice(0, 6), row('transfer-x', 2, 'TransferCompleted', { transferId: 'x' })]);
    expect(checkConservation(store)).to.deep.equal(['balances add up to 700, deposits − withdrawals = 500']);
  });
});
