import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { expect } from 'chai';
import { keepAliveAgent } from '../../load/shared/keepAliveAgent';

/** Resolves true when the socket closes within `withinMs`, false otherwise. */
function closesWithin(socket: Socket, withinMs: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('load/keepAliveAgent', () => {
  let server: http.Server;
  let port: number;
  let connections: Socket[];

  beforeEach(async () => {
    connections = [];
    // The server keeps idle connections for a minute but announces 2 s: only the client can close
    // the socket within the test, and it must do so at the announced timeout minus 1 s.
    server = http.createServer((_req, res) => {
      res.setHeader('keep-alive', 'timeout=2');
      res.end('ok');
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => connections.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function get(agent: http.Agent): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = http.get({ agent, host: '127.0.0.1', port, path: '/' }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
    });
  }

  it('reuses a socket while it is fresh', async () => {
    const agent = keepAliveAgent(1, 10_000);
    await get(agent);
    await get(agent);
    agent.destroy();
    expect(connections).to.have.length(1);
  });

  it('closes an idle socket before the server announced it would, so no request races the server closing it', async () => {
    const agent = keepAliveAgent(1, 10_000);
    await get(agent);
    expect(connections).to.have.length(1);
    const closed = await closesWithin(connections[0]!, 4_000);
    agent.destroy();
    expect(closed, 'the client closed its idle socket within 4 s of a 2 s announcement').to.equal(true);
  });

  it('closes an idle socket after its own idle timeout when the server announces a longer one', async () => {
    const agent = keepAliveAgent(1, 300);
    await get(agent);
    const closed = await closesWithin(connections[0]!, 1_500);
    agent.destroy();
    expect(closed, 'the client closed its idle socket after 300 ms').to.equal(true);
  });
});
