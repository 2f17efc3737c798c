/**
 * A fake OpenAI Chat Completions upstream (also the shape that vLLM,
 * llama.cpp, LM Studio, OpenRouter and Databricks serving endpoints speak).
 * Tests script it with a queue of replies; with nothing queued it echoes the
 * last user message, so a test that only checks routing needs no script.
 */
import type http from 'node:http';
import {
  pause,
  sendJson,
  sendJsonThenDie,
  splitPieces,
  splitText,
  startFake,
  streamFrames,
  type FakeContext,
  type FakeServer,
  type RawReply,
  type RecordedRequest,
  type ReplyTiming,
} from './server.js';

export interface OpenAIUsageSpec {
  prompt: number;
  completion: number;
  /** Sent as `prompt_tokens_details.cached_tokens`; without it that object is left out, as local servers do. */
  cached?: number;
}

/** `omitArguments` sends a call with no `arguments` field at all, as some upstreams do for parameterless tools. */
export type OpenAIToolCallSpec = { id?: string; name: string } & (
  | { arguments: string; omitArguments?: never }
  | { omitArguments: true; arguments?: never }
);

interface CompletionReplyBase extends ReplyTiming {
  /** Defaults to `stop`, or `tool_calls` when the reply has tool calls. */
  finishReason?: string;
  usage?: OpenAIUsageSpec;
  /** Stream: write this many `data:` frames, then destroy the socket. JSON: die halfway through the body. */
  dieAfterChunks?: number;
  headers?: Record<string, string>;
}

export interface OpenAITextReply extends CompletionReplyBase {
  /**
   * A string is split into word deltas; an array gives the exact deltas.
   * Left out, the text is the echo of the last user message, so
   * `{ dieAfterChunks: 2 }` alone is a complete reply.
   */
  text?: string | string[];
}

export interface OpenAIToolCallsReply extends CompletionReplyBase {
  toolCalls: OpenAIToolCallSpec[];
  /** Alternate the stream chunks of parallel calls by index instead of sending them one call after the other. */
  interleave?: boolean;
  /** Text streamed before the calls. */
  text?: string | string[];
}

export interface OpenAIErrorReply extends ReplyTiming {
  status: number;
  error: { message: string; type?: string; code?: string | null; param?: string | null };
  headers?: Record<string, string>;
}

export type OpenAIReply = OpenAITextReply | OpenAIToolCallsReply | OpenAIErrorReply | RawReply;

export interface FakeOpenAIOptions {
  /** Ids listed by `GET /v1/models`. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get OpenAI's 401. */
  apiKey?: string;
  /**
   * Decides the reply from the request when the queue is empty: for clients
   * (Claude Code) whose side requests make a fixed queue order fragile.
   * Returning undefined gives the default echo.
   */
  script?: (body: Record<string, unknown>) => OpenAIReply | undefined;
}

export interface FakeOpenAI extends FakeServer {
  enqueue(...replies: OpenAIReply[]): void;
  /** Replies queued and not yet served. */
  readonly pending: number;
}

export const DEFAULT_OPENAI_USAGE: OpenAIUsageSpec = { prompt: 10, completion: 5 };

interface ChatRequestBody {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  messages?: unknown;
}

interface Meta {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
}

const INVOCATIONS = /^\/serving-endpoints\/[^/]+\/invocations$/;

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queue: OpenAIReply[] = [];
  let served = 0;

  const server = await startFake(async (req, res, ctx) => {
    const pathname = req.path.split('?')[0] ?? '';
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(res, 401, errorBody({ message: 'Incorrect API key provided.', code: 'invalid_api_key' }, 401));
    }
    if (req.method === 'GET' && pathname.endsWith('/models')) {
      const created = Math.floor(Date.now() / 1000);
      const data = (options.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created, owned_by: 'fake' }));
      return sendJson(res, 200, { object: 'list', data });
    }
    const isChat = pathname.endsWith('/chat/completions') || INVOCATIONS.test(pathname);
    if (req.method !== 'POST' || !isChat) {
      return sendJson(res, 404, errorBody({ message: `fake: no route ${req.method} ${pathname}` }, 404));
    }
    const body = req.json;
    if (typeof body !== 'object' || body === null) {
      return sendJson(res, 400, errorBody({ message: 'fake: request body is not a JSON object' }, 400));
    }
    served += 1;
    const reply = queue.shift() ?? options.script?.(body as Record<string, unknown>) ?? {};
    await answer(reply, body as ChatRequestBody, served, req, res, ctx);
  });

  return {
    ...server,
    enqueue: (...replies) => void queue.push(...replies),
    get pending() {
      return queue.length;
    },
  };
}

