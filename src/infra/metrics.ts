// Prometheus metrics: the only module that imports prom-client. Everything lives in a registry of
// its own (never the global one), so tests and several runtimes in one process stay apart. Gauges
// that mirror state (live actors, mailboxes, outbox, consumer lag, dead letters) are read at scrape
// time from injected functions; the rest are recorded where things happen (HTTP middleware,
// journal onBatch, projector onApplied, command outcomes).
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { limits } from '../config/limits';

export interface OutboxGaugeStats {
  pending: number;
  /** Age of the oldest unpublished row, null when none is pending. */
  oldestAgeMs: number | null;
}

export interface ProjectorGaugeStats {
  deadLettered: number;
  partitions: Array<{ topic: string; partition: number; lag: number | null }>;
}

export interface MetricsSources {
  liveActors: () => number;
  /** Total commands waiting across every live actor (mailbox + current turn). */
  mailboxDepth: () => number;
  outboxStats: () => Promise<OutboxGaugeStats>;
  projectorStats: () => ProjectorGaugeStats;
  /** Transfer actors currently live (driving a transfer). */
  transferActors?: () => number;
  /** Account appends refused so far because another writer moved the stream first (since start). */
  versionConflicts?: () => number;
}

export interface MetricsOptions {
  /** Also collect prom-client's process/Node.js default metrics into this registry. Default false. */
  defaultMetrics?: boolean;
  /** Upper bound on how long a scrape waits for outboxStats(). Default limits.scrapeOutboxStatsTimeoutMs. */
  outboxStatsTimeoutMs?: number;
  /** Label `node` on every metric of the registry (config NODE_ID), so several nodes' series stay apart. */
  nodeId?: string;
}

export type CommandOutcomeLabel = 'accepted' | 'rejected' | 'replayed';

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  commandOutcomes: Counter<'type' | 'outcome' | 'code'>;
  liveActors: Gauge;
  mailboxDepth: Gauge;
  appendTransactionDuration: Histogram;
  eventsPerTransaction: Histogram;
  outboxPending: Gauge;
  outboxOldestAgeSeconds: Gauge;
  consumerLag: Gauge<'topic' | 'partition'>;
  projectionLag: Histogram;
  deadLetters: Counter;
  transferActors: Gauge;
  transfersFinished: Counter<'status' | 'reason'>;
  transfersParked: Counter;
  /** Scrape-time source failures (a failing source never fails the whole scrape). */
  collectErrors: Counter<'source'>;
}

