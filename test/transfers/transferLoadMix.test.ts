// The scenario load runner's transfer mix against the real runtime on real Postgres: no unexpected
// failures, every transfer reaches a terminal state, and money is conserved (the sum of balances is
// exactly the external deposits minus withdrawals). No timing is asserted.
import { expect } from 'chai';
import { parseScenarioFlags } from '../../load/scenario/flags';
import { runScenario } from '../../load/scenario/runScenario';
import { TestApp, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';

describe('load runner transfer mix on the real runtime (real Postgres)', function () {
  this.timeout(120_000);
  let app: TestApp;

  before(async function () {
    app = await startTestApp();
  });
  after(async function () {
    await app.close();
  });

  it('ends with every transfer terminal, money conserved and no unexpected failure', async function () {
    const config = parseScenarioFlags(
      [
        `--base-url=${app.baseUrl}/api`,
        '--duration=4',
        '--workers=16',
        '--accounts=12',
        '--seed-concurrency=6',
        '--initial-deposit=2000',
        '--max-transfer-amount=3000',
        '--hot-account-ratio=0.2',
        '--hot-selection-rate=0.7',
        '--transfer-weight=30',
        '--transfer-status-weight=20',
        '--read-your-writes',
        '--seed=7',
      ],
      {},
    );
    const result = await runScenario(config, { log: () => {} });
    const summary = result.summary!;
    expect(summary.operations.initiateTransfer?.ok ?? 0, 'transfers were started').to.be.greaterThan(0);
    expect(summary.totals.unexpectedFailures, JSON.stringify(summary.totals.byReason)).to.equal(0);

    const open = await eventually(
      'no open transfer left',
      () => app.runtime.storage.openTransfers.openTransferIds(1_000),
      { until: (ids) => ids.length === 0, timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(open).to.deep.equal([]);

    const { rows } = await app.pool!.query<{ external: string; balances: string; held: string }>(`
      select
        coalesce(sum(case event_type when 'MoneyDeposited' then (data->>'amount')::bigint when 'MoneyWithdrawn' then -(data->>'amount')::bigint else 0 end), 0) as external,
        coalesce(sum(case event_type when 'MoneyDeposited' then (data->>'amount')::bigint when 'TransferCredited' then (data->>'amount')::bigint
                                     when 'MoneyWithdrawn' then -(data->>'amount')::bigint when 'HoldCaptured' then -(data->>'amount')::bigint else 0 end), 0) as balances,
        coalesce(sum(case event_type when 'HoldPlaced' then (data->>'amount')::bigint when 'HoldCaptured' then -(data->>'amount')::bigint
                                     when 'HoldReleased' then -(data->>'amount')::bigint else 0 end), 0) as held
      from events where stream_id like 'account-%'`);
    expect(rows[0]).to.deep.equal({ external: rows[0]!.external, balances: rows[0]!.external, held: '0' });
    const { rows: legs } = await app.pool!.query<{ completed: number; captured: number; credited: number }>(`
      select
        (select count(*)::int from events where event_type = 'TransferCompleted') as completed,
        (select count(*)::int from events where event_type = 'HoldCaptured') as captured,
        (select count(*)::int from events where event_type = 'TransferCredited') as credited`);
    expect(legs[0]!.captured).to.equal(legs[0]!.completed);
    expect(legs[0]!.credited).to.equal(legs[0]!.completed);
  });
});
