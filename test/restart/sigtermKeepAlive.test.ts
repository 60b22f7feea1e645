// SIGTERM under keep-alive load (embedded default): 50 keep-alive clients keep sending deposits when
// the signal arrives. Every response is a normal outcome or 503 shutting_down with Connection: close
// (a 503 account_unavailable or command_timeout only for a command already in flight); requests that
// arrive on kept-alive connections after the drain began are refused by the gate, readiness among
// them; the process exits 0 within the stop's bound; and after a restart the store holds every
// acknowledged deposit and none that was refused.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { expect } from 'chai';
import { limits } from '../../src/config/limits';
import { get, post } from '../support/app';
import { Server, killGroup, spawnEmbeddedServer, waitHealthy } from '../support/serverProcess';
import { ClusterFolder, delay, makeClusterFolder, portAnswers, removeCluster, within } from './embeddedCluster';
import { eventually } from '../support/eventually';

const pgPort = 27_430;
const clients = 50;
const accounts = Array.from({ length: 10 }, (_, index) => `acc-sigterm-${index}-${randomUUID()}`);
const startBoundMs = 90_000;

interface Deposit {
  accountId: string;
  amount: number;
  key: string;
  transactionId: string;
  sentAt: number;
  receivedAt?: number;
  status?: number;
  code?: string;
  connection?: string;
  version?: number;
  /** A network error instead of a response. */
  error?: string;
}

