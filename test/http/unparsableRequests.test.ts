// Requests Node's HTTP parser refuses before Express sees them (duplicated Content-Length, bad
// chunked framing, an unknown method, a broken request line) still get problem+json with a code,
// from the real server process (the handler is installed where main.ts listens).
import net from 'node:net';
import { expect } from 'chai';
import { TestDatabase, createTestDatabase } from '../support/database';
import { Server, startServer, stopHard } from '../support/serverProcess';

/** Sends raw bytes and returns everything the server answers before it closes the connection. */
async function raw(baseUrl: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(answer);
    });
  });
}

describe('requests the HTTP parser refuses (real server process)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let server: Server | null = null;
  before(async () => {
    db = await createTestDatabase();
    server = await startServer(db.url);
  });
  after(async () => {
    await stopHard(server);
    await db?.drop();
  });

  it('answers bad chunked framing once: the problem the route already sent, never a second response', async () => {
    const answer = await raw(server!.baseUrl, 'POST /api/accounts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n');
    expect(answer.match(/HTTP\/1\.1 /g), answer).to.have.length(1);
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(answer).to.match(/content-type: application\/problem\+json/i);
  });

  const cases: Array<[string, string]> = [
    ['a duplicated Content-Length', 'POST /api/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['an unknown method', 'FROB /api/accounts HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a broken request line', 'GET\r\n\r\n'],
  ];
  for (const [name, bytes] of cases) {
    it(`answers ${name} with a 400 problem+json and a code`, async () => {
      const answer = await raw(server!.baseUrl, bytes);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head, answer).to.match(/^HTTP\/1\.1 400 /);
      expect(head).to.match(/content-type: application\/problem\+json/i);
      expect(JSON.parse(body ?? '')).to.include({ status: 400, code: 'malformed_request' });
    });
  }

  it('answers headers over the limit with 431 problem+json, and writes nothing', async () => {
    const answer = await raw(server!.baseUrl, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).to.match(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1] ?? '')).to.include({ code: 'headers_too_large' });
    const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from events');
    expect(rows[0]!.n).to.equal(0);
  });
});
