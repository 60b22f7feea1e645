// The stop of a serving process (SIGTERM, SIGINT), with one bound for all of it. The runtime's
// shutdown closes the gateway's gate and readiness at once and drains; meanwhile the listener stops
// taking connections at once, and after a short grace kept-alive connections are closed as each
// goes idle. The grace is for clients that are sending their next request right now: closing an
// idle connection under a request that is already on its way resets it, and the client cannot tell
// whether its command ran; within the grace it gets 503 shutting_down with Connection: close
// instead. When the whole stop has not finished within totalMs, the caller gets exit code 1 and the
// log says what was still pending.
import { Logger } from '../infra/logger';
import { settlesWithin } from '../infra/settlesWithin';
import type { ShutdownStep } from './runtime';

export interface StoppableRuntime {
  shutdown(drainMs: number, onStep?: (step: ShutdownStep) => void): Promise<void>;
}

/** The parts of node's http.Server the stop uses. */
export interface DrainingServer {
  /** Stops accepting connections, leaving open ones alone (http.Server.close() would also close the idle ones at once). */
  stopListening(): void;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

export interface BoundedShutdownOptions {
  runtime: StoppableRuntime;
  server: DrainingServer;
  logger: Logger;
  /** What is still in flight (commands, transfers), for the log line when the bound runs out. */
  pending: () => Record<string, unknown>;
  drainMs: number;
  totalMs: number;
  idleGraceMs: number;
  idleSweepMs: number;
}

/** Resolves with the process exit code: 0 when everything stopped within totalMs, 1 when not or when a step failed. */
export async function boundedShutdown(options: BoundedShutdownOptions): Promise<number> {
  const { runtime, server, logger } = options;
  let step: ShutdownStep | 'begin' = 'begin';
  const stopped = runtime.shutdown(options.drainMs, (next) => {
    step = next;
    logger.info({ step }, 'shutdown step');
  });
  server.stopListening();
  let sweep: NodeJS.Timeout | undefined;
  const grace = setTimeout(() => {
    server.closeIdleConnections();
    sweep = setInterval(() => server.closeIdleConnections(), options.idleSweepMs);
  }, options.idleGraceMs);
  try {
    if (await settlesWithin(stopped, options.totalMs)) return 0;
    logger.error({ step, boundMs: options.totalMs, ...options.pending() }, 'shutdown did not finish within its bound; exiting with this still pending');
    return 1;
  } catch (error) {
    logger.error({ err: error, step }, 'shutdown failed');
    return 1;
  } finally {
    clearTimeout(grace);
    clearInterval(sweep);
    server.closeAllConnections();
  }
}