export function createMetrics(sources: MetricsSources, options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.nodeId !== undefined) registry.setDefaultLabels({ node: options.nodeId });
  const registers = [registry];
  const outboxTimeoutMs = options.outboxStatsTimeoutMs ?? limits.scrapeOutboxStatsTimeoutMs;

  // Registered last and waiting for the scrape's outbox read, so a failure shows in the same scrape.
  const collectErrors = new Counter({
    name: 'acta_metrics_collect_errors_total',
    help: 'Metric sources that failed or timed out while being read for a scrape',
    labelNames: ['source'] as const,
    registers: [],
    async collect() {
      await outboxInFlight;
    },
  });

  // Both outbox gauges are collected concurrently within one scrape: share one stats() call.
  let outboxInFlight: Promise<OutboxGaugeStats | null> | undefined;
  const readOutbox = (): Promise<OutboxGaugeStats | null> => {
    outboxInFlight ??= withTimeout(sources.outboxStats(), outboxTimeoutMs)
      .catch(() => {
        collectErrors.inc({ source: 'outbox' });
        return null;
      })
      .finally(() => {
        outboxInFlight = undefined;
      });
    return outboxInFlight;
  };
  const readProjector = (): ProjectorGaugeStats | null => {
    try {
      return sources.projectorStats();
    } catch {
      collectErrors.inc({ source: 'projector' });
      return null;
    }
  };
  const readNumber = (source: string, read: () => number): number | null => {
    try {
      const value = read();
      return Number.isFinite(value) ? value : null;
    } catch {
      collectErrors.inc({ source });
      return null;
    }
  };

  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, Express route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const commandOutcomes = new Counter({
    name: 'acta_command_outcomes_total',
    help: 'Account command outcomes by command type, outcome (accepted|rejected|replayed) and problem code',
    labelNames: ['type', 'outcome', 'code'] as const,
    registers,
  });
  const liveActors = new Gauge({
    name: 'acta_live_actors',
    help: 'Account actors currently live in the actor system',
    registers,
    collect() {
      const value = readNumber('live_actors', sources.liveActors);
      if (value !== null) this.set(value);
    },
  });
  // A counter kept by the actor system; the scrape copies it. Per 1,000 commands it measures how
  // often two nodes' actors raced on one account (routing that does not hash the account id).
  new Counter({
    name: 'acta_account_version_conflicts_total',
    help: 'Account appends refused because another writer moved the stream first (each reloaded and retried)',
    registers,
    collect() {
      const value = sources.versionConflicts ? readNumber('version_conflicts', sources.versionConflicts) : null;
      if (value === null) return;
      this.reset();
      this.inc(value);
    },
  });
  const mailboxDepth = new Gauge({
    name: 'acta_mailbox_depth',
    help: 'Commands waiting in account actor mailboxes (including the turn in progress), all actors',
    registers,
    collect() {
      const value = readNumber('mailbox_depth', sources.mailboxDepth);
      if (value !== null) this.set(value);
    },
  });
  const appendTransactionDuration = new Histogram({
    name: 'acta_journal_append_transaction_duration_seconds',
    help: 'Duration of one journal group-commit transaction (appendBatch) in seconds',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const eventsPerTransaction = new Histogram({
    name: 'acta_journal_events_per_transaction',
    help: 'Events written by one journal group-commit transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000],
    registers,
  });
  const outboxPending = new Gauge({
    name: 'acta_outbox_pending',
    help: 'Outbox rows not yet published to the bus',
    registers,
    async collect() {
      const stats = await readOutbox();
      if (stats) this.set(stats.pending);
    },
  });
  const outboxOldestAgeSeconds = new Gauge({
    name: 'acta_outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox row in seconds (0 when none is pending)',
    registers,
    async collect() {
      const stats = await readOutbox();
      if (stats) this.set(stats.oldestAgeMs === null ? 0 : stats.oldestAgeMs / 1000);
    },
  });
  const consumerLag = new Gauge({
    name: 'acta_consumer_lag',
    help: 'Messages on a partition not yet projected (high watermark minus committed offset)',
    labelNames: ['topic', 'partition'] as const,
    registers,
    collect() {
      const stats = readProjector();
      if (!stats) return;
      // Only currently assigned partitions with a known lag: a revoked partition disappears.
      this.reset();
      for (const { topic, partition, lag } of stats.partitions) {
        if (lag !== null && Number.isFinite(lag)) this.set({ topic, partition: String(partition) }, lag);
      }
    },
  });
  const projectionLag = new Histogram({
    name: 'acta_projection_lag_seconds',
    help: 'Seconds from an event being committed (occurredAt) to the read model applying it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const deadLetters = new Counter({
    name: 'acta_projector_dead_letters_total',
    help: 'Messages the projectors dead-lettered (could not decode or apply)',
    registers,
    collect() {
      const stats = readProjector();
      if (!stats || !Number.isFinite(stats.deadLettered) || stats.deadLettered < 0) return;
      // Mirrors the projector's own monotonic counter.
      this.reset();
      this.inc(stats.deadLettered);
    },
  });

  const transferActors = new Gauge({
    name: 'acta_transfer_actors',
    help: 'Transfer actors currently live (transfers in flight on this node)',
    registers,
    collect() {
      if (!sources.transferActors) return;
      const value = readNumber('transfer_actors', sources.transferActors);
      if (value !== null) this.set(value);
    },
  });
  const transfersFinished = new Counter({
    name: 'acta_transfers_finished_total',
    help: 'Transfers that reached a terminal state on this node, by status and failure reason',
    labelNames: ['status', 'reason'] as const,
    registers,
  });
  const transfersParked = new Counter({
    name: 'acta_transfers_parked_total',
    help: 'Times a transfer step kept failing and the transfer was parked until the next recovery sweep',
    registers,
  });

  registry.registerMetric(collectErrors);
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });

  return {
    registry,
    httpRequestDuration,
    commandOutcomes,
    liveActors,
    mailboxDepth,
    appendTransactionDuration,
    eventsPerTransaction,
    outboxPending,
    outboxOldestAgeSeconds,
    consumerLag,
    projectionLag,
    deadLetters,
    transferActors,
    transfersFinished,
    transfersParked,
    collectErrors,
  };
}

/**
 * Records each response's duration on 'finish', labelled with the Express route pattern
 * (baseUrl + route.path, e.g. /api/accounts/:accountId/deposits) or `unmatched`; never the raw URL.
 * Mount it first, before any router. The pattern is captured when the router matches the route,
 * because Express restores req.baseUrl when an error leaves the router (the 400s from validation
 * would otherwise lose their mount prefix).
 *
 * It is captured by a `route` accessor installed once on the app's request prototype (the object
 * Express makes every request inherit from), which the router's `req.route = route` runs into. An
 * accessor defined on each request instead costs ~20 µs per request: it turns the request object
 * into a slow dictionary-mode object for every later property access (measured with a trivial route).
 */
