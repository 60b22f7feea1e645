// Duplicates that race on two nodes: two runtimes (createRuntime) on one real Postgres database,
// each with its own CommandBus and actor for the account, get the same request at the same time.
// Every decision records its Idempotency-Key in the transaction of its events, so the unique key
// decides: exactly one execution, and every answer (on either node) is the same status and the very
// same bytes. Also for withdrawals whose outcome depends on order: of two competing withdrawals only
// one can be paid, and each key's copies all get that key's one decision, rejection included.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';
import { Runtime, createRuntime } from '../../src/runtime/runtime';
import { TestDatabase, createTestDatabase } from '../support/database';

interface Node {
  runtime: Runtime;
  server: Server;
  baseUrl: string;
}

interface RawResult {
  status: number;
  replayed: string | null;
  text: string;
}

async function postRaw(baseUrl: string, path: string, body: unknown, key: string): Promise<RawResult> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), text: await response.text() };
}

describe('duplicates racing on two nodes of one database (real Postgres)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  const nodes: Node[] = [];

  before(async () => {
    db = await createTestDatabase();
    for (let index = 0; index < 2; index += 1) {
      // The read pipeline on the main thread: no projection is read here, and two worker threads
      // would only take CPU from the race.
      const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: db.url, READ_PIPELINE_THREAD: 'main', PG_POOL_MAX: '8' });
      const runtime = await createRuntime(config, createLogger('silent'));
      const server: Server = await new Promise((resolve) => {
        const listening = runtime.app.listen(0, '127.0.0.1', () => resolve(listening));
      });
      const { port } = server.address() as { port: number };
      nodes.push({ runtime, server, baseUrl: `http://127.0.0.1:${port}` });
    }
  });
  after(async () => {
    for (const node of nodes) {
      node.server.closeAllConnections();
      await new Promise((resolve) => node.server.close(resolve));
      await node.runtime.shutdown(5_000);
    }
    await db?.drop();
  });

  /** Opens an account holding `balance`, with a live actor on both nodes (each wrote to it once). */
  async function account(balance: number): Promise<string> {
    const accountId = `acc-${randomUUID()}`;
    expect((await postRaw(nodes[0]!.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'USD' }, randomUUID())).status).to.equal(201);
    const half = Math.floor(balance / 2);
    for (const [index, amount] of [half, balance - half].entries()) {
      const deposit = await postRaw(nodes[index]!.baseUrl, `/api/accounts/${accountId}/deposits`, { amount, currency: 'USD', transactionId: randomUUID() }, randomUUID());
      expect(deposit.status, deposit.text).to.equal(201);
    }
    return accountId;
  }

  async function count(sql: string, values: unknown[]): Promise<number> {
    return (await db.pool.query<{ n: number }>(sql, values)).rows[0]!.n;
  }

  it('executes N concurrent identical deposits split across both nodes once; every answer is byte-identical', async () => {
    const accountId = await account(10);
    const key = randomUUID();
    const body = { amount: 100, currency: 'USD', transactionId: randomUUID() };
    const copies = 12;
    const answers = await Promise.all(
      Array.from({ length: copies }, (_, index) => postRaw(nodes[index % 2]!.baseUrl, `/api/accounts/${accountId}/deposits`, body, key)),
    );
    expect(new Set(answers.map((answer) => answer.status))).to.deep.equal(new Set([201]));
    expect(new Set(answers.map((answer) => answer.text)).size, 'byte-identical bodies').to.equal(1);
    expect(answers.filter((answer) => answer.replayed === null), 'one answer is the original, every other a replay').to.have.length(1);
    expect(JSON.parse(answers[0]!.text)).to.include({ balance: 110, version: 4 });
    const deposits = `select count(*)::int as n from events where stream_id = $1 and event_type = 'MoneyDeposited' and data->>'transactionId' = $2`;
    expect(await count(deposits, [`account-${accountId}`, body.transactionId])).to.equal(1);
  });

  it('gives each of two competing withdrawals one decision, on every copy, whichever node it reached', async () => {
    for (let round = 0; round < 4; round += 1) {
      const accountId = await account(100);
      const path = `/api/accounts/${accountId}/withdrawals`;
      const withdrawals = [0, 1].map(() => ({ key: randomUUID(), body: { amount: 60, currency: 'USD', transactionId: randomUUID() } }));
      const sent = Array.from({ length: 12 }, (_, index) => ({ which: index % 2, node: nodes[Math.floor(index / 2) % 2]! }));
      const answers = await Promise.all(sent.map(({ which, node }) => postRaw(node.baseUrl, path, withdrawals[which]!.body, withdrawals[which]!.key)));
      const byWithdrawal = [0, 1].map((which) => answers.filter((_, index) => sent[index]!.which === which));
      for (const copies of byWithdrawal) {
        expect(new Set(copies.map((answer) => answer.text)).size, `round ${round}: one decision per key, byte for byte`).to.equal(1);
        expect(copies.filter((answer) => answer.replayed === null), `round ${round}: one original per key`).to.have.length(1);
      }
      const statuses = byWithdrawal.map((copies) => copies[0]!.status).sort();
      expect(statuses, `round ${round}: exactly one is paid, the other refused`).to.deep.equal([201, 400]);
      const refused = byWithdrawal.find((copies) => copies[0]!.status === 400)!;
      expect(JSON.parse(refused[0]!.text)).to.include({ code: 'insufficient_funds' });
      expect(await count(`select count(*)::int as n from events where stream_id = $1 and event_type = 'MoneyWithdrawn'`, [`account-${accountId}`])).to.equal(1);
      expect(await count('select count(*)::int as n from idempotency_records where idempotency_key = any($1::text[])', [withdrawals.map((w) => w.key)])).to.equal(2);
      const transactions = 'select count(*)::int as n from transaction_records where transaction_id = any($1::text[])';
      expect(await count(transactions, [withdrawals.map((w) => w.body.transactionId)]), 'only the paid one takes its transaction id').to.equal(1);
    }
  });
});
