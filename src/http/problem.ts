// RFC 9457 problem details with a stable machine-readable code. Every error Acta answers is one.
import { RecordedResponse } from '../ports/commandRecords';

export interface Problem extends Record<string, unknown> {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/** Reason phrases of the statuses Acta answers with (also used by the OpenAPI document). */
export const statusTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `urn:acta:problem:${code}`, title: statusTitles[status] ?? 'Error', status, detail, code, ...extra };
}

export function problemResponse(status: number, code: string, detail: string, extra?: Record<string, unknown>): RecordedResponse {
  return { status, body: problem(status, code, detail, extra) };
}

export function isProblemBody(body: Record<string, unknown>): boolean {
  return typeof body.code === 'string' && typeof body.type === 'string' && typeof body.status === 'number';
}