export function httpMetricsMiddleware(metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    installRouteCapture(Object.getPrototypeOf(req) as object);
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const matched = (req as CapturingRequest)[matchedRoute];
      metrics.httpRequestDuration.observe({ method: req.method, route: matched ?? 'unmatched', status: String(res.statusCode) }, seconds);
    });
    next();
  };
}

const routeSlot = Symbol('acta.route');
const matchedRoute = Symbol('acta.matchedRoute');
const routeCaptureInstalled = Symbol('acta.routeCaptureInstalled');

interface CapturingRequest {
  [routeSlot]?: unknown;
  [matchedRoute]?: string;
  baseUrl?: string;
}

function installRouteCapture(prototype: object): void {
  if (Object.prototype.hasOwnProperty.call(prototype, routeCaptureInstalled)) return;
  Object.defineProperty(prototype, routeCaptureInstalled, { value: true });
  Object.defineProperty(prototype, 'route', {
    configurable: true,
    enumerable: true,
    get(this: CapturingRequest) {
      return this[routeSlot];
    },
    set(this: CapturingRequest, route: unknown) {
      this[routeSlot] = route;
      const path = (route as { path?: unknown } | undefined)?.path;
      if (path !== undefined) this[matchedRoute] = joinRoute(this.baseUrl ?? '', path);
    },
  });
}

function joinRoute(baseUrl: string, path: unknown): string {
  const routePath = typeof path === 'string' ? path : Array.isArray(path) ? path.map(String).join('|') : String(path);
  if (baseUrl === '') return routePath || '/';
  if (routePath === '/' || routePath === '') return baseUrl;
  return baseUrl + routePath;
}

/** GET /metrics in the Prometheus text exposition format. */
export function metricsRouter(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.set('Content-Type', metrics.registry.contentType);
    res.set('Cache-Control', 'no-store');
    res.status(200).send(body);
  });
  return router;
}

const codePattern = /^[a-z0-9_]{1,64}$/;

/**
 * Counts one command response. accepted: status < 400; rejected: a problem (status >= 400) with its
 * `code` (bounded to snake_case codes, else `other`); replayed: pass `{ replayed: true }` — a replayed
 * response is recorded verbatim, so status/body alone cannot tell it apart.
 */
export function recordCommandOutcome(
  metrics: Metrics,
  type: string,
  status: number,
  body: { code?: unknown } | Record<string, unknown> | null | undefined,
  options: { replayed?: boolean } = {},
): CommandOutcomeLabel {
  const outcome: CommandOutcomeLabel = options.replayed ? 'replayed' : status < 400 ? 'accepted' : 'rejected';
  const raw = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  const code = typeof raw === 'string' ? (codePattern.test(raw) ? raw : 'other') : 'none';
  metrics.commandOutcomes.inc({ type: type || 'unknown', outcome, code });
  return outcome;
}

/** JournalWriter onBatch(appends, events, durationMs). */
export function recordJournalBatch(metrics: Metrics, _appends: number, events: number, durationMs: number): void {
  metrics.appendTransactionDuration.observe(durationMs / 1000);
  metrics.eventsPerTransaction.observe(events);
}

/** Seconds from an event's commit time (its occurredAt) to now; null when the time is unknown. */
export function commitLagSeconds(occurredAt: string, nowMs: number): number | null {
  const committed = Date.parse(occurredAt);
  if (Number.isNaN(committed)) return null;
  return Math.max(0, (nowMs - committed) / 1000);
}

/** Projector onApplied(accountId, version, occurredAt): commit → applied lag. Ignores unknown times. */
export function recordProjectionApplied(metrics: Metrics, occurredAt: string, nowMs: number = Date.now()): void {
  const seconds = commitLagSeconds(occurredAt, nowMs);
  if (seconds !== null) recordProjectionLag(metrics, seconds);
}

/** Commit → applied lag measured where the projector runs (possibly another thread). */
export function recordProjectionLag(metrics: Metrics, seconds: number): void {
  metrics.projectionLag.observe(seconds);
}

/** Transfer registry onSettled: a terminal transfer counts by status and reason; a parked one counts as parked. */
export function recordTransferSettled(metrics: Metrics, how: string, status: string | null, reason: string | null): void {
  if (how === 'parked') metrics.transfersParked.inc();
  if (how === 'done' && (status === 'COMPLETED' || status === 'FAILED')) metrics.transfersFinished.inc({ status, reason: reason ?? '' });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`metric source timed out after ${ms} ms`)), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
