// Entry point: read the configuration, build the runtime, serve HTTP; drain on SIGTERM/SIGINT within
// one bound. Start-up is all or nothing and never exits 0 by accident (runtime/processLifecycle.ts).
import { type Server, createServer } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { boundedShutdown } from './runtime/boundedShutdown';
import { ConfigError, loadConfig } from './config/config';
import { limits } from './config/limits';
import { createLogger } from './infra/logger';
import { onEmbeddedPostgresLost, quitStartedPostgres, stopStartedPostgres } from './infra/postgres/embedded/embeddedPostgres';
import { problem } from './http/problem';
import { ProcessLifecycle } from './runtime/processLifecycle';
import { Runtime, createRuntime } from './runtime/runtime';

let runtime: Runtime | null = null;

const lifecycle = new ProcessLifecycle({
  process,
  exit: (code) => process.exit(code),
  stderr: (text) => process.stderr.write(text),
  abandon: async (reason) => {
    // A failed start-up stops its runtime in order (nothing is in flight yet); a crash does not
    // trust its own state and only stops the database it started. Either way every postmaster
    // this process spawned is stopped, also one a half-built runtime never got to own.
    if (reason === 'start-up' && runtime) await runtime.shutdown(0);
    await stopStartedPostgres();
  },
  forceAbandon: quitStartedPostgres,
  abandonMs: limits.shutdownCloseMs,
});

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, config.nodeId);
  lifecycle.useLogger(logger);
  // Crash-only: a server whose embedded database died serves nothing; exit and let the restart
  // bring both back (the next start clears what the dead postmaster left).
  onEmbeddedPostgresLost((error) => void lifecycle.fail(error));
  runtime = await createRuntime(config, logger);
  const server = await listen(runtime.app, config.port, config.host);
  server.on('error', (error) => void lifecycle.fail(error));
  server.on('clientError', answerUnparsable);
  logger.info({ port: config.port, storage: config.storage.kind, kafka: config.kafka !== null }, 'Acta is listening');
  const started = runtime;
  lifecycle.serving(() =>
    boundedShutdown({
      runtime: started,
      server: {
        // net's close: no new connections, the open ones untouched (http's close would also drop
        // the idle ones at once, resetting any request already on its way on them).
        stopListening: () => net.Server.prototype.close.call(server),
        closeIdleConnections: () => server.closeIdleConnections(),
        closeAllConnections: () => server.closeAllConnections(),
      },
      logger,
      pending: () => ({ pendingCommands: started.system.pendingCommands(), liveTransfers: started.transfers.stats().live }),
      drainMs: limits.shutdownDrainMs,
      totalMs: limits.shutdownTotalMs,
      idleGraceMs: limits.shutdownIdleGraceMs,
      idleSweepMs: limits.shutdownIdleSweepMs,
    }),
  );
}

/**
 * A request Node's HTTP parser refuses before Express sees it (bad framing, a duplicated
 * Content-Length, an unknown method) still gets a problem+json 400 with a code, not Node's bare
 * "400 Bad Request" (or a 431 for headers over the limit). Nothing reached the application.
 */
function answerUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  // As Node's own handler does: no answer when the socket is gone, or when a response to this
  // request has already begun (the headers parsed and Express answered; the body's framing broke).
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
  if (!socket.writable || error.code === 'ECONNRESET' || started) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const code = status === 431 ? 'headers_too_large' : 'malformed_request';
  const body = JSON.stringify(problem(status, code, 'The HTTP request could not be parsed'));
  const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Resolves once listening; rejects with the listen error (EADDRINUSE, EACCES), which is a start-up failure. */
function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

lifecycle.install();
main().catch((error: unknown) => lifecycle.fail(error));
