/**
 * A fake Anthropic Messages upstream. Streams follow the documented event
 * grammar exactly (see PROTOCOLS.md), because that grammar is what official
 * SDKs and Claude Code parse; tests that need it broken use `raw`,
 * `dieAfterEvents` or `midStreamError`. With nothing queued it echoes the
 * last user text.
 */
import type http from 'node:http';
import type {
  ContentBlock,
  MessagesRequest,
  MessagesResponse,
  StopReason,
  StreamEvent,
  Usage,
} from '../../kernel/ir/types.js';
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

export interface AnthropicUsageSpec {
  /** Uncached input only, as Anthropic counts it. */
  input: number;
  output: number;
  cacheRead?: number;
  cacheCreation?: number;
}

export interface AnthropicToolUseSpec {
  id?: string;
  name: string;
  input: Record<string, unknown>;
}

/**
 * A successful answer. Blocks come in the order thinking, redacted thinking,
 * text, tool uses. With none of them given, the text is the echo of the last
 * user message, so `{ dieAfterEvents: 3 }` alone is a complete reply.
 */
export interface AnthropicContentReply extends ReplyTiming {
  /** A string is split into word deltas; an array gives the exact deltas. */
  text?: string | string[];
  /** Streamed as thinking_delta pieces, then one signature_delta. */
  thinking?: { text: string | string[]; signature: string };
  redactedThinking?: string;
  toolUses?: AnthropicToolUseSpec[];
  /** Defaults to `tool_use` with tool uses, `stop_sequence` with stopSequence, else `end_turn`. */
  stopReason?: StopReason;
  stopSequence?: string;
  usage?: AnthropicUsageSpec;
  /** Stream: write this many SSE frames, then destroy the socket. JSON: die halfway through the body. */
  dieAfterEvents?: number;
  /**
   * Stream: after `afterEvents` frames (default: through the first
   * content_block_delta) send an `event: error` frame and end. JSON: answer
   * with that error and the status its type implies.
   */
  midStreamError?: { type: string; message: string; afterEvents?: number };
  headers?: Record<string, string>;
}

export interface AnthropicErrorReply extends ReplyTiming {
  status: number;
  /** `type` defaults to the one Anthropic uses for that status. */
  error: { type?: string; message: string };
  headers?: Record<string, string>;
}

export type AnthropicReply = AnthropicContentReply | AnthropicErrorReply | RawReply;

export interface FakeAnthropicOptions {
  /** Ids listed by `GET /v1/models`. */
  models?: string[];
  /** When set, requests need `x-api-key: <apiKey>` or `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** Decides the reply from the request when the queue is empty; undefined gives the default echo. */
  script?: (body: Partial<MessagesRequest>) => AnthropicReply | undefined;
}

export interface FakeAnthropic extends FakeServer {
  enqueue(...replies: AnthropicReply[]): void;
  /** Replies queued and not yet served. */
  readonly pending: number;
}

export const DEFAULT_ANTHROPIC_USAGE: AnthropicUsageSpec = { input: 10, output: 5 };

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/**
 * FAKE token count for `/v1/messages/count_tokens`: a quarter of the request
 * body's length, rounded up. Deterministic so tests can predict it; it is
 * not a tokenizer.
 */
