// The operations the scenario runner records, named as the seed named them so summaries compare.
// Setup operations run before the workload clock starts and are excluded from its throughput.

export const setupOperations = ['seedCreateAccount', 'seedDeposit'] as const;
export const workloadOperations = [
  'createAccount',
  'deposit',
  'withdraw',
  'getBalance',
  'getHistory',
  'initiateTransfer',
  'getTransferStatus',
] as const;

export type SetupOperation = (typeof setupOperations)[number];
export type WorkloadOperation = (typeof workloadOperations)[number];
export type OperationName = SetupOperation | WorkloadOperation;

/** Reads served from projections: a 404 there may be lag, unless the client passed minVersion. */
export const readOperations: ReadonlySet<OperationName> = new Set(['getBalance', 'getHistory', 'getTransferStatus']);

/** Operations for which the server rightly answers 400 insufficient_funds. */
export const debitOperations: ReadonlySet<OperationName> = new Set(['withdraw', 'initiateTransfer']);

/** Operations whose latency makes up the "write p99" the design's targets speak of. */
export const writeLatencyOperations: readonly OperationName[] = ['deposit', 'withdraw'];

export function isWorkloadOperation(name: OperationName): name is WorkloadOperation {
  return (workloadOperations as readonly string[]).includes(name);
}
