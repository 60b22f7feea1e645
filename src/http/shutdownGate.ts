// The gateway's front door while the process stops. Once closed, every request that still arrives
// (on a kept-alive connection: new connections are refused by then) is answered at once with 503
// problem+json `shutting_down` and `Connection: close`, before it can reach an actor or the
// database; requests admitted before the close finish normally, and their responses carry
// `Connection: close` too, so that no client sends another request on a connection about to be
// closed. The gate travels with the app (gateOf) so that whoever stops the app can close it.
import type { ServerResponse } from 'node:http';
import type { Express, RequestHandler, Response } from 'express';
import { sendProblem } from './respond';

const gates = new WeakMap<Express, ShutdownGate>();

export class ShutdownGate {
  private closed = false;
  /** Responses admitted while open and not yet sent: they learn of the close through their headers. */
  private readonly admitted = new Set<ServerResponse>();

  get isClosed(): boolean {
    return this.closed;
  }

  /** Idempotent. */
  close(): void {
    this.closed = true;
    for (const res of this.admitted) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.admitted.clear();
  }

  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.closed) {
      refuse(res);
      return;
    }
    this.admitted.add(res);
    res.once('close', () => this.admitted.delete(res));
    next();
  };

  /** For routes that answer while closed (health): closes their connection after the answer. */
  markClosing(res: Response): void {
    if (this.closed) res.setHeader('Connection', 'close');
  }
}

function refuse(res: Response): void {
  res.setHeader('Connection', 'close');
  sendProblem(res, 503, 'shutting_down', 'The server is shutting down; retry on another node or after the restart');
}

export function attachGate(app: Express, gate: ShutdownGate): void {
  gates.set(app, gate);
}

/** The gate createApp mounted on this app. */
export function gateOf(app: Express): ShutdownGate {
  const gate = gates.get(app);
  if (!gate) throw new Error('this app has no shutdown gate (it was not made by createApp)');
  return gate;
}
