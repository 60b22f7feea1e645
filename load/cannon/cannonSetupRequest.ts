// autocannon's per-request hook for the Acta scenarios: gives every request its own Idempotency-Key
// and transactionId (a replayed key would be answered from the idempotency store and measure the
// wrong path) and spreads requests round-robin over the prepared accounts.
// It is a module of its own, exported with `export =`, because autocannon's worker threads load the
// hook by file path (`require(path)`) and call the module itself as the function.
import { threadId } from 'node:worker_threads';
import type { ActaCannonRequest } from './cannonScenarios';

let sequence = 0;

function setupRequest(request: ActaCannonRequest): ActaCannonRequest {
  const data = request.acta;
  sequence += 1;
  const unique = `${data.runId}-t${threadId}-${sequence}`;
  const accountId = data.accountIds[sequence % data.accountIds.length];
  const accountPath = `${data.pathPrefix}/accounts/${encodeURIComponent(accountId)}`;
  if (data.kind === 'balance') {
    request.method = 'GET';
    request.path = `${accountPath}/balance`;
    return request;
  }
  request.method = 'POST';
  request.path = `${accountPath}/deposits`;
  request.headers = { ...request.headers, 'content-type': 'application/json', 'idempotency-key': unique };
  request.body = JSON.stringify({ amount: data.amount, currency: data.currency, transactionId: `tx-${unique}` });
  return request;
}

export = setupRequest;