function sendDeposit(agent: http.Agent, port: number, deposit: Deposit): Promise<Deposit> {
  const body = JSON.stringify({ amount: deposit.amount, currency: 'USD', transactionId: deposit.transactionId });
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/accounts/${deposit.accountId}/deposits`,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': deposit.key },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { code?: string; version?: number };
          resolve({ ...deposit, receivedAt: Date.now(), status: res.statusCode, code: parsed.code, version: parsed.version, connection: res.headers.connection });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ...deposit, receivedAt: Date.now(), error: error.code ?? error.message }));
    req.end(body);
  });
}

/** A raw kept-alive connection: one full request answered, then the next one sent only in part. */
class HalfSentRequest {
  private received = '';
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => (this.received += chunk.toString()));
  }

  static async open(port: number, head: string): Promise<HalfSentRequest> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const half = new HalfSentRequest(socket);
    socket.write('GET /livez HTTP/1.1\r\nHost: acta\r\n\r\n');
    const first = await half.response();
    expect(first.status, 'the connection was kept alive by a first request').to.equal(200);
    expect(first.headers.connection).to.equal('keep-alive');
    // The head without its last line break: the server has begun reading a request (so this
    // connection is not idle) but cannot route it until the rest arrives.
    socket.write(head);
    return half;
  }

  /** Sends the rest and reads the answer. */
  async finish(rest: string): Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }> {
    this.socket.write(rest);
    return this.response();
  }

  close(): void {
    this.socket.destroy();
  }

  private async response(): Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.received.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        if (this.received.length >= end + 4 + length) {
          const body = this.received.slice(end + 4, end + 4 + length);
          this.received = this.received.slice(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
        }
      }
      if (Date.now() > deadline) throw new Error(`no complete response; received: ${JSON.stringify(this.received)}`);
      await delay(5);
    }
  }
}

describe('SIGTERM under keep-alive load (embedded default)', function () {
  this.timeout(startBoundMs * 2 + limits.shutdownTotalMs + 60_000);
  let folder: ClusterFolder;
  let server: Server | null = null;

  before(async () => {
    folder = await makeClusterFolder('sigterm');
    server = await spawnEmbeddedServer({ dataDir: folder.dataDir, pgPort });
    await waitHealthy(server, startBoundMs);
    for (const accountId of accounts) {
      const opened = await post(server.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-sigterm', currency: 'USD' });
      expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    }
  });
  after(async () => {
    if (server) {
      killGroup(server.child, 'SIGTERM');
      await within(server.exited, limits.shutdownTotalMs + 5_000, 'the last server stops').catch(() => killGroup(server!.child, 'SIGKILL'));
    }
    await removeCluster(folder);
  });

  it('drains: normal outcomes or 503 shutting_down + Connection: close, exit 0 in bound, every acknowledged deposit kept', async () => {
    const port = Number(new URL(server!.baseUrl).port);
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
    const seen: Deposit[] = [];
    let signalledAt = Infinity;
    let sequence = 0;
    const client = async (index: number) => {
      for (;;) {
        sequence += 1;
        const deposit: Deposit = {
          accountId: accounts[index % accounts.length]!,
          amount: 1 + ((index * 7_919 + sequence * 104_729) % 997),
          key: randomUUID(),
          transactionId: randomUUID(),
          sentAt: Date.now(),
        };
        const outcome = await sendDeposit(agent, port, deposit);
        seen.push(outcome);
        // Before the signal any failure ends the run (and fails it below); after it, a refused or
        // reset connection means this client has been let go.
        if (outcome.error) return;
      }
    };
    const load = Array.from({ length: clients }, (_, index) => client(index));
    const acknowledged200 = () => seen.filter((deposit) => deposit.status === 201).length;
    await eventually('200 deposits acknowledged before the signal', acknowledged200, { until: (count) => count >= 200, timeoutMs: 60_000, intervalMs: 20 });
    const readyProbe = await HalfSentRequest.open(port, 'GET /readyz HTTP/1.1\r\nHost: acta\r\n');
    const depositBody = JSON.stringify({ amount: 5, currency: 'USD', transactionId: randomUUID() });
    const depositProbe = await HalfSentRequest.open(
      port,
      `POST /api/accounts/${accounts[0]}/deposits HTTP/1.1\r\nHost: acta\r\nContent-Type: application/json\r\n` +
        `Idempotency-Key: ${randomUUID()}\r\nContent-Length: ${Buffer.byteLength(depositBody)}\r\n`,
    );

    signalledAt = Date.now();
    server!.child.kill('SIGTERM');
    // The listener closes in the same turn as the gate: once a new connection is refused, the
    // drain has begun.
    await eventually('new connections refused', async () => !(await portAnswers(port)), { timeoutMs: 10_000, intervalMs: 5 });
    const ready = await readyProbe.finish('\r\n');
    const refused = await depositProbe.finish(`\r\n${depositBody}`);
    readyProbe.close();
    depositProbe.close();
    const exit = await within(server!.exited, limits.shutdownTotalMs + 5_000, 'the server exits after SIGTERM');
    const stoppedMs = Date.now() - signalledAt;
    await Promise.all(load);
    agent.destroy();

    expect([ready.status, ready.headers.connection], 'readiness on a kept-alive connection during the drain').to.deep.equal([503, 'close']);
    expect(ready.body).to.deep.include({ ready: false });
    expect([refused.status, refused.body.code, refused.headers.connection], 'a deposit on a kept-alive connection during the drain').to.deep.equal([503, 'shutting_down', 'close']);
    expect(refused.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(exit, server!.stderr()).to.deep.equal({ code: 0, signal: null });
    expect(stoppedMs, 'the stop stays within its bound').to.be.below(limits.shutdownTotalMs);

    const failuresBefore = seen.filter((deposit) => deposit.sentAt < signalledAt && deposit.receivedAt! < signalledAt && deposit.status !== 201);
    expect(failuresBefore, 'nothing but 201 before the signal').to.deep.equal([]);
    const unexpected = seen.filter((deposit) => {
      if (deposit.error) return !['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(deposit.error);
      if (deposit.status === 201) return false;
      if (deposit.status === 503 && deposit.code === 'shutting_down') return deposit.connection !== 'close';
      const inFlight = deposit.sentAt < signalledAt;
      return !(inFlight && deposit.status === 503 && (deposit.code === 'account_unavailable' || deposit.code === 'command_timeout'));
    });
    expect(unexpected, 'every response is a normal outcome or 503 shutting_down with Connection: close').to.deep.equal([]);
    const afterSignal = seen.filter((deposit) => deposit.receivedAt! >= signalledAt);
    const tally = new Map<string, number>();
    for (const deposit of afterSignal) {
      const key = deposit.error ?? `${deposit.status} ${deposit.code ?? ''} ${deposit.connection ?? ''}`.trim();
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    process.stdout.write(`      stopped in ${stoppedMs} ms; ${seen.length} deposits sent; after the signal: ${JSON.stringify(Object.fromEntries(tally))}\n`);

    // After a restart: every acknowledged deposit is there; a deposit whose outcome is unknown is
    // asked again with its key (replayed if it had committed): its answer was lost to a reset
    // connection, or it was in flight and got a 503 (a shutting_down then may come from an actor
    // the drain stopped). None that was refused (shutting_down to a request sent during the drain,
    // or a connection refused before it was sent) is in the store.
    server = await spawnEmbeddedServer({ dataDir: folder.dataDir, pgPort });
    await waitHealthy(server, startBoundMs);
    const acknowledged = seen.filter((deposit) => deposit.status === 201);
    const outcomeUnknown = (deposit: (typeof seen)[number]): boolean =>
      deposit.error === 'ECONNRESET' || deposit.error === 'EPIPE' || (deposit.status === 503 && (deposit.code !== 'shutting_down' || deposit.sentAt < signalledAt));
    for (const unknown of seen.filter(outcomeUnknown)) {
      const retried = await post(server.baseUrl, `/api/accounts/${unknown.accountId}/deposits`, { amount: unknown.amount, currency: 'USD', transactionId: unknown.transactionId }, unknown.key);
      expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
      acknowledged.push({ ...unknown, status: 201, version: retried.body.version as number });
    }
    for (const accountId of accounts) {
      const mine = acknowledged.filter((deposit) => deposit.accountId === accountId);
      const expected = mine.reduce((sum, deposit) => sum + deposit.amount, 0);
      const minVersion = Math.max(1, ...mine.map((deposit) => deposit.version!));
      const balancePath = `/api/accounts/${accountId}/balance?minVersion=${minVersion}`;
      const baseUrl = server.baseUrl;
      const balance = await eventually(`balance of ${accountId} readable`, () => get(baseUrl, balancePath), { until: (result) => result.status !== 503, timeoutMs: 30_000 });
      expect([balance.status, balance.body.balance], `balance of ${accountId} at version ${minVersion}`).to.deep.equal([200, expected]);
    }
  });
});