export function fakeTokenCount(body: string): number {
  return Math.ceil(body.length / 4);
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: AnthropicReply[] = [];
  let served = 0;

  const server = await startFake(async (req, res, ctx) => {
    const pathname = req.path.split('?')[0] ?? '';
    const key = options.apiKey;
    if (key !== undefined && req.headers['x-api-key'] !== key && req.headers.authorization !== `Bearer ${key}`) {
      return sendJson(res, 401, errorBody('authentication_error', 'invalid x-api-key'));
    }
    if (req.method === 'GET' && pathname.endsWith('/v1/models')) {
      const data = (options.models ?? ['fake-model']).map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2025-01-01T00:00:00Z',
      }));
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    if (req.method === 'POST' && pathname.endsWith('/v1/messages/count_tokens')) {
      return sendJson(res, 200, { input_tokens: fakeTokenCount(req.body) });
    }
    if (req.method !== 'POST' || !pathname.endsWith('/v1/messages')) {
      return sendJson(res, 404, errorBody('not_found_error', `fake: no route ${req.method} ${pathname}`));
    }
    if (typeof req.json !== 'object' || req.json === null) {
      return sendJson(res, 400, errorBody('invalid_request_error', 'fake: request body is not a JSON object'));
    }
    served += 1;
    const body = req.json as Partial<MessagesRequest>;
    await answer(queue.shift() ?? options.script?.(body) ?? {}, body, served, req, res, ctx);
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
  reply: AnthropicReply,
  body: Partial<MessagesRequest>,
  n: number,
  req: RecordedRequest,
  res: http.ServerResponse,
  ctx: FakeContext,
): Promise<void> {
  await pause(reply.delayMs, ctx.signal);
  if ('raw' in reply) return reply.raw(req, res, ctx);
  const requestId = { 'request-id': `req_fake${n}` };
  if ('status' in reply) {
    const type = reply.error.type ?? ERROR_TYPE_BY_STATUS[reply.status] ?? 'api_error';
    return sendJson(res, reply.status, errorBody(type, reply.error.message), { ...requestId, ...reply.headers });
  }
  const headers = { ...requestId, ...reply.headers };
  const stream = body.stream === true;
  if (reply.midStreamError && !stream) {
    const { type, message } = reply.midStreamError;
    return sendJson(res, statusForErrorType(type), errorBody(type, message), headers);
  }

  const noContent = [reply.text, reply.thinking, reply.redactedThinking, reply.toolUses].every((x) => x === undefined);
  const textDeltas = noContent ? [`echo: ${lastUserText(body)}`] : reply.text === undefined ? [] : splitText(reply.text);
  const thinkingDeltas = reply.thinking ? splitText(reply.thinking.text) : [];
  const toolUses = (reply.toolUses ?? []).map((t, i) => ({ ...t, id: t.id ?? `toolu_fake${n}_${i}` }));

  const content: ContentBlock[] = [];
  if (reply.thinking) {
    content.push({ type: 'thinking', thinking: thinkingDeltas.join(''), signature: reply.thinking.signature });
  }
  if (reply.redactedThinking !== undefined) content.push({ type: 'redacted_thinking', data: reply.redactedThinking });
  if (noContent || reply.text !== undefined) content.push({ type: 'text', text: textDeltas.join('') });
  for (const t of toolUses) content.push({ type: 'tool_use', id: t.id, name: t.name, input: t.input });

  const u = reply.usage ?? DEFAULT_ANTHROPIC_USAGE;
  const usage: Usage = {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheCreation ?? 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
    output_tokens: u.output,
  };
  const stopReason: StopReason =
    reply.stopReason ??
    (toolUses.length > 0 ? 'tool_use' : reply.stopSequence !== undefined ? 'stop_sequence' : 'end_turn');
  const message: MessagesResponse = {
    id: `msg_fake${n}`,
    type: 'message',
    role: 'assistant',
    model: typeof body.model === 'string' ? body.model : 'fake-model',
    content,
    stop_reason: stopReason,
    stop_sequence: reply.stopSequence ?? null,
    usage,
  };

  if (!stream) {
    if (reply.dieAfterEvents !== undefined) return sendJsonThenDie(res, message, headers);
    return sendJson(res, 200, message, headers);
  }

  const events: StreamEvent[] = [
    {
      type: 'message_start',
      // Real streams report a provisional output count here; the final one is in message_delta.
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: Math.min(1, u.output) } },
    },
    { type: 'ping' },
  ];
  content.forEach((block, index) => {
    switch (block.type) {
      case 'thinking':
        events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const thinking of thinkingDeltas) {
          events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
        }
        events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
        break;
      case 'text':
        events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const text of textDeltas) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
        break;
      case 'tool_use':
        events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        for (const partial_json of splitPieces(JSON.stringify(block.input))) {
          events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
        }
        break;
      default:
        // redacted_thinking arrives whole in its start event.
        events.push({ type: 'content_block_start', index, content_block: block });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: message.stop_sequence }, usage: { output_tokens: u.output } },
    { type: 'message_stop' },
  );

  let frames = events;
  if (reply.midStreamError) {
    const { type, message: text, afterEvents } = reply.midStreamError;
    const cut = afterEvents ?? events.findIndex((e) => e.type === 'content_block_delta') + 1;
    frames = [...events.slice(0, cut > 0 ? cut : 2), { type: 'error', error: { type, message: text } }];
  }
  await streamFrames(res, frames.map(sseFrame), {
    signal: ctx.signal,
    chunkDelayMs: reply.chunkDelayMs,
    dieAfter: reply.dieAfterEvents,
    headers,
  });
}

/** Formats one event the way Anthropic does: `event: NAME\ndata: JSON\n\n`. */
export function sseFrame(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

function statusForErrorType(type: string): number {
  const found = Object.entries(ERROR_TYPE_BY_STATUS).find(([, t]) => t === type);
  return found ? Number(found[0]) : 500;
}

function lastUserText(body: Partial<MessagesRequest>): string {
  const last = (body.messages ?? []).findLast((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content
    .map((b) => (b.type === 'text' && typeof b.text === 'string' ? b.text : ''))
    .join('');
}
