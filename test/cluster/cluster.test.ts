// Acta as a cluster: three node processes on one Postgres database and a Kafka broker, all started
// by scripts/cluster.sh (as a user would) behind its nginx. A bank workload of careful clients goes first
// through nginx (each account hashed to its home node), then to a random node per request; one
// node is killed with SIGKILL in each half and started again with the same script. Afterwards the
// fault suite's invariants hold, read on every node, plus: no transfer step recorded twice (no two
// nodes drove one transfer at once), no ownership left behind, and the projector group has
// committed every partition to its end.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { createKafkaBus } from '../../src/infra/kafka/kafkaBus';
import { TestDatabase, createTestDatabase } from '../support/database';
import { seededRandom } from '../../load/shared/prng';
import { BankWorkload } from '../faults/bankWorkload';
import { StoreFacts, settleAndCheck } from '../faults/bankInvariants';

const run = promisify(execFile);
const projectRoot = path.resolve(__dirname, '../..');
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);

const clusterLimits = {
  nodes: 3,
  /** Ports of this test's cluster (cluster.sh's defaults stay free for a developer's own). */
  lbPort: 3_210,
  nodePortBase: 3_211,
  /** The cluster's own broker (cluster.sh starts it in its state dir), apart from the suite's. */
  kafkaPort: 19_292,
  kafkaControllerPort: 19_293,
  /** Load in each half (through nginx, then random nodes). */
  halfMs: 8_000,
  settleMs: 60_000,
} as const;

const adminToken = 'cluster-test-admin-token';

