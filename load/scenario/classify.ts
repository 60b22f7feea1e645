// Decides whether a response is a success, an expected failure, or an unexpected one.
// Only unexpected failures count against --max-unexpected-failures. The seed counted every non-2xx
// alike and exited 0 regardless, so a run full of 409s and 500s looked the same as a clean one.
//
//   expected:   400 insufficient_funds on withdraw / transfer (the workload can race its own view),
//               404 on a projection read that did NOT pass minVersion (eventual consistency, by design)
//   unexpected: network errors and timeouts, a 2xx whose body is not a JSON object, any 5xx, any 409, a 404 on a read that passed minVersion
//               (read-your-writes broken), a 404 for a missing route, any other 4xx, any 1xx/3xx
import type { ResponseStatus } from '../shared/httpClient';
import { debitOperations, OperationName, readOperations } from './operationNames';

export interface ResponseFacts {
  operation: OperationName;
  status: ResponseStatus;
  /** The problem+json `code`, when the server sent one. */
  code?: string;
  /** True when the request carried `minVersion` (a read-your-writes read). */
  passedMinVersion: boolean;
  /** True when a 2xx body was not the JSON object the contract promises. */
  malformedBody?: boolean;
}

export type Classification =
  | { kind: 'ok' }
  | { kind: 'expected'; reason: 'insufficient_funds' | 'projection_lag' }
  | {
      kind: 'unexpected';
      reason:
        | 'network_error'
        | 'timeout'
        | 'malformed_response'
        | 'server_error'
        | 'conflict'
        | 'read_your_writes_violated'
        | 'route_missing'
        | 'client_error'
        | 'unexpected_status';
    };

export function classify(facts: ResponseFacts): Classification {
  const { status, operation, code } = facts;
  if (status === 'NETWORK_ERROR') return { kind: 'unexpected', reason: 'network_error' };
  if (status === 'TIMEOUT') return { kind: 'unexpected', reason: 'timeout' };
  if (status >= 200 && status < 300) return facts.malformedBody === true ? { kind: 'unexpected', reason: 'malformed_response' } : { kind: 'ok' };
  if (status >= 500) return { kind: 'unexpected', reason: 'server_error' };
  if (status === 409) return { kind: 'unexpected', reason: 'conflict' };
  if (status === 400 && code === 'insufficient_funds' && debitOperations.has(operation)) {
    return { kind: 'expected', reason: 'insufficient_funds' };
  }
  if (status === 404) {
    // A missing route is a deployment gap (e.g. transfers not built yet), never projection lag.
    if (code === 'route_not_found') return { kind: 'unexpected', reason: 'route_missing' };
    if (readOperations.has(operation)) {
      return facts.passedMinVersion ? { kind: 'unexpected', reason: 'read_your_writes_violated' } : { kind: 'expected', reason: 'projection_lag' };
    }
  }
  if (status >= 400) return { kind: 'unexpected', reason: 'client_error' };
  return { kind: 'unexpected', reason: 'unexpected_status' };
}
