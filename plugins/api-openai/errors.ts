/**
 * Errors in the shape OpenAI's API and its SDKs expect:
 * `{"error":{"message":"...","type":"...","param":...,"code":...}}`.
 */
import { ChatRequestError, errorFromStreamError, errorTypeForStatus, LynkrError, StreamError, type ChatErrorBody } from '../../kernel/index.js';

/** What an OpenAI-shaped upstream error body says, when the upstream was OpenAI-shaped. */
function upstreamError(error: LynkrError): Partial<ChatErrorBody> {
  const body = error.detail?.body as { error?: { type?: unknown; code?: unknown; param?: unknown } } | undefined;
  const inner = typeof body?.error === 'object' && body.error !== null ? body.error : {};
  return {
    ...(typeof inner.type === 'string' && { type: inner.type }),
    ...(typeof inner.code === 'string' && { code: inner.code }),
    ...(typeof inner.param === 'string' && { param: inner.param }),
  };
}

/**
 * The `error` object for a LynkrError. An upstream's own code and param
 * pass through when its body had them, and its type for a 4xx (the vocabulary
 * of 4xx types is common to OpenAI and Anthropic); a 5xx is OpenAI's
 * `server_error`, and other types follow the status. `code` is otherwise
 * Lynkr's error code, which docs/errors.md explains. `param` names the
 * request parameter at fault when there is one.
 */
export function errorObject(error: LynkrError): ChatErrorBody {
  const upstream = upstreamError(error);
  const param = typeof error.detail?.param === 'string' ? error.detail.param : undefined;
  const type = error.status >= 500 ? 'server_error' : (upstream.type ?? errorTypeForStatus(error.status));
  return {
    message: error.message,
    type,
    param: param ?? upstream.param ?? null,
    code: upstream.code ?? error.code,
  };
}

/**
 * Render a LynkrError for an OpenAI client, with the error's own status (an
 * upstream's 429 stays a 429, and its retry-after goes out with it: the
 * kernel copies the error's headers).
 */
export function renderOpenAIError(error: LynkrError): { status: number; body: { error: ChatErrorBody } } {
  return { status: error.status, body: { error: errorObject(error) } };
}

/** A request parameter the client got wrong, as a 400 that names it. */
export function invalidParam(param: string, message: string): LynkrError {
  return new LynkrError('LYNKR_ERR_REQUEST_INVALID', message, { detail: { param } });
}

/**
 * What a route throws as a LynkrError: a codec's ChatRequestError is a 400
 * naming its param; a StreamError (an answer that failed while it was
 * collected for a non-streaming client) gets the status its type implies.
 */
export function toRouteError(error: unknown): unknown {
  if (error instanceof ChatRequestError) return invalidParam(error.param, error.message);
  if (error instanceof StreamError) return errorFromStreamError(error);
  return error;
}
