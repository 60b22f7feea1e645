// NODE_ID and ACTA_CLUSTER: how a node is named, and the storage and bus a cluster refuses.
import { hostname } from 'node:os';
import { expect } from 'chai';
import { ConfigError, defaultNodeId, loadConfig, nodeIdPattern } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';

const external = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/acta', KAFKA_BROKERS: '127.0.0.1:19092' };

describe('config: NODE_ID', () => {
  it('defaults to <hostname>:<PORT>', () => {
    expect(loadConfig({ PORT: '3104' }).nodeId).to.equal(defaultNodeId(hostname(), 3104));
    expect(loadConfig({}).nodeId).to.equal(defaultNodeId(hostname(), 3000));
    // An ordinary host name is kept whole.
    expect(defaultNodeId('acta-box-7', 3104)).to.equal('acta-box-7:3104');
  });

  it('takes an explicit NODE_ID as it is', () => {
    expect(loadConfig({ NODE_ID: 'node-1' }).nodeId).to.equal('node-1');
    expect(loadConfig({ NODE_ID: 'x' }).nodeId).to.equal('x');
    expect(loadConfig({ NODE_ID: 'n'.repeat(64) }).nodeId).to.equal('n'.repeat(64));
    expect(loadConfig({ NODE_ID: 'acta-2.eu-west:3102/a' }).nodeId).to.equal('acta-2.eu-west:3102/a');
  });

  for (const [label, value] of [
    ['empty', ''],
    ['65 characters', 'n'.repeat(65)],
    ['a space', 'node 1'],
    ['a tab', 'node\t1'],
    ['a newline', 'node-1\n'],
    ['a non-ASCII letter', 'nœud-1'],
    ['a control character', 'node\u0000'],
  ] as const) {
    it(`refuses a NODE_ID with ${label}, naming the variable`, () => {
      expect(() => loadConfig({ NODE_ID: value })).to.throw(ConfigError, /NODE_ID/);
    });
  }

  it('derives a valid id from any host name: long names are cut, refused characters become -', () => {
    expect(defaultNodeId('box', 3101)).to.equal('box:3101');
    const long = defaultNodeId('h'.repeat(300), 65535);
    expect(long).to.have.length(64);
    expect(long.endsWith(':65535')).to.equal(true);
    expect(defaultNodeId('my box\u00e9', 3000)).to.equal('my-box-:3000');
    expect(defaultNodeId('', 0)).to.equal('acta:0');
    for (const id of [long, defaultNodeId('my box\u00e9', 3000), defaultNodeId('', 0)]) expect(id).to.match(nodeIdPattern);
  });

  it('puts the node id in every log line (pino base), and in child loggers', () => {
    const logger = createLogger('silent', 'node-2');
    expect(logger.bindings()).to.deep.equal({ service: 'acta', nodeId: 'node-2' });
    expect(logger.child({ component: 'x' }).bindings()).to.include({ nodeId: 'node-2', component: 'x' });
    expect(createLogger('silent').bindings()).to.deep.equal({ service: 'acta' });
  });
});

describe('config: ACTA_CLUSTER', () => {
  it('is off by default, and a node id alone does not ask for a cluster', () => {
    expect(loadConfig({}).cluster).to.equal(false);
    expect(loadConfig({ NODE_ID: 'node-1' }).cluster).to.equal(false);
    expect(loadConfig({ ACTA_CLUSTER: 'false' }).cluster).to.equal(false);
  });

  it('runs on external Postgres with Kafka', () => {
    const config = loadConfig({ ...external, ACTA_CLUSTER: 'true', NODE_ID: 'node-1' });
    expect(config.cluster).to.equal(true);
    expect(config.storage).to.deep.equal({ kind: 'external', url: external.DATABASE_URL });
    expect(config.kafka?.brokers).to.deep.equal(['127.0.0.1:19092']);
    // The seed's variable names count too.
    expect(loadConfig({ ACTA_CLUSTER: 'true', POSTGRES_HOST: 'db', KAFKA_BROKER: 'kafka:19092' }).cluster).to.equal(true);
  });

  it('refuses the embedded default: it runs one node', () => {
    expect(() => loadConfig({ ACTA_CLUSTER: 'true', KAFKA_BROKERS: external.KAFKA_BROKERS })).to.throw(
      ConfigError,
      'the embedded default runs one node; set DATABASE_URL and KAFKA_BROKERS to run several (scripts/cluster.sh)',
    );
    // The embedded refusal comes first: it names both things to set.
    expect(() => loadConfig({ ACTA_CLUSTER: 'true' })).to.throw(ConfigError, /embedded default runs one node/);
  });

  it('refuses in-memory storage', () => {
    expect(() => loadConfig({ ...external, ACTA_CLUSTER: 'true', EVENT_STORE_KIND: 'in-memory' })).to.throw(ConfigError, /in-memory keeps state in one process/);
  });

  it('refuses a cluster without Kafka: the in-process bus cannot share projection work', () => {
    expect(() => loadConfig({ ACTA_CLUSTER: 'true', DATABASE_URL: external.DATABASE_URL })).to.throw(ConfigError, /needs KAFKA_BROKERS: the in-process bus cannot share projection work across nodes/);
    expect(() => loadConfig({ ACTA_CLUSTER: 'true', DATABASE_URL: external.DATABASE_URL, KAFKA_BROKERS: ' , ' })).to.throw(ConfigError, /needs KAFKA_BROKERS/);
  });

  it('accepts only true or false', () => {
    expect(() => loadConfig({ ...external, ACTA_CLUSTER: 'yes' })).to.throw(ConfigError, /ACTA_CLUSTER/);
    expect(() => loadConfig({ ...external, ACTA_CLUSTER: '1' })).to.throw(ConfigError, /ACTA_CLUSTER/);
  });
});
