/**
 * The Responses API as an upstream Lynkr calls (Azure OpenAI's codex and
 * pro deployments, OpenAI models that speak nothing else). The mappings
 * themselves are the codec's: {@link toResponsesRequest},
 * {@link fromResponsesStream} and {@link fromResponsesResponse}. What this
 * adds is what only a caller of the API needs: the API's own limits on the
 * request, typed events read off the wire, and the upstream's failures
 * (`error` events, `response.failed`, a failed `Response`, a cut stream) as
 * LynkrErrors with the status they stand for, so that a fallback, the
 * client's retry logic and the error the client sees all work as they do
 * for an HTTP error.
 */
import { LynkrError } from '../../errors.js';
import type { SSEFrame } from '../../ir/sse.js';
import type { MessagesRequest, MessagesResponse, StreamEvent } from '../../ir/types.js';
import { parseUpstreamJson, upstreamBodyError } from '../../upstream/errors.js';
import { toResponsesRequest, type ToResponsesRequestOptions } from './request.js';
import { fromResponsesResponse } from './response.js';
import { fromResponsesStream } from './stream.js';
import type { ResponsesError, ResponsesRequest, ResponsesResponse, ResponsesStreamEvent } from './types.js';

/**
 * The smallest `max_output_tokens` the API accepts. Claude Code probes a
 * model with `max_tokens: 1`; that probe must get an answer, not a 400.
 * @public
 */
export const RESPONSES_MIN_OUTPUT_TOKENS = 16;

/**
 * An IR request as the body of a call to a Responses upstream:
 * {@link toResponsesRequest} (stateless: `store: false`, the whole history
 * as `input`), with `max_output_tokens` raised to the API's minimum.
 * @public
 */
export function toResponsesUpstreamRequest(req: MessagesRequest, opts: ToResponsesRequestOptions): ResponsesRequest {
  const body = toResponsesRequest(req, opts);
  if (typeof body.max_output_tokens === 'number' && body.max_output_tokens < RESPONSES_MIN_OUTPUT_TOKENS) body.max_output_tokens = RESPONSES_MIN_OUTPUT_TOKENS;
  return body;
}

/** @public */
export interface FromResponsesUpstreamOptions {
  /** Names the upstream in error messages: the provider id. */
  label: string;
  /** The model name the client should see. */
  model: string;
  /** Keep reasoning items as thinking blocks (summary as text, `encrypted_content` as signature). */
  keepReasoning?: boolean;
  /** Called once the response is complete, before its last event is yielded (`UpstreamResponse.release`). */
  release?: () => void;
}

/**
 * A Responses SSE body's frames as IR events, lazily and in the exact
 * Anthropic grammar (see {@link fromResponsesStream}). `message_start`
 * comes with the first output event rather than with `response.created`,
 * so that a response that fails before writing anything (a rate limit, a
 * content filter on the prompt) throws before the first IR event: through
 * `prefetch` the call itself fails with that status. After it, failures
 * come out of the iterator as LynkrErrors; a body that ends before
 * `response.completed` (or `.incomplete`) fails as DISCONNECTED.
 * @public
 */
export function fromResponsesUpstreamStream(frames: AsyncIterable<SSEFrame>, opts: FromResponsesUpstreamOptions): AsyncGenerator<StreamEvent> {
  return fromResponsesStream(responsesUpstreamEvents(frames, opts), opts);
}

/** A refusal as it streams; the codec's event union leaves it out, as the front door never writes one. */
interface RefusalDelta {
  type: 'response.refusal.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}

/** Events that only announce the response: nothing in them becomes an IR event. */
const ANNOUNCEMENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);

/**
 * The typed events of an SSE body. Announcements are left out (see
 * {@link fromResponsesUpstreamStream}); refusal deltas are passed on as
 * text deltas, which is what a refusal is in the IR.
 */
async function* responsesUpstreamEvents(frames: AsyncIterable<SSEFrame>, opts: FromResponsesUpstreamOptions): AsyncGenerator<ResponsesStreamEvent> {
  const { label } = opts;
  for await (const frame of frames) {
    if (frame.data === '' || frame.data === '[DONE]') continue;
    // Typed by its `type`, checked below: an event this union does not list is passed on and ignored by the reader.
    const event = parseUpstreamJson(frame.data, label) as ResponsesStreamEvent | RefusalDelta;
    switch (event.type) {
      case 'error':
        throw responsesFailure(label, event);
      case 'response.failed':
        // A response object that is missing says nothing more than "failed".
        throw responsesFailure(label, (event.response as ResponsesResponse | undefined)?.error ?? null);
      case 'response.refusal.delta':
        yield { ...event, type: 'response.output_text.delta', logprobs: [] };
        continue;
      case 'response.completed':
      case 'response.incomplete':
        // Before the yield: a consumer that stops at the last event must not cost the connection.
        opts.release?.();
        yield event;
        return;
      default:
        if (!ANNOUNCEMENTS.has(event.type)) yield event;
    }
  }
  throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before response.completed`);
}

/**
 * A whole `Response` body as an IR answer. An error body, or a response
 * whose status is `failed`, throws the LynkrError its error code stands
 * for; a body that is not a response throws PROTOCOL.
 * @public
 */
export function fromResponsesUpstreamResponse(body: unknown, opts: Omit<FromResponsesUpstreamOptions, 'release'>): MessagesResponse {
  const res = body as Partial<ResponsesResponse> | undefined;
  if (res?.status === 'failed') throw responsesFailure(opts.label, res.error ?? null);
  if (Array.isArray(res?.output)) return fromResponsesResponse(res as ResponsesResponse, opts);
  // Some gateways in front of the API answer 200 with an error body.
  if ((res as { error?: unknown } | undefined)?.error) throw upstreamBodyError(opts.label, body);
  throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${opts.label}" answered something that is not a response`, { detail: { body } });
}

/**
 * OpenAI's error codes by the Anthropic error type (and so the status)
 * they stand for; any other code is an `api_error`, which reaches the
 * client as a 502.
 */
const ERROR_TYPES: ReadonlyArray<[RegExp, string]> = [
  [/rate_limit|quota|too_many/, 'rate_limit_error'],
  [/overloaded/, 'overloaded_error'],
  [/invalid|context_length|content_filter|unsupported|not_supported|too_large|too_long/, 'invalid_request_error'],
  [/not_found/, 'not_found_error'],
];

/** The LynkrError for a Responses error object (an `error` event, or a failed response's `error`). */
function responsesFailure(label: string, error: Partial<ResponsesError> | { code?: string | null; message?: string } | null): LynkrError {
  const code = typeof error?.code === 'string' ? error.code : '';
  const type = ERROR_TYPES.find(([pattern]) => pattern.test(code))?.[1] ?? 'api_error';
  const message = typeof error?.message === 'string' && error.message !== '' ? error.message : 'the response failed';
  return upstreamBodyError(label, { error: { type, code: code || null, message } });
}
