// Per-operation counters of one scenario run: requests, outcome classes and their reasons, a status
// histogram, error keys and a bounded latency sample. Every request is recorded exactly once, so
// completed = ok + expected + unexpected holds per operation by construction.
import type { ResponseStatus } from '../shared/httpClient';
import { Classification } from './classify';
import { loadLimits } from '../shared/limits';
import { OperationName } from './operationNames';
import { Random } from '../shared/prng';
import { Reservoir } from '../shared/reservoir';

export interface RequestRecord {
  operation: OperationName;
  status: ResponseStatus;
  latencyMs: number;
  classification: Classification;
  /** Set for failures: the problem `code` or message, prefixed by the status. */
  errorKey?: string;
}

/** Error keys past the bound are counted here, so a flood of distinct messages cannot grow the map. */
export const otherErrorsKey = '(other errors)';

export class OperationMetrics {
  completed = 0;
  ok = 0;
  expectedFailures = 0;
  unexpectedFailures = 0;
  readonly statuses = new Map<string, number>();
  readonly reasons = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly latencies: Reservoir;

  constructor(
    random: Random,
    private readonly errorKeysMax: number,
    latencySamplesMax: number,
  ) {
    this.latencies = new Reservoir(latencySamplesMax, random);
  }

  record(record: RequestRecord): void {
    this.completed += 1;
    this.latencies.add(record.latencyMs);
    increment(this.statuses, String(record.status));
    const { classification } = record;
    if (classification.kind === 'ok') {
      this.ok += 1;
      return;
    }
    if (classification.kind === 'expected') this.expectedFailures += 1;
    else this.unexpectedFailures += 1;
    increment(this.reasons, `${classification.kind}:${classification.reason}`);
    const key = record.errorKey ?? String(record.status);
    const bounded = this.errors.has(key) || this.errors.size < this.errorKeysMax ? key : otherErrorsKey;
    increment(this.errors, bounded);
  }

  get failed(): number {
    return this.expectedFailures + this.unexpectedFailures;
  }
}

export interface MetricsBounds {
  errorKeysMax: number;
  latencySamplesMax: number;
}

export class Metrics {
  private readonly byOperation = new Map<OperationName, OperationMetrics>();

  constructor(
    private readonly random: Random,
    private readonly bounds: MetricsBounds = { errorKeysMax: loadLimits.errorKeysMax, latencySamplesMax: loadLimits.latencySamplesMax },
  ) {}

  record(record: RequestRecord): void {
    let operation = this.byOperation.get(record.operation);
    if (operation === undefined) {
      operation = new OperationMetrics(this.random, this.bounds.errorKeysMax, this.bounds.latencySamplesMax);
      this.byOperation.set(record.operation, operation);
    }
    operation.record(record);
  }

  operations(): ReadonlyMap<OperationName, OperationMetrics> {
    return this.byOperation;
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
