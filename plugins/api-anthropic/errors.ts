/**
 * Errors in the shape Anthropic's API and its SDKs expect:
 * `{"type":"error","error":{"type":"...","message":"..."},"request_id":"..."}`.
 */
import { errorTypeForStatus, type ErrorBody, type LynkrError } from '../../kernel/index.js';

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
