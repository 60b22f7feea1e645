// One workload loop: pick an operation by weight, run it, repeat until the deadline or a stop.
// The loop checks the clock between operations, so it ends at most one operation (a bounded number
// of requests, each under the request timeout) after the deadline.
import { performance } from 'node:perf_hooks';
import { OperationWeights } from './flags';
import { OperationKind, operations, WorkerContext } from './operations';
import { weightedPick, WeightedEntries } from './weightedPick';

export function mixEntries(weights: OperationWeights): WeightedEntries<OperationKind> {
  return (Object.keys(weights) as OperationKind[]).map((kind) => [kind, weights[kind]] as const);
}

export async function runWorker(ctx: WorkerContext, deadlineMs: number): Promise<void> {
  const mix = mixEntries(ctx.config.weights);
  while (performance.now() < deadlineMs && ctx.signal?.aborted !== true) {
    await operations[weightedPick(mix, ctx.random)](ctx);
  }
}
