// The failure classification table: one row per rule, so changing a rule changes a visible row.
import { expect } from 'chai';
import { classify, Classification, ResponseFacts } from '../../load/scenario/classify';

type Row = [description: string, facts: ResponseFacts, expected: Classification];

const row = (description: string, facts: Partial<ResponseFacts> & Pick<ResponseFacts, 'operation' | 'status'>, expected: Classification): Row => [
  description,
  { passedMinVersion: false, ...facts },
  expected,
];

const table: Row[] = [
  row('201 deposit', { operation: 'deposit', status: 201 }, { kind: 'ok' }),
  row('202 transfer', { operation: 'initiateTransfer', status: 202 }, { kind: 'ok' }),
  row('200 balance read', { operation: 'getBalance', status: 200, passedMinVersion: true }, { kind: 'ok' }),
  row('2xx with a non-JSON body', { operation: 'deposit', status: 201, malformedBody: true }, { kind: 'unexpected', reason: 'malformed_response' }),
  row('400 insufficient_funds on withdraw', { operation: 'withdraw', status: 400, code: 'insufficient_funds' }, { kind: 'expected', reason: 'insufficient_funds' }),
  row('400 insufficient_funds on transfer', { operation: 'initiateTransfer', status: 400, code: 'insufficient_funds' }, { kind: 'expected', reason: 'insufficient_funds' }),
  row('400 insufficient_funds on a deposit', { operation: 'deposit', status: 400, code: 'insufficient_funds' }, { kind: 'unexpected', reason: 'client_error' }),
  row('400 other code on withdraw', { operation: 'withdraw', status: 400, code: 'validation_failed' }, { kind: 'unexpected', reason: 'client_error' }),
  row('409 on deposit', { operation: 'deposit', status: 409, code: 'transaction_id_reused' }, { kind: 'unexpected', reason: 'conflict' }),
  row('409 on account create', { operation: 'createAccount', status: 409, code: 'account_already_exists' }, { kind: 'unexpected', reason: 'conflict' }),
  row('500 on withdraw', { operation: 'withdraw', status: 500 }, { kind: 'unexpected', reason: 'server_error' }),
  row('503 on balance read', { operation: 'getBalance', status: 503, code: 'mailbox_full' }, { kind: 'unexpected', reason: 'server_error' }),
  row('network error', { operation: 'deposit', status: 'NETWORK_ERROR' }, { kind: 'unexpected', reason: 'network_error' }),
  row('timeout', { operation: 'getHistory', status: 'TIMEOUT' }, { kind: 'unexpected', reason: 'timeout' }),
  row('404 balance read without minVersion', { operation: 'getBalance', status: 404, code: 'account_not_found' }, { kind: 'expected', reason: 'projection_lag' }),
  row('404 history read without minVersion', { operation: 'getHistory', status: 404 }, { kind: 'expected', reason: 'projection_lag' }),
  row('404 transfer status without minVersion', { operation: 'getTransferStatus', status: 404 }, { kind: 'expected', reason: 'projection_lag' }),
  row('404 balance read WITH minVersion', { operation: 'getBalance', status: 404, passedMinVersion: true }, { kind: 'unexpected', reason: 'read_your_writes_violated' }),
  row('404 history read WITH minVersion', { operation: 'getHistory', status: 404, passedMinVersion: true }, { kind: 'unexpected', reason: 'read_your_writes_violated' }),
  row('404 missing route on POST /transfers', { operation: 'initiateTransfer', status: 404, code: 'route_not_found' }, { kind: 'unexpected', reason: 'route_missing' }),
  row('404 missing route on a read', { operation: 'getTransferStatus', status: 404, code: 'route_not_found' }, { kind: 'unexpected', reason: 'route_missing' }),
  row('404 on a deposit (unknown account)', { operation: 'deposit', status: 404, code: 'account_not_found' }, { kind: 'unexpected', reason: 'client_error' }),
  row('422 idempotency_key_reused', { operation: 'deposit', status: 422, code: 'idempotency_key_reused' }, { kind: 'unexpected', reason: 'client_error' }),
  row('429 on a read', { operation: 'getBalance', status: 429 }, { kind: 'unexpected', reason: 'client_error' }),
  row('302 redirect', { operation: 'getBalance', status: 302 }, { kind: 'unexpected', reason: 'unexpected_status' }),
  row('400 insufficient_funds during seeding', { operation: 'seedDeposit', status: 400, code: 'insufficient_funds' }, { kind: 'unexpected', reason: 'client_error' }),
];

describe('load/classify', () => {
  for (const [description, facts, expected] of table) {
    it(description, () => {
      expect(classify(facts)).to.deep.equal(expected);
    });
  }
});
