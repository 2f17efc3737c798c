/**
 * Errors in the shape Anthropic's API and its SDKs expect:
 * `{"type":"error","error":{"type":"...","message":"..."},"request_id":"..."}`.
 */
import { errorTypeForStatus, LynkrError, type ErrorBody, type StreamError } from '../../kernel/index.js';

/** An Anthropic error body. */
export interface AnthropicErrorBody {
  type: 'error';
  error: ErrorBody;
  request_id: string;
}

/**
 * Render a LynkrError for an Anthropic client: the error's own status (an
 * upstream's 429 or 529 stays one), the error type Anthropic uses for that
 * status, the error's headers (`retry-after`, which Claude Code waits for
 * before its retry, and the rate-limit headers) and a `request-id` header
 * equal to the exchange id.
 */
export function renderAnthropicError(error: LynkrError, ex: { id: string }): { status: number; body: AnthropicErrorBody; headers: Record<string, string> } {
  return {
    status: error.status,
    body: errorBody(errorTypeForStatus(error.status), error.message, ex.id),
    headers: { ...error.headers, 'request-id': ex.id },
  };
}

/** The body alone, for `event: error` frames and direct use. */
export function errorBody(type: string, message: string, requestId: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message }, request_id: requestId };
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

/**
 * A stream that failed while a non-streaming answer was being collected
 * (an `error` event, or an end before `message_stop`) becomes an HTTP error
 * with the status its type implies: 529 for `overloaded_error`, so that
 * clients back off as they would from Anthropic, else 500 for anything
 * unknown.
 */
export function errorFromStreamError(error: StreamError): LynkrError {
  const status = STATUS_BY_TYPE[error.body.type] ?? 500;
  return new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', error.body.message, { status, cause: error, detail: { upstreamError: error.body } });
}
