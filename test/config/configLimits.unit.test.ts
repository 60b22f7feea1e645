// The configuration's defaults are the limits module's named bounds, and the relations the limits
// assert on an overridable default are checked again on the configured value (ConfigError).
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/config';
import { limits, postgresLimits, readPipelineLimits } from '../../src/config/limits';

describe('config: defaults and relations from the limits module', () => {
  it('takes every bound it does not get from the environment from the limits module', () => {
    const config = loadConfig({});
    expect({
      accountIdleMs: config.accountIdleMs,
      snapshotIntervalVersions: config.snapshotIntervalVersions,
      commandTimeoutMs: config.commandTimeoutMs,
      readWaitMs: config.readWaitMs,
      pgPoolMax: config.pgPoolMax,
      journalConcurrentTransactions: config.journalConcurrentTransactions,
      readPipelinePoolMax: config.readPipelinePoolMax,
    }).to.deep.equal({
      accountIdleMs: limits.accountIdleMs,
      snapshotIntervalVersions: limits.snapshotIntervalVersions,
      commandTimeoutMs: limits.commandTimeoutMs,
      readWaitMs: limits.readWaitMs,
      pgPoolMax: postgresLimits.poolConnectionsMax,
      journalConcurrentTransactions: limits.journalConcurrentTransactions,
      readPipelinePoolMax: readPipelineLimits.poolConnectionsMax,
    });
  });

  it('takes a configured value over the default', () => {
    const config = loadConfig({ ACCOUNT_IDLE_MS: '400', SNAPSHOT_INTERVAL: '7', READ_WAIT_MS: '300', PG_POOL_MAX: '8', COMMAND_TIMEOUT_MS: '2500' });
    expect(config).to.include({ accountIdleMs: 400, snapshotIntervalVersions: 7, readWaitMs: 300, pgPoolMax: 8, commandTimeoutMs: 2_500 });
  });

  describe('COMMAND_TIMEOUT_MS against the shutdown drain (limits: shutdownDrainMs >= commandTimeoutMs)', () => {
    it('accepts a command timeout of exactly the drain', () => {
      expect(loadConfig({ COMMAND_TIMEOUT_MS: String(limits.shutdownDrainMs) }).commandTimeoutMs).to.equal(limits.shutdownDrainMs);
    });

    it('refuses one millisecond more with a ConfigError naming the variable, its value and the bound', () => {
      const value = limits.shutdownDrainMs + 1;
      expect(() => loadConfig({ COMMAND_TIMEOUT_MS: String(value) }))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(new RegExp(`COMMAND_TIMEOUT_MS=${value} is longer than the shutdown drain \\(${limits.shutdownDrainMs} ms`));
    });

    it('refuses the largest value the range of the variable allows', () => {
      expect(() => loadConfig({ COMMAND_TIMEOUT_MS: '600000' })).to.throw(ConfigError, /COMMAND_TIMEOUT_MS=600000/);
    });
  });
});
