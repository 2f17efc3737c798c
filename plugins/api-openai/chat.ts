/**
 * `POST /v1/chat/completions`: decode with the Chat codec, run the
 * pipeline, answer as `data:` chunks ending in `[DONE]`, or as one
 * completion.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  sendAnswer,
  fromChatRequest,
  liftCustomTools,
  lowerCustomCalls,
  lowerCustomCallsStream,
  LynkrError,
  streamAnswer,
  toChatResponse,
  toChatStream,
  toLynkrError,
  type ChatRequest,
  type Exchange,
  type MessagesRequest,
  type PipelineApi,
  type SseEncoding,
  type StreamEvent,
  type ToChatStreamOptions,
} from '../../kernel/index.js';
import { errorObject, invalidParam, toRouteError } from './errors.js';
import { parseChatRequest } from './request.js';
import { collect, failed, openaiId, unixNow, type Waited } from './route.js';

/** What the routes are bound to. */
export interface RouteSettings {
  pipeline: PipelineApi;
  pingIntervalMs: number;
  defaultMaxTokens: number;
}

/** The route handler. */
export function chatHandler(settings: RouteSettings) {
  return async (req: FastifyRequest, reply: FastifyReply, ex: Exchange): Promise<unknown> => {
    const waited: Waited = { ms: 0 };
    try {
      const parsed = parseChatRequest(req.body);
      // Custom (free-form) tools travel as functions of one string; their calls go back in the client's form.
      const { request: body, custom } = liftCustomTools(parsed);
      const request = chatToIR(body, settings.defaultMaxTokens);
      const result = await settings.pipeline.handle(request, ex);
      const meta = { id: openaiId('chatcmpl-'), created: unixNow(), model: result.decision?.model ?? body.model ?? '' };
      if (request.stream === true) {
        const includeUsage = body.stream_options?.include_usage === true;
        return await streamAnswer(reply, result, ex, { pingIntervalMs: settings.pingIntervalMs, encoding: chatEncoding({ ...meta, includeUsage }, custom) });
      }
      const message = await collect(result, waited);
      const completion = lowerCustomCalls(toChatResponse(message, { id: meta.id, created: meta.created, model: message.model || meta.model }), custom);
      return sendAnswer(reply, completion, result.headers, ex, waited.ms);
    } catch (caught) {
      return failed(caught, reply, ex, waited);
    }
  };
}

/**
 * A checked Chat request as an IR request, through the Chat codec, plus
 * what the codec leaves out: a default `max_tokens` of the plugin's own,
 * and `response_format` and `reasoning_effort` as extra fields for
 * OpenAI-family upstreams (the invoke hook in fit.ts decides what other
 * upstreams get).
 */
export function chatToIR(body: ChatRequest, defaultMaxTokens: number): MessagesRequest {
  checkMessages(body);
  const request = fromChatRequest(body);
  if (body.max_tokens == null && body.max_completion_tokens == null) request.max_tokens = defaultMaxTokens;
  const format = body.response_format as { type?: string } | null | undefined;
  if (format && format.type !== 'text') request.response_format = format;
  if (body.reasoning_effort != null) request.reasoning_effort = body.reasoning_effort;
  return request;
}

const USER_PARTS = new Set(['text', 'image_url', 'file']);

/**
 * What the schema cannot say about messages: which roles may leave content
 * out, what a tool message needs, which parts each role takes. The codec
 * relies on all of it.
 */
function checkMessages(body: ChatRequest): void {
  body.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    const message = m as { role: string; content?: unknown; tool_call_id?: unknown; tool_calls?: unknown };
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
      throw invalidParam(`${at}.tool_call_id`, `Missing required parameter: '${at}.tool_call_id'.`);
    }
    if (message.content == null) {
      if (message.role === 'assistant') return;
      throw invalidParam(`${at}.content`, `Missing required parameter: '${at}.content'.`);
    }
    if (!Array.isArray(message.content)) return;
    (message.content as Array<Record<string, unknown>>).forEach((part, j) => {
      const where = `${at}.content[${j}]`;
      const allowed = message.role === 'user' ? USER_PARTS.has(part.type as string) : part.type === 'text' || part.type === 'refusal';
      if (!allowed) throw invalidParam(`${where}.type`, `Invalid value for '${where}.type': ${JSON.stringify(part.type)} is not supported in a ${message.role} message.`);
      if (part.type === 'text' && typeof part.text !== 'string') throw invalidParam(`${where}.text`, `Invalid type for '${where}.text': expected string.`);
      if (part.type === 'image_url' && typeof (part.image_url as { url?: unknown } | undefined)?.url !== 'string') {
        throw invalidParam(`${where}.image_url.url`, `Missing required parameter: '${where}.image_url.url'.`);
      }
      if (part.type === 'file' && (typeof part.file !== 'object' || part.file === null)) throw invalidParam(`${where}.file`, `Missing required parameter: '${where}.file'.`);
    });
  });
}

const DONE = 'data: [DONE]\n\n';

/** The Chat stream's framing: one `data:` line per chunk, `[DONE]` at the end, an `error` object when it fails. */
function chatEncoding(opts: ToChatStreamOptions, custom: ReadonlySet<string>): SseEncoding {
  return {
    frames: (events) => chatFrames(events, opts, custom),
    errorFrame: (error) => `data: ${JSON.stringify({ error: errorObject(toLynkrError(toRouteError(error))) })}\n\n`,
    end: DONE,
  };
}

async function* chatFrames(events: AsyncIterable<StreamEvent>, opts: ToChatStreamOptions, custom: ReadonlySet<string>): AsyncGenerator<string> {
  let finished = false;
  for await (const chunk of lowerCustomCallsStream(toChatStream(events, opts), custom)) {
    if (chunk.choices[0]?.finish_reason) finished = true;
    yield `data: ${JSON.stringify(chunk)}\n\n`;
  }
  // Without a finish chunk the answer was cut: [DONE] would pass it off as whole.
  if (!finished) throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', 'the answer ended before it was complete');
}
