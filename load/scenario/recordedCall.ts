// One request, classified and recorded: the only way the runner talks to the server, so no request
// can escape the metrics (and the completed = ok + failed arithmetic).
import { classify, Classification } from './classify';
import { HttpClient, HttpRequest, HttpResult, isRecord } from '../shared/httpClient';
import { loadLimits } from '../shared/limits';
import { Metrics } from './metrics';
import { OperationName } from './operationNames';

export interface RecordedResult extends HttpResult {
  classification: Classification;
}

export interface CallTarget {
  client: HttpClient;
  metrics: Metrics;
}

export async function recordedCall(
  target: CallTarget,
  operation: OperationName,
  request: HttpRequest,
  passedMinVersion = false,
): Promise<RecordedResult> {
  const result = await target.client.send(request);
  const malformedBody = typeof result.status === 'number' && result.status < 300 && !isRecord(result.body);
  const classification = classify({ operation, status: result.status, code: result.code, passedMinVersion, malformedBody });
  const errorKey = classification.kind === 'ok' ? undefined : errorKeyOf(result, malformedBody);
  target.metrics.record({ operation, status: result.status, latencyMs: result.latencyMs, classification, errorKey });
  return { ...result, classification };
}

/** The code groups errors best; messages often embed ids, so they are cut to a bounded prefix. */
function errorKeyOf(result: HttpResult, malformedBody: boolean): string {
  const reason = malformedBody ? `malformed body: ${result.message ?? 'not a JSON object'}` : (result.code ?? result.message ?? 'no message');
  return `${result.status} ${reason}`.slice(0, loadLimits.errorMessageCharsMax);
}

/** The stream `version` a command response carries, when it is a usable integer. */
export function versionOf(body: unknown): number | undefined {
  const version = isRecord(body) ? body.version : undefined;
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 ? version : undefined;
}

export function isSuccess(result: HttpResult): boolean {
  return typeof result.status === 'number' && result.status >= 200 && result.status < 300;
}

/** A 4xx is a definite rejection ("a rejected command writes nothing"); anything else may have applied. */
export function isDefiniteRejection(result: HttpResult): boolean {
  return typeof result.status === 'number' && result.status >= 400 && result.status < 500;
}
