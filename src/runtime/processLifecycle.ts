// The life of the server process, from its first line to its exit code. Start-up is all or nothing:
// any failure on the way (a thrown error, a listen error, an unhandled rejection or exception, a
// start-up step that can never finish so the event loop empties) prints its cause on stderr, stops
// what was started and exits non-zero; it never ends with 0 by accident (an exit with 0 that is not
// a clean stop is turned into 1). Once serving, SIGTERM/SIGINT run the bounded stop and exit with
// its code; a crash (uncaught exception, unhandled rejection, storage lost) exits 1 at once, leaving
// recovery to the next start.
import os from 'node:os';
import { Logger } from '../infra/logger';
import { settlesWithin } from '../infra/settlesWithin';

/** The parts of `process` the lifecycle listens to; a fake in tests. */
export interface LifecycleProcess {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
  on(event: 'beforeExit' | 'exit', listener: (code: number) => void): unknown;
  on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exitCode?: number | string | null | undefined;
}

export interface LifecycleDeps {
  process: LifecycleProcess;
  exit(code: number): void;
  stderr(text: string): void;
  /**
   * Stops what start-up (or the crashed process) got running: for start-up the runtime when it
   * exists, then any embedded Postgres it started; for a crash only the latter. Bounded by abandonMs.
   */
  abandon(reason: 'start-up' | 'crash'): Promise<void>;
  /** Last resort when abandon overran its bound: must not wait (e.g. SIGQUIT to the embedded postmaster). */
  forceAbandon(): void;
  abandonMs: number;
}

type State = 'starting' | 'serving' | 'stopping' | 'exiting';

export class ProcessLifecycle {
  private state: State = 'starting';
  private logger: Logger | null = null;
  private stop: (() => Promise<number>) | null = null;
  /** Set just before a stop that succeeded exits 0: the only exit 0 the exit guard lets through. */
  private cleanStop = false;
  /** A failure reported while the stop runs (storage lost): the stop goes on, the exit code is 1. */
  private failedWhileStopping = false;

  constructor(private readonly deps: LifecycleDeps) {}

  install(): void {
    const { process } = this.deps;
    process.on('uncaughtException', (error) => void this.fail(error));
    process.on('unhandledRejection', (reason) => void this.fail(reason));
    process.on('beforeExit', () => {
      // The loop has nothing left to run: a start-up step is waiting for something that can no
      // longer happen (a promise nobody settles), or the server stopped serving on its own.
      if (this.state === 'starting') void this.fail(new Error('start-up stalled: the event loop emptied before start-up finished'));
      else if (this.state === 'serving') void this.fail(new Error('the server has nothing left to run (its listener closed on its own)'));
    });
    process.on('exit', (code) => {
      if (code === 0 && !this.cleanStop) {
        this.deps.stderr(`Acta exited with code 0 during ${this.state} without a clean stop; exit code set to 1\n`);
        process.exitCode = 1;
      }
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void this.signalled(signal));
  }

  /** The logger, once the configuration is read (before that, failures go to stderr only). */
  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  /** Start-up finished: from now on a signal runs this stop, which resolves with the exit code. */
  serving(stop: () => Promise<number>): void {
    if (this.state !== 'starting') return;
    this.stop = stop;
    this.state = 'serving';
  }

  /** A start-up failure or a crash: cause on stderr (and in the log), what was started stopped, non-zero exit. */
  async fail(cause: unknown, code = 1): Promise<void> {
    if (this.state === 'exiting') {
      this.logger?.error({ err: cause }, 'another failure while exiting');
      return;
    }
    if (this.state === 'stopping') {
      this.failedWhileStopping = true;
      this.logger?.error({ err: cause }, 'failure during shutdown; the stop goes on and the exit code will be 1');
      return;
    }
    const reason = this.state === 'starting' ? 'start-up' : 'crash';
    this.state = 'exiting';
    const headline = reason === 'start-up' ? 'Acta failed to start' : 'Acta crashed';
    this.logger?.error({ err: cause }, headline);
    this.deps.stderr(`${headline}: ${describe(cause)}\n`);
    await this.abandon(reason);
    this.deps.exit(code);
  }

  private async signalled(signal: 'SIGTERM' | 'SIGINT'): Promise<void> {
    if (this.state === 'starting') {
      await this.fail(new Error(`${signal} received during start-up`), 128 + os.constants.signals[signal]);
      return;
    }
    if (this.state !== 'serving' || !this.stop) {
      this.logger?.info({ signal, state: this.state }, 'signal ignored: already stopping');
      return;
    }
    this.state = 'stopping';
    this.logger?.info({ signal }, 'draining: no new commands, finishing in-flight ones');
    const code = await this.stop();
    const exitCode = this.failedWhileStopping ? 1 : code;
    this.state = 'exiting';
    if (exitCode === 0) {
      this.logger?.info('stopped');
      this.cleanStop = true;
    } else {
      // The stop's log line says what was pending; stderr says that the stop was not clean.
      this.deps.stderr(`Acta did not stop cleanly after ${signal} (exit code ${exitCode}); see the error log\n`);
      this.deps.forceAbandon();
    }
    this.deps.exit(exitCode);
  }

  private async abandon(reason: 'start-up' | 'crash'): Promise<void> {
    const abandoned = this.deps.abandon(reason).catch((error: unknown) => {
      this.logger?.error({ err: error }, 'stopping what was started failed');
      this.deps.stderr(`stopping what was started failed: ${describe(error)}\n`);
    });
    if (!(await settlesWithin(abandoned, this.deps.abandonMs))) {
      this.deps.stderr(`stopping what was started did not finish within ${this.deps.abandonMs} ms; forcing it\n`);
      this.deps.forceAbandon();
    }
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const nested = cause.cause === undefined ? '' : `\ncaused by: ${describe(cause.cause)}`;
    return `${cause.stack ?? cause.message}${nested}`;
  }
  return String(cause);
}
