// The last middleware: maps body-parser failures and validation errors to 4xx problems, and logs
// anything unexpected as a 500 (bad input must never get here).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Logger } from '../infra/logger';
import { sendProblem } from './respond';
import { ValidationFailed } from './validate';

interface BodyParserError {
  type?: string;
  status?: number;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof ValidationFailed) {
      sendProblem(res, 400, 'validation_failed', error.message, { errors: error.issues });
      return;
    }
    const parserType = (error as BodyParserError).type;
    if (parserType === 'entity.parse.failed') return sendProblem(res, 400, 'malformed_json', 'The request body is not valid JSON');
    if (parserType === 'entity.too.large') return sendProblem(res, 413, 'payload_too_large', 'The request body is too large');
    if (parserType === 'charset.unsupported' || parserType === 'encoding.unsupported') {
      return sendProblem(res, 415, 'unsupported_media_type', 'Unsupported body encoding');
    }
    logger.error({ err: error }, 'unhandled error in request');
    sendProblem(res, 500, 'internal_error', 'An unexpected error occurred');
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendProblem(res, 404, 'route_not_found', `No route for ${req.method} ${req.path}`);
};
