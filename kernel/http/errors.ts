import { LynkrError, isLynkrError, type ErrorCode } from '../errors.js';
import type { StreamError } from '../ir/stream.js';

/** Anthropic-style error types by status; OpenAI clients read `error.message` and `error.type` from the same body. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  499: 'client_closed_request',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** The error type name for a status, in Anthropic's vocabulary. @public */
export function errorTypeForStatus(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Anthropic's statuses by error type: the inverse of errorTypeForStatus for the types Anthropic documents. */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The HTTP status an Anthropic error type stands for, or `fallback` for a type it does not know. @public */
export function statusForErrorType(type: string, fallback = 500): number {
  return STATUS_BY_TYPE[type] ?? fallback;
}

/**
 * An answer that failed while it was collected for a non-streaming client
 * (an `error` event, or an end before `message_stop`) as the HTTP error its
 * type implies: 529 for `overloaded_error`, so that clients back off as
 * they would from Anthropic, 429 for a rate limit, else 500.
 * @public
 */
export function errorFromStreamError(error: StreamError): LynkrError {
  return new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', error.body.message, {
    status: statusForErrorType(error.body.type),
    cause: error,
    detail: { upstreamError: error.body },
  });
}

/**
 * The kernel's own error body, used where no API plugin renders the error
 * (unknown routes, the health endpoints). Both official SDKs read
 * `error.message` from it.
 */
export function defaultErrorBody(error: LynkrError, requestId: string): unknown {
  return {
    type: 'error',
    error: { type: errorTypeForStatus(error.status), message: error.message, code: error.code },
    request_id: requestId,
  };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'LYNKR_ERR_REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'LYNKR_ERR_REQUEST_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'LYNKR_ERR_REQUEST_INVALID',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'LYNKR_ERR_REQUEST_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'LYNKR_ERR_REQUEST_INVALID',
};

/** Map whatever a route threw (fastify's own errors included) to a LynkrError. */
export function normalizeError(error: unknown): LynkrError {
  if (isLynkrError(error)) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) {
    const message = mapped === 'LYNKR_ERR_REQUEST_TOO_LARGE' ? 'request body is too large (server.bodyLimit)' : `invalid request body: ${e.message ?? 'unreadable'}`;
    return new LynkrError(mapped, message, { cause: error, status: mapped === 'LYNKR_ERR_REQUEST_INVALID' ? (e.statusCode ?? 400) : undefined });
  }
  if (error instanceof SyntaxError || (e.statusCode === 400 && e.message)) {
    return new LynkrError('LYNKR_ERR_REQUEST_INVALID', `invalid request body: ${e.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LynkrError('LYNKR_ERR_INTERNAL', message, { cause: error });
}