describe('a cluster of three nodes behind nginx (real Postgres, real Kafka)', function () {
  this.timeout(400_000);
  let db: TestDatabase;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  // A broker of the cluster's own: topic and group names are fixed, and the suite's broker carries
  // other tests' consumers of the same groups.
  const brokers = [`127.0.0.1:${clusterLimits.kafkaPort}`];
  const lbUrl = `http://127.0.0.1:${clusterLimits.lbPort}`;
  const nodeUrl = (i: number) => `http://127.0.0.1:${clusterLimits.nodePortBase + i - 1}`;
  const cluster = (...args: string[]) => run('bash', ['scripts/cluster.sh', ...args], { cwd: projectRoot, env, maxBuffer: 16 * 1024 * 1024 });

  before(async () => {
    db = await createTestDatabase();
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'acta-cluster-'));
    env = {
      ...process.env,
      CLUSTER_STATE_DIR: stateDir,
      CLUSTER_DATABASE_URL: db.url,
      CLUSTER_KAFKA_PORT: String(clusterLimits.kafkaPort),
      CLUSTER_KAFKA_CONTROLLER_PORT: String(clusterLimits.kafkaControllerPort),
      CLUSTER_PORT: String(clusterLimits.lbPort),
      CLUSTER_NODE_PORT_BASE: String(clusterLimits.nodePortBase),
      CLUSTER_ROUTING: 'hash',
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
    };
    await cluster('start', String(clusterLimits.nodes));
  });
  after(async () => {
    await cluster('stop', '--all').catch((error: unknown) => process.stderr.write(`cluster stop: ${String(error)}\n`));
    await db?.drop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  /** SIGKILL of node i (by the pid cluster.sh recorded), then `cluster.sh start` brings it back. */
  async function killAndRestart(i: number): Promise<{ downMs: number }> {
    const pid = Number((await fs.readFile(path.join(stateDir, `node-${i}.pid`), 'utf8')).trim());
    const killed = Date.now();
    process.kill(pid, 'SIGKILL');
    await delay(500);
    await cluster('start', String(clusterLimits.nodes));
    return { downMs: Date.now() - killed };
  }

  it('keeps every acknowledged command exactly once, through nginx and through random nodes, with a node killed in each', async () => {
    let routing: 'nginx' | 'random' = 'nginx';
    const load = new BankWorkload(() => (routing === 'nginx' ? lbUrl : nodeUrl(1 + Math.floor(random() * clusterLimits.nodes))), {
      accounts: 12,
      clients: 12,
      currency: 'USD',
      requestTimeoutMs: 15_000,
      commandRetryBudgetMs: 60_000,
      retryPauseMs: 50,
      random,
    });
    await load.open();
    load.start();
    const restarts: number[] = [];
    try {
      await delay(clusterLimits.halfMs / 2);
      restarts.push((await killAndRestart(2)).downMs);
      await delay(clusterLimits.halfMs / 2);
      routing = 'random';
      await delay(clusterLimits.halfMs / 2);
      restarts.push((await killAndRestart(3)).downMs);
      await delay(clusterLimits.halfMs / 2);
    } finally {
      await load.stop();
    }

    await settleAndCheck({
      label: `cluster run (seed ${seed})`,
      load,
      pool: db.pool,
      nodeUrls: [1, 2, 3].map(nodeUrl),
      settleMs: clusterLimits.settleMs,
      figures: { restartMs: restarts },
      extraChecks: checkTransferStepsOnce,
    });
    expect(load.counts().acked).to.be.greaterThan(100);
  });

  it('leaves no transfer owned and every projector partition committed to its end, shared by the group', async () => {
    const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from transfer_owners');
    expect(rows[0]!.n, 'ownership of finished transfers is given up').to.equal(0);
    const bus = createKafkaBus({ brokers, clientId: 'acta-cluster-test' });
    try {
      const groups = await waitConverged(bus);
      for (const group of groups) {
        expect(group.partitions.length, `${group.topic} partitions`).to.be.at.least(3);
        for (const partition of group.partitions) expect(partition.committed, `${group.groupId} ${group.topic}/${partition.partition}`).to.equal(partition.end);
        const owners = group.members.filter((member) => member.partitions.length > 0);
        expect(owners.length, `${group.groupId}: partitions are shared across nodes`).to.be.at.least(2);
      }
    } finally {
      await bus.close();
    }
  });

  it('shows on every node its id, and the live nodes with what they own', async () => {
    for (const i of [1, 2, 3]) {
      const response = await fetch(`${nodeUrl(i)}/api/admin/actors`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(response.status).to.equal(200);
      const view = (await response.json()) as {
        system: { nodeId: string };
        cluster?: { nodes: Array<{ nodeId: string; address: string | null; owners: Array<{ kind: string }>; partitions: Record<string, number[]> }> };
      };
      expect(view.system.nodeId).to.equal(`node-${i}`);
      const nodes = view.cluster?.nodes ?? [];
      expect(nodes.map((node) => node.nodeId).sort()).to.deep.equal(['node-1', 'node-2', 'node-3']);
      for (const node of nodes) expect(node.owners.map((owner) => owner.kind).sort(), node.nodeId).to.include.members(['node', 'relay', 'transfers']);
      // Every partition of the account projector group is held by exactly one live node.
      const held = nodes.flatMap((node) => node.partitions['acta-account-projector'] ?? []).sort();
      expect(held).to.deep.equal([0, 1, 2]);
      const ready = await fetch(`${nodeUrl(i)}/readyz`);
      expect(ready.status, `node-${i} ready`).to.equal(200);
    }
  });
});

/** Each step of a transfer is recorded once in its stream: two nodes never drove it at once. */
function checkTransferStepsOnce(facts: StoreFacts): string[] {
  const problems: string[] = [];
  for (const [stream, events] of facts.byStream) {
    if (!stream.startsWith('transfer-')) continue;
    const seen = new Map<string, number>();
    for (const event of events) seen.set(event.event_type, (seen.get(event.event_type) ?? 0) + 1);
    for (const [type, n] of seen) if (n > 1) problems.push(`${stream} records ${type} ${n} times`);
  }
  return problems;
}

/** The projector groups' views once every partition is committed to its end (bounded). */
async function waitConverged(bus: ReturnType<typeof createKafkaBus>) {
  const groups = [
    { groupId: 'acta-account-projector', topic: 'acta.account' },
    { groupId: 'acta-transfer-projector', topic: 'acta.transfer' },
  ];
  const deadline = Date.now() + 30_000;
  for (;;) {
    const views = await bus.consumerGroups!(groups);
    const converged = views.every((view) => view.partitions.every((partition) => partition.committed === partition.end));
    if (converged || Date.now() > deadline) return views;
    await delay(250);
  }
}
