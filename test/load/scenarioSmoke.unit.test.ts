// The scenario runner end to end against the in-memory fake bank: the summary adds up, agrees with
// what the server actually received, and the exit decision follows the failures. No timing is
// asserted: durations only bound how long each run takes.
import { createServer } from 'node:net';
import { expect } from 'chai';
import { parseScenarioFlags } from '../../load/scenario/flags';
import { runScenario, ScenarioResult } from '../../load/scenario/runScenario';
import { ScenarioSummary } from '../../load/scenario/summary';
import { FakeBank, FakeBankOptions, startFakeBank } from './fakeBank';

const smokeSeed = 12345;

async function runAgainst(bank: FakeBank, extraFlags: string[]): Promise<{ result: ScenarioResult; log: string[] }> {
  const log: string[] = [];
  const config = parseScenarioFlags(
    [`--base-url=${bank.baseUrl}`, '--workers=8', '--accounts=20', '--seed-concurrency=5', '--health-retries=3', '--health-retry-delay-ms=50', `--seed=${smokeSeed}`, ...extraFlags],
    {},
  );
  const result = await runScenario(config, { log: (line) => log.push(line) });
  return { result, log };
}

async function withBank<T>(options: FakeBankOptions, body: (bank: FakeBank) => Promise<T>): Promise<T> {
  const bank = await startFakeBank(options);
  try {
    return await body(bank);
  } finally {
    await bank.close();
  }
}

function expectCountsAddUp(summary: ScenarioSummary): void {
  let completed = 0;
  for (const [name, op] of Object.entries(summary.operations)) {
    expect(op.completed, name).to.equal(op.ok + op.failed);
    expect(op.failed, name).to.equal(op.expectedFailures + op.unexpectedFailures);
    completed += op.completed;
  }
  expect(summary.totals.completed).to.equal(completed);
  expect(summary.totals.completed).to.equal(summary.totals.ok + summary.totals.failed);
  expect(summary.totals.failed).to.equal(summary.totals.expectedFailures + summary.totals.unexpectedFailures);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

describe('load/scenario smoke (fake bank)', function () {
  this.timeout(30_000);

  it('runs the full mix with read-your-writes, adds up, matches the server and passes', async () => {
    await withBank({}, async (bank) => {
      const { result, log } = await runAgainst(bank, ['--duration=3', '--transfer-weight=5', '--transfer-status-weight=5', '--read-your-writes']);
      const summary = result.summary!;
      expect(log.join('\n')).to.include(`PRNG seed: ${smokeSeed}`);
      expectCountsAddUp(summary);
      for (const name of ['seedCreateAccount', 'seedDeposit', 'createAccount', 'deposit', 'withdraw', 'getBalance', 'getHistory', 'initiateTransfer', 'getTransferStatus']) {
        expect(summary.operations, name).to.have.property(name);
      }
      const ops = summary.operations;
      // Every request the runner counted reached the server exactly once, and nothing else did.
      expect(bank.hits.get('createAccount')).to.equal(ops.seedCreateAccount!.completed + ops.createAccount!.completed);
      expect(bank.hits.get('deposit')).to.equal(ops.seedDeposit!.completed + ops.deposit!.completed);
      expect(bank.hits.get('withdraw')).to.equal(ops.withdraw!.completed);
      expect(bank.hits.get('getBalance')).to.equal(ops.getBalance!.completed);
      expect(bank.hits.get('getHistory')).to.equal(ops.getHistory!.completed);
      expect(bank.hits.get('initiateTransfer')).to.equal(ops.initiateTransfer!.completed);
      expect(bank.hits.get('getTransferStatus')).to.equal(ops.getTransferStatus!.completed);
      expect(summary.workloadRequests).to.equal(summary.totals.completed - ops.seedCreateAccount!.completed - ops.seedDeposit!.completed);
      // With minVersion on every read, the fake's lagging read model never shows a 404.
      expect(summary.totals.byReason).to.not.have.property('unexpected:read_your_writes_violated');
      expect(summary.totals.byReason).to.not.have.property('expected:projection_lag');
      expect(summary.totals.unexpectedFailures).to.equal(0);
      expect(result.exitCode).to.equal(0);
      expect(summary.verdict).to.deep.include({ passed: true, exitCode: 0 });
      for (const account of bank.accounts.values()) expect(account.balance, account.accountId).to.be.at.least(0);
      // The --json output is this object; it must survive serialisation unchanged.
      expect(JSON.parse(JSON.stringify(summary))).to.deep.equal(summary);
    });
  });

  it('exits 1 when injected 500s exceed the threshold, and 0 when the threshold allows them', async () => {
    await withBank({ failEveryNthDeposit: 5 }, async (bank) => {
      const strict = await runAgainst(bank, ['--duration=1']);
      expectCountsAddUp(strict.result.summary!);
      expect(strict.result.summary!.totals.byReason['unexpected:server_error']).to.be.above(0);
      expect(strict.result.exitCode).to.equal(1);
      const lenient = await runAgainst(bank, ['--duration=1', `--max-unexpected-failures=${Number.MAX_SAFE_INTEGER}`]);
      expect(lenient.result.summary!.totals.unexpectedFailures).to.be.above(0);
      expect(lenient.result.exitCode).to.equal(0);
    });
  });

  it('reports a missing transfers route as unexpected failures instead of crashing', async () => {
    await withBank({ transfers: false }, async (bank) => {
      const { result } = await runAgainst(bank, ['--duration=1', '--transfer-weight=20', '--transfer-status-weight=10']);
      const summary = result.summary!;
      expectCountsAddUp(summary);
      expect(summary.operations.initiateTransfer?.unexpectedFailures).to.be.above(0);
      expect(summary.totals.byReason['unexpected:route_missing']).to.equal(summary.operations.initiateTransfer?.completed);
      expect(result.exitCode).to.equal(1);
    });
  });

  it('exits 2 without a summary when the service is unreachable', async () => {
    const port = await closedPort();
    const config = parseScenarioFlags([`--base-url=http://127.0.0.1:${port}/api`, '--health-retries=2', '--health-retry-delay-ms=10'], {});
    const log: string[] = [];
    const result = await runScenario(config, { log: (line) => log.push(line) });
    expect(result.exitCode).to.equal(2);
    expect(result.summary).to.equal(undefined);
    expect(result.problem).to.include('not healthy after 2 attempts');
    expect(log.filter((line) => line.startsWith('Health check attempt'))).to.have.length(2);
  });

  it('stops early on abort and still summarises what ran', async () => {
    await withBank({}, async (bank) => {
      const stop = new AbortController();
      const config = parseScenarioFlags([`--base-url=${bank.baseUrl}`, '--duration=60', '--accounts=5', '--workers=4'], {});
      const running = runScenario(config, {
        log: (line) => {
          if (line.startsWith('Running workload')) setImmediate(() => stop.abort());
        },
        signal: stop.signal,
      });
      const result = await running;
      expectCountsAddUp(result.summary!);
      expect(result.exitCode).to.equal(0);
    });
  });
});
