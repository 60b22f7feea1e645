// The pieces of a clean, bounded stop at unit level: the shutdown gate createApp mounts (503
// shutting_down with Connection: close on a kept-alive connection, readiness 503 at once without
// asking the database, liveness still 200, an admitted request finishing normally but closing its
// connection); the stop's bound under fake timers (a drain that never finishes exits 1 after the
// bound and not before); and the process lifecycle's exit codes (a stalled or failed start-up never
// exits 0, a clean stop does).
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Router } from 'express';
import sinon from 'sinon';
import { CommandPort } from '../../src/app/commandBus';
import { boundedShutdown, DrainingServer, StoppableRuntime } from '../../src/runtime/boundedShutdown';
import { limits } from '../../src/config/limits';
import { createApp } from '../../src/http/createApp';
import { ReadinessReport } from '../../src/http/healthRoutes';
import { gateOf } from '../../src/http/shutdownGate';
import { createLogger } from '../../src/infra/logger';
import { LifecycleDeps, ProcessLifecycle } from '../../src/runtime/processLifecycle';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  reusedSocket: boolean;
}

function get(port: number, agent: http.Agent, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown>, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

describe('shutdown gate (createApp)', () => {
  let server: http.Server;
  let port: number;
  let agent: http.Agent;
  let app: ReturnType<typeof createApp>;
  const readiness = sinon.stub<[], Promise<ReadinessReport>>();
  let releaseSlow: () => void = () => {};
  let slowStarted: Promise<void> = Promise.resolve();

  beforeEach(async () => {
    readiness.reset();
    readiness.resolves({ ready: true, checks: { database: 'up', accepting: 'up' } });
    const commands: CommandPort = { execute: async () => ({ kind: 'unavailable', code: 'command_timeout', detail: 'not under test' }) };
    const slow = Router();
    let started: () => void = () => {};
    slowStarted = new Promise((resolve) => (started = resolve));
    const released = new Promise<void>((resolve) => (releaseSlow = resolve));
    slow.get('/slow', async (_req, res) => {
      started();
      await released;
      res.json({ done: true });
    });
    slow.get('/fast', (_req, res) => {
      res.json({ fast: true });
    });
    app = createApp({ commands, health: { readiness }, logger: createLogger('silent'), rootRouters: [slow] });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // One socket, kept alive: every request after the first arrives on the same connection.
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterEach(async () => {
    releaseSlow();
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves while open, then answers a kept-alive connection 503 shutting_down with Connection: close', async () => {
    const before = await get(port, agent, '/fast');
    expect([before.status, before.headers.connection]).to.deep.equal([200, 'keep-alive']);
    gateOf(app).close();
    const after = await get(port, agent, '/fast');
    expect(after.reusedSocket, 'the request came on the kept-alive connection').to.equal(true);
    expect(after.status).to.equal(503);
    expect(after.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(after.headers.connection).to.equal('close');
    expect(after.body).to.include({ code: 'shutting_down', status: 503 });
  });

  it('turns readiness 503 at once without asking the database, keeps liveness 200, and closes their connections', async () => {
    expect((await get(port, agent, '/readyz')).status).to.equal(200);
    expect(readiness.callCount).to.equal(1);
    gateOf(app).close();
    // A database check that would hang: readiness must not wait for it.
    readiness.returns(new Promise(() => {}));
    const ready = await get(port, agent, '/readyz');
    expect([ready.status, ready.headers.connection]).to.deep.equal([503, 'close']);
    expect(ready.body).to.deep.include({ ready: false, checks: { accepting: 'down' } });
    expect(readiness.callCount, 'no database check while draining').to.equal(1);
    const live = await get(port, agent, '/livez');
    expect([live.status, live.headers.connection]).to.deep.equal([200, 'close']);
  });

  it('lets a request admitted before the close finish normally, closing its connection', async () => {
    const answer = get(port, agent, '/slow');
    await slowStarted;
    gateOf(app).close();
    releaseSlow();
    const slow = await answer;
    expect([slow.status, slow.body.done, slow.headers.connection]).to.deep.equal([200, true, 'close']);
  });
});

describe('bounded shutdown (fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  let server: sinon.SinonStubbedInstance<DrainingServer>;
  const logger = createLogger('silent');
  let error: sinon.SinonSpy;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    server = { stopListening: sinon.stub(), closeIdleConnections: sinon.stub(), closeAllConnections: sinon.stub() };
    error = sinon.spy(logger, 'error');
  });
  afterEach(() => {
    clock.restore();
    sinon.restore();
  });

  const options = (runtime: StoppableRuntime) => ({
    runtime,
    server,
    logger,
    pending: () => ({ pendingCommands: 3 }),
    drainMs: limits.shutdownDrainMs,
    totalMs: limits.shutdownTotalMs,
    idleGraceMs: limits.shutdownIdleGraceMs,
    idleSweepMs: limits.shutdownIdleSweepMs,
  });

  it('gives exit code 1 once the bound passes when the drain never finishes, naming what was pending, and not before', async () => {
    let step: ((name: 'commands') => void) | undefined;
    const runtime: StoppableRuntime = {
      shutdown: (_drainMs, onStep) => {
        step = onStep as typeof step;
        return new Promise(() => {});
      },
    };
    let code: number | null = null;
    void boundedShutdown(options(runtime)).then((value) => (code = value));
    step!('commands');
    expect(server.stopListening.callCount, 'no new connections from the start').to.equal(1);
    await clock.tickAsync(limits.shutdownIdleGraceMs - 1);
    expect(server.closeIdleConnections.callCount, 'kept-alive connections left alone during the grace').to.equal(0);
    await clock.tickAsync(limits.shutdownTotalMs - limits.shutdownIdleGraceMs);
    expect(code, 'still waiting just before the bound').to.equal(null);
    expect(server.closeIdleConnections.callCount, 'idle connections closed again and again while draining').to.be.at.least(
      Math.floor((limits.shutdownTotalMs - 1 - limits.shutdownIdleGraceMs) / limits.shutdownIdleSweepMs),
    );
    await clock.tickAsync(1);
    expect(code).to.equal(1);
    expect(server.closeAllConnections.callCount).to.equal(1);
    const logged = error.firstCall.args[0] as Record<string, unknown>;
    expect(logged).to.include({ step: 'commands', pendingCommands: 3, boundMs: limits.shutdownTotalMs });
  });

  it('gives exit code 0 for a drain that finishes within the bound, and stops sweeping', async () => {
    const runtime: StoppableRuntime = { shutdown: () => new Promise((resolve) => setTimeout(resolve, 3_000)) };
    let code: number | null = null;
    void boundedShutdown(options(runtime)).then((value) => (code = value));
    await clock.tickAsync(3_000);
    expect(code).to.equal(0);
    const sweeps = server.closeIdleConnections.callCount;
    await clock.tickAsync(10 * limits.shutdownIdleSweepMs);
    expect(server.closeIdleConnections.callCount, 'no sweep after the stop').to.equal(sweeps);
    expect(error.callCount).to.equal(0);
  });

  it('gives exit code 1 when a step of the drain fails', async () => {
    const runtime: StoppableRuntime = { shutdown: () => Promise.reject(new Error('pool.end failed')) };
    expect(await boundedShutdown(options(runtime))).to.equal(1);
  });
});

/** A fake `process` and the deps of a lifecycle, recording what it did. */
function fakeLifecycle(overrides: Partial<LifecycleDeps> = {}) {
  const emitter = new EventEmitter() as EventEmitter & { exitCode?: number };
  const exits: number[] = [];
  const stderr: string[] = [];
  const abandon = sinon.stub<['start-up' | 'crash'], Promise<void>>().resolves();
  const forceAbandon = sinon.stub();
  const lifecycle = new ProcessLifecycle({
    process: emitter,
    exit: (code) => exits.push(code),
    stderr: (text) => stderr.push(text),
    abandon,
    forceAbandon,
    abandonMs: limits.shutdownCloseMs,
    ...overrides,
  });
  lifecycle.install();
  return { emitter, exits, stderr, abandon, forceAbandon, lifecycle };
}

describe('process lifecycle', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => clock.restore());

  it('exits 1 after the bound when SIGTERM meets a drain that never finishes, forcing the database down', async () => {
    const { emitter, exits, stderr, forceAbandon, lifecycle } = fakeLifecycle();
    const server: DrainingServer = { stopListening: () => {}, closeIdleConnections: () => {}, closeAllConnections: () => {} };
    lifecycle.serving(() =>
      boundedShutdown({
        runtime: { shutdown: () => new Promise(() => {}) },
        server,
        logger: createLogger('silent'),
        pending: () => ({}),
        drainMs: limits.shutdownDrainMs,
        totalMs: limits.shutdownTotalMs,
        idleGraceMs: limits.shutdownIdleGraceMs,
        idleSweepMs: limits.shutdownIdleSweepMs,
      }),
    );
    emitter.emit('SIGTERM');
    await clock.tickAsync(limits.shutdownTotalMs - 1);
    expect(exits).to.deep.equal([]);
    await clock.tickAsync(1);
    expect(exits).to.deep.equal([1]);
    expect(forceAbandon.callCount).to.equal(1);
    expect(stderr.join('')).to.include('did not stop cleanly after SIGTERM');
  });

  it('exits 0 after a clean stop, and lets that 0 through the exit guard', async () => {
    const { emitter, exits, lifecycle } = fakeLifecycle();
    lifecycle.serving(async () => 0);
    emitter.emit('SIGINT');
    await clock.tickAsync(0);
    expect(exits).to.deep.equal([0]);
    emitter.emit('exit', 0);
    expect(emitter.exitCode).to.equal(undefined);
  });

  it('fails a start-up whose event loop empties: cause on stderr, what started stopped, exit 1', async () => {
    const { emitter, exits, stderr, abandon } = fakeLifecycle();
    emitter.emit('beforeExit', 0);
    await clock.tickAsync(0);
    expect(exits).to.deep.equal([1]);
    expect(abandon.firstCall.args).to.deep.equal(['start-up']);
    expect(stderr.join('')).to.include('Acta failed to start').and.include('start-up stalled');
  });

  it('turns an exit with code 0 during start-up into 1', () => {
    const { emitter, stderr } = fakeLifecycle();
    emitter.emit('exit', 0);
    expect(emitter.exitCode).to.equal(1);
    expect(stderr.join('')).to.include('exited with code 0 during starting');
  });

  it('fails start-up on an unhandled rejection, printing its cause and the cause under it', async () => {
    const { emitter, exits, stderr } = fakeLifecycle();
    emitter.emit('unhandledRejection', new Error('listen EADDRINUSE', { cause: new Error('port 3000 held') }));
    await clock.tickAsync(0);
    expect(exits).to.deep.equal([1]);
    expect(stderr.join('')).to.include('listen EADDRINUSE').and.include('caused by: Error: port 3000 held');
  });

  it('forces the abandon and still exits non-zero when stopping what started overruns its bound', async () => {
    const { lifecycle, exits, forceAbandon } = fakeLifecycle({ abandon: () => new Promise(() => {}) });
    void lifecycle.fail(new Error('migration failed'));
    await clock.tickAsync(limits.shutdownCloseMs);
    expect(forceAbandon.callCount).to.equal(1);
    expect(exits).to.deep.equal([1]);
  });

  it('exits 143 on SIGTERM during start-up, after stopping what started', async () => {
    const { emitter, exits, abandon } = fakeLifecycle();
    emitter.emit('SIGTERM');
    await clock.tickAsync(0);
    expect(abandon.callCount).to.equal(1);
    expect(exits).to.deep.equal([143]);
  });

  it('exits 1 when storage is lost while serving (a crash), stopping only the database', async () => {
    const { lifecycle, exits, abandon, stderr } = fakeLifecycle();
    lifecycle.serving(async () => 0);
    await lifecycle.fail(new Error('embedded Postgres (pid 42) killed by SIGKILL'));
    expect(abandon.firstCall.args).to.deep.equal(['crash']);
    expect(exits).to.deep.equal([1]);
    expect(stderr.join('')).to.include('Acta crashed');
  });
});
