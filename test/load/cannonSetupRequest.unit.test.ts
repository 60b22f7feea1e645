// The autocannon hook: every deposit gets its own Idempotency-Key and transactionId, and requests
// spread round-robin over the prepared accounts.
import { expect } from 'chai';
import { ActaCannonRequest } from '../../load/cannon/cannonScenarios';
import setupRequest from '../../load/cannon/cannonSetupRequest';

const template = (kind: 'deposit' | 'balance'): ActaCannonRequest => ({
  method: 'GET',
  path: '/api/health',
  acta: { kind, pathPrefix: '/api', accountIds: ['a-1', 'a-2', 'a-3'], amount: 100, currency: 'USD', runId: 'bench-test' },
});

describe('load/cannonSetupRequest', () => {
  it('gives every deposit a unique Idempotency-Key and transactionId', () => {
    const keys = new Set<string>();
    const transactions = new Set<string>();
    for (let i = 0; i < 1_000; i += 1) {
      // autocannon hands the hook a fresh shallow copy of the template each time.
      const request = setupRequest({ ...template('deposit') });
      expect(request.method).to.equal('POST');
      expect(request.path).to.match(/^\/api\/accounts\/a-[123]\/deposits$/);
      keys.add(String(request.headers?.['idempotency-key']));
      transactions.add(JSON.parse(String(request.body)).transactionId);
      expect(JSON.parse(String(request.body))).to.deep.include({ amount: 100, currency: 'USD' });
    }
    expect(keys.size).to.equal(1_000);
    expect(transactions.size).to.equal(1_000);
  });

  it('spreads requests evenly over the accounts', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i += 1) {
      const path = setupRequest({ ...template('balance') }).path ?? '';
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).to.deep.equal(['/api/accounts/a-1/balance', '/api/accounts/a-2/balance', '/api/accounts/a-3/balance']);
    expect([...counts.values()]).to.deep.equal([100, 100, 100]);
  });
});
