// Scenario flags: seed-compatible defaults, every flag read, and every bad value rejected with a
// UsageError that names the flag (the CLI turns it into usage + exit 2).
import { expect } from 'chai';
import { UsageError, tokenizeArgv } from '../../load/shared/argv';
import { parseScenarioFlags, scenarioDefaults, scenarioUsage } from '../../load/scenario/flags';
import { loadLimits } from '../../load/shared/limits';
import { isLoopbackHost } from '../../load/shared/loopback';

describe('load/flags', () => {
  it('applies the seed defaults when no flag is given', () => {
    const config = parseScenarioFlags([], {});
    expect(config).to.deep.include({
      durationS: 60,
      workers: 20,
      accounts: 100,
      seedConcurrency: 10,
      initialDeposit: 10_000,
      minAmount: 100,
      maxAmount: 1_500,
      maxTransferAmount: 1_500,
      baseUrl: 'http://localhost:3000/api',
      currency: 'USD',
      historyLimit: 20,
      hotAccountRatio: 0.1,
      hotSelectionRate: 0.8,
      healthAttempts: loadLimits.healthAttemptsDefault,
      healthRetryDelayMs: loadLimits.healthRetryDelayMsDefault,
      requestTimeoutMs: loadLimits.requestTimeoutMsDefault,
      removeCompletedTransfersFromPool: false,
      readYourWrites: false,
      json: false,
      maxUnexpectedFailures: 0,
    });
    expect(config.weights).to.deep.equal({ deposit: 35, withdraw: 30, balance: 20, history: 10, create: 5, transfer: 0, transferStatus: 0 });
    expect(config.seed).to.be.a('number').within(0, 2 ** 32 - 1);
    expect(scenarioDefaults.weights.transfer).to.equal(0);
  });

  it('reads every flag', () => {
    const config = parseScenarioFlags(
      [
        '--duration=12.5',
        '--workers=7',
        '--accounts=33',
        '--seed-concurrency=4',
        '--initial-deposit=0',
        '--min-amount=5',
        '--max-amount=50',
        '--max-transfer-amount=40',
        '--base-url=http://127.0.0.1:4000/api/',
        '--currency=EUR',
        '--history-limit=7',
        '--hot-account-ratio=0.25',
        '--hot-selection-rate=0.5',
        '--deposit-weight=1',
        '--withdraw-weight=2',
        '--balance-weight=3',
        '--history-weight=4',
        '--create-weight=5',
        '--transfer-weight=6',
        '--transfer-status-weight=7',
        '--remove-completed-transfers-from-pool',
        '--health-retries=3',
        '--health-retry-delay-ms=10',
        '--request-timeout-ms=2500',
        '--read-your-writes',
        '--json=true',
        '--max-unexpected-failures=9',
        '--seed=42',
      ],
      {},
    );
    expect(config).to.deep.equal({
      durationS: 12.5,
      workers: 7,
      accounts: 33,
      seedConcurrency: 4,
      initialDeposit: 0,
      minAmount: 5,
      maxAmount: 50,
      maxTransferAmount: 40,
      baseUrl: 'http://127.0.0.1:4000/api',
      currency: 'EUR',
      historyLimit: 7,
      hotAccountRatio: 0.25,
      hotSelectionRate: 0.5,
      weights: { deposit: 1, withdraw: 2, balance: 3, history: 4, create: 5, transfer: 6, transferStatus: 7 },
      healthAttempts: 3,
      healthRetryDelayMs: 10,
      requestTimeoutMs: 2500,
      removeCompletedTransfersFromPool: true,
      readYourWrites: true,
      json: true,
      maxUnexpectedFailures: 9,
      seed: 42,
    });
  });

  it('accepts the seed spelling --transfer-initiate-weight', () => {
    expect(parseScenarioFlags(['--transfer-initiate-weight=30'], {}).weights.transfer).to.equal(30);
  });

  it('falls back to environment variables like the seed, flags taking precedence', () => {
    const env = { WORKERS: '9', BASE_URL: 'http://[::1]:3000/api', HOT_SELECTION_RATE: '0.3' };
    const config = parseScenarioFlags(['--workers=4'], env);
    expect(config.workers).to.equal(4);
    expect(config.baseUrl).to.equal('http://[::1]:3000/api');
    expect(config.hotSelectionRate).to.equal(0.3);
  });

  const bad: Array<[string[], string]> = [
    [['--duration=abc'], '--duration'],
    [['--duration=0'], '--duration'],
    [[`--duration=${loadLimits.durationMaxS + 1}`], '--duration'],
    [['--workers=1.5'], '--workers'],
    [['--workers=0'], '--workers'],
    [['--accounts=-1'], '--accounts'],
    [['--seed-concurrency='], '--seed-concurrency'],
    [['--initial-deposit=1e3'], '--initial-deposit'],
    [['--min-amount=0'], '--min-amount'],
    [['--min-amount=2000'], '--min-amount'],
    [['--max-amount=10', '--min-amount=20'], '--min-amount'],
    [['--max-transfer-amount=50'], '--max-transfer-amount'],
    [['--base-url=http://example.com/api'], 'not loopback'],
    [['--base-url=http://10.0.0.1:3000/api'], 'not loopback'],
    [['--base-url=https://localhost/api'], '--base-url'],
    [['--base-url=not a url'], '--base-url'],
    [['--currency=usd'], '--currency'],
    [['--history-limit=501'], '--history-limit'],
    [['--hot-account-ratio=1.5'], '--hot-account-ratio'],
    [['--hot-selection-rate=-0.1'], '--hot-selection-rate'],
    [['--deposit-weight=-1'], '--deposit-weight'],
    [['--deposit-weight=0', '--withdraw-weight=0', '--balance-weight=0', '--history-weight=0', '--create-weight=0'], 'weight'],
    [['--transfer-weight=1', '--accounts=1'], 'transfers need'],
    [['--transfer-weight=1', '--transfer-initiate-weight=1'], 'not both'],
    [['--health-retries=0'], '--health-retries'],
    [['--request-timeout-ms=0'], '--request-timeout-ms'],
    [['--read-your-writes=maybe'], '--read-your-writes'],
    [['--json=2'], '--json'],
    [['--max-unexpected-failures=-1'], '--max-unexpected-failures'],
    [['--seed=abc'], '--seed'],
    [['--seed=4294967296'], '--seed'],
    [['--wokers=3'], 'unknown flag --wokers'],
    [['10'], 'unexpected argument'],
    [['--workers=2', '--workers=3'], 'given twice'],
  ];
  for (const [argv, mentions] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      expect(() => parseScenarioFlags(argv, {}))
        .to.throw(UsageError)
        .with.property('message')
        .that.includes(mentions);
    });
  }

  it('rejects a bad value that comes from the environment', () => {
    expect(() => parseScenarioFlags([], { DURATION: 'soon' })).to.throw(UsageError, '--duration');
  });

  it('documents every flag in the usage text', () => {
    const usage = scenarioUsage();
    for (const flag of ['duration', 'base-url', 'read-your-writes', 'json', 'max-unexpected-failures', 'seed', 'transfer-status-weight']) {
      expect(usage).to.include(`--${flag}=`);
    }
  });
});

describe('load/argv', () => {
  it('keeps everything after the first = (the seed truncated at a second =)', () => {
    expect(tokenizeArgv(['--x=a=b']).flags.get('x')).to.equal('a=b');
  });
  it('treats a bare flag as true and collects positional words', () => {
    const parsed = tokenizeArgv(['deposits-hot', '--json']);
    expect(parsed.flags.get('json')).to.equal('true');
    expect(parsed.positional).to.deep.equal(['deposits-hot']);
  });
});

describe('load/loopback', () => {
  for (const host of ['localhost', '127.0.0.1', '127.255.3.9', '[::1]']) {
    it(`accepts ${host}`, () => expect(isLoopbackHost(host)).to.equal(true));
  }
  for (const host of ['128.0.0.1', '0.0.0.0', 'localhost.example.com', '127.0.0.256', '127.0.0', '[::2]', 'example.com']) {
    it(`rejects ${host}`, () => expect(isLoopbackHost(host)).to.equal(false));
  }
});
