// The last middleware: maps body-parser failures, undecodable paths and validation errors to 4xx
// problems, and logs anything unexpected as a 500 (bad input must never get here).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Logger } from '../infra/logger';
import { sendProblem } from './respond';
import { ValidationFailed } from './validate';

/** What Express, its router and body-parser attach to the errors they raise (http-errors style). */
interface HttpError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
}

interface ClientProblem {
  status: number;
  code: string;
  detail: string;
}

/** body-parser's error types (see its README), each with the problem a client gets for it. */
const bodyParserProblems: Readonly<Record<string, ClientProblem>> = {
  'entity.parse.failed': { status: 400, code: 'malformed_json', detail: 'The request body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'payload_too_large', detail: 'The request body is too large' },
  'charset.unsupported': { status: 415, code: 'unsupported_media_type', detail: 'Unsupported body charset' },
  'encoding.unsupported': { status: 415, code: 'unsupported_media_type', detail: 'Unsupported body encoding' },
  'request.aborted': { status: 400, code: 'request_aborted', detail: 'The request body ended early' },
  'request.size.invalid': { status: 400, code: 'request_size_invalid', detail: 'The request body does not match its Content-Length' },
};

/** Codes for any other 4xx a library raises; a status missing here answers client_error. */
const statusCodes: Readonly<Record<number, string>> = {
  400: 'bad_request',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * The client error an Express-side error stands for, or null for a server fault. The router
 * raises a URIError with status 400 for a path parameter that is not valid percent-encoding
 * (`%ZZ`, `%`, `%C0%AF`); anything else carrying a 4xx status is also the client's, and answering
 * it as a 500 would count bad input as an outage.
 */
export function clientProblemOf(error: unknown): ClientProblem | null {
  if (error === null || typeof error !== 'object') return null;
  const { type, status, statusCode } = error as HttpError;
  if (typeof type === 'string' && Object.hasOwn(bodyParserProblems, type)) return bodyParserProblems[type]!;
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : null;
  if (code === null || !Number.isInteger(code) || code < 400 || code > 499) return null;
  if (error instanceof URIError) return { status: 400, code: 'malformed_path', detail: 'The request path is not valid percent-encoding' };
  return { status: code, code: statusCodes[code] ?? 'client_error', detail: 'The request could not be processed as sent' };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    // Part of a response is already on the wire: Express's final handler closes the connection.
    if (res.headersSent) {
      logger.error({ err: error }, 'error after the response started');
      next(error);
      return;
    }
    if (error instanceof ValidationFailed) {
      sendProblem(res, 400, 'validation_failed', error.message, { errors: error.issues });
      return;
    }
    const client = clientProblemOf(error);
    if (client) {
      sendProblem(res, client.status, client.code, client.detail);
      return;
    }
    logger.error({ err: error }, 'unhandled error in request');
    sendProblem(res, 500, 'internal_error', 'An unexpected error occurred');
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendProblem(res, 404, 'route_not_found', `No route for ${req.method} ${req.path}`);
};