async function answer(
  reply: OpenAIReply,
  body: ChatRequestBody,
  n: number,
  req: RecordedRequest,
  res: http.ServerResponse,
  ctx: FakeContext,
): Promise<void> {
  await pause(reply.delayMs, ctx.signal);
  if ('raw' in reply) return reply.raw(req, res, ctx);
  const requestId = { 'x-request-id': `req_fake${n}` };
  if ('status' in reply) {
    return sendJson(res, reply.status, errorBody(reply.error, reply.status), { ...requestId, ...reply.headers });
  }

  const meta: Meta = {
    id: `chatcmpl-fake${n}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : 'fake-model',
    includeUsage: body.stream_options?.include_usage === true,
  };
  const calls = 'toolCalls' in reply ? reply.toolCalls.map((c, i) => ({ ...c, id: c.id ?? `call_fake${n}_${i}` })) : [];
  const finish = reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  const usage = usageBody(reply.usage ?? DEFAULT_OPENAI_USAGE);
  const headers = { ...requestId, ...reply.headers };
  const textSpec = 'toolCalls' in reply ? reply.text : (reply.text ?? `echo: ${lastUserText(body)}`);
  const textDeltas = textSpec === undefined ? undefined : splitText(textSpec);

  if (body.stream !== true) {
    const text = textDeltas === undefined ? null : textDeltas.join('');
    const message = {
      role: 'assistant',
      content: text,
      refusal: null,
      ...(calls.length > 0 && {
        tool_calls: calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: c.omitArguments ? { name: c.name } : { name: c.name, arguments: c.arguments },
        })),
      }),
    };
    const completion = {
      id: meta.id,
      object: 'chat.completion',
      created: meta.created,
      model: meta.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage,
    };
    if (reply.dieAfterChunks !== undefined) return sendJsonThenDie(res, completion, headers);
    return sendJson(res, 200, completion, headers);
  }

  const deltas: Array<Record<string, unknown>> = [{ role: 'assistant', content: textDeltas === undefined ? null : '' }];
  for (const piece of textDeltas ?? []) deltas.push({ content: piece });
  const perCall = calls.map((c, index) => toolCallDeltas(c, index));
  deltas.push(...('interleave' in reply && reply.interleave ? alternate(perCall) : perCall.flat()));

  const frames = deltas.map((delta) => dataFrame(chunk(meta, delta, null)));
  frames.push(dataFrame(chunk(meta, {}, finish)));
  if (meta.includeUsage) {
    const { id, created, model } = meta;
    frames.push(dataFrame({ id, object: 'chat.completion.chunk', created, model, choices: [], usage }));
  }
  frames.push('data: [DONE]\n\n');
  await streamFrames(res, frames, {
    signal: ctx.signal,
    chunkDelayMs: reply.chunkDelayMs,
    dieAfter: reply.dieAfterChunks,
    headers,
  });
}

/** The first delta of a call carries id, type and name; later ones only `index` and argument pieces. */
function toolCallDeltas(call: OpenAIToolCallSpec & { id: string }, index: number): Array<Record<string, unknown>> {
  const head = {
    index,
    id: call.id,
    type: 'function',
    function: call.omitArguments ? { name: call.name } : { name: call.name, arguments: '' },
  };
  const deltas: Array<Record<string, unknown>> = [{ tool_calls: [head] }];
  if (call.omitArguments || call.arguments === '') return deltas;
  for (const piece of splitPieces(call.arguments)) deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
  return deltas;
}

function alternate<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i] as T);
  return out;
}

function chunk(meta: Meta, delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // OpenAI puts `usage: null` on every chunk but the last when usage was asked for.
    ...(meta.includeUsage && { usage: null }),
  };
}

function dataFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

function usageBody(u: OpenAIUsageSpec) {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    ...(u.cached !== undefined && { prompt_tokens_details: { cached_tokens: u.cached } }),
  };
}

function errorBody(e: OpenAIErrorReply['error'], status: number) {
  return {
    error: {
      message: e.message,
      type: e.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: e.param ?? null,
      code: e.code ?? null,
    },
  };
}

function lastUserText(body: ChatRequestBody): string {
  if (!Array.isArray(body.messages)) return '';
  const messages = body.messages as Array<{ role?: unknown; content?: unknown }>;
  const last = messages.findLast((m) => m.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return (last.content as Array<{ type?: unknown; text?: unknown }>)
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('');
}
