/**
 * Error bodies of the model server: `{ error: { code, message, field? }, detail }`. `error` carries the
 * closed codes of src/shared/errors.ts and the failing field (`units[3].rows[7].cycle`); `detail`
 * repeats the message as openapi.json's Error schema says.
 */
import type { FastifyReply } from 'fastify';
import { PrognosError, toErrorValue, type ErrorCode } from '../../shared/errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string, field?: string): Record<string, unknown> {
  return { error: field === undefined ? { code, message } : { code, message, field }, detail: message };
}

/** The status for an error value thrown by the scoring or the backends. */
function statusOf(e: PrognosError): number {
  switch (e.code) {
    case 'INVALID_INPUT':
    case 'BAD_FILE':
      return 422;
    case 'NOT_FOUND':
      return 404;
    case 'FORBIDDEN':
      return 403;
    case 'CONFLICT':
      return 409;
    case 'CANCELLED':
      return 503;
    case 'INTERNAL':
      return 500;
  }
}

interface FastifyLikeError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message: string;
}

/** Any error a route or Fastify raised, as a status and a body. */
export function toHttp(e: unknown): { status: number; body: Record<string, unknown>; headers: Readonly<Record<string, string>> } {
  if (e instanceof HttpError) return { status: e.status, body: errorBody(e.code, e.message, e.field), headers: e.headers };
  if (e instanceof PrognosError) {
    const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
    return { status: statusOf(e), body: errorBody(e.code, e.message, field), headers: {} };
  }
  const f = e as FastifyLikeError;
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: errorBody('INVALID_INPUT', `the request body is larger than the server's limit: ${f.message}`), headers: {} };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: errorBody('INVALID_INPUT', 'the request body must be JSON (Content-Type: application/json)'), headers: {} };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: errorBody('INVALID_INPUT', 'the request body is empty; expected JSON'), headers: {} };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: errorBody('INVALID_INPUT', 'the Content-Length does not match the body'), headers: {} };
    default:
      break;
  }
  if (e instanceof SyntaxError || f.statusCode === 400) {
    return { status: 400, body: errorBody('INVALID_INPUT', `the request body is not valid JSON: ${f.message}`), headers: {} };
  }
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    return { status: f.statusCode, body: errorBody('INVALID_INPUT', f.message), headers: {} };
  }
  const v = toErrorValue(e);
  return { status: 500, body: errorBody('INTERNAL', v.code === 'INTERNAL' ? 'internal error; see the server log' : v.message), headers: {} };
}

export function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const h = toHttp(e);
  for (const [k, v] of Object.entries(h.headers)) void reply.header(k, v);
  return reply.code(h.status).type('application/json; charset=utf-8').send(h.body);
}
