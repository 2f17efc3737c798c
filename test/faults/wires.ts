/**
 * The two upstream wire formats the fault table runs against, each a fake
 * and its provider plugin, scripted through one vocabulary of faults.
 */
import { once } from 'node:events';
import type http from 'node:http';
import type { PluginEntry } from '../../kernel/config/schema.js';
import type { StreamEvent } from '../../kernel/ir/types.js';
import {
  sseFrame,
  startFakeAnthropic,
  startFakeOpenAI,
  type AnthropicReply,
  type FakeServer,
  type OpenAIReply,
  type RawReply,
} from '../fakes/index.js';
import { SECRET, TIMEOUTS } from './harness.js';

/** Any reply of either fake; undefined gives the fake's echo. */
export type Reply = OpenAIReply | AnthropicReply | undefined;

export interface Wire {
  name: string;
  /** Starts the fake; `script` decides each chat/messages request's reply from whether it streams. */
  start(script: (stream: boolean) => Reply): Promise<FakeServer>;
  /** The provider plugin's entry, with SECRET as its key and the suite's timeouts. */
  provider(origin: string): PluginEntry;
  /** router-static's target. */
  target: string;
  error(status: number, message: string, headers?: Record<string, string>): Reply;
  /** The `type` this upstream's error bodies carry for a status: what an OpenAI client reads for a 4xx. */
  errorType(status: number): string;
  /** A 429 shaped as this upstream sends it. */
  rateLimited(retryAfter: string): Reply;
  /** What an OpenAI client reads as `type` and `code` of that 429 (an upstream's 4xx type and code pass through). */
  rateLimitSeenByOpenAI: { type: string; code: string };
  /** A few events (a stream) or half a JSON body, then silence with the socket open. */
  stall(stream: boolean): Reply;
  /** A few events (a stream) or half a JSON body, then the socket destroyed. */
  die(stream: boolean): Reply;
}

/** Never answers: the fake waits for the socket to close (the kernel's first-byte timeout) or for its own shutdown. */
export const silent: Reply = { delayMs: 600_000 };

/** Writes `head` (the start of a `status` response of `contentType`), then holds the socket open until the other side leaves. */
function stallAfter(contentType: string, head: string, declaredLength?: number): RawReply {
  return {
    raw: async (_req, res: http.ServerResponse, ctx) => {
      res.writeHead(200, { 'content-type': contentType, ...(declaredLength !== undefined && { 'content-length': String(declaredLength) }) });
      res.write(head);
      await once(ctx.signal, 'abort');
    },
  };
}

/** Half of `body`, sent as a JSON response that declares the whole length and never finishes. */
function stallJson(body: unknown): RawReply {
  const text = JSON.stringify(body);
  return stallAfter('application/json', text.slice(0, Math.floor(text.length / 2)), Buffer.byteLength(text));
}

const chatChunk = (delta: object): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-stall', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] })}\n\n`;

export const openaiChatWire: Wire = {
  name: 'openai-compatible',
  start: (script) => startFakeOpenAI({ apiKey: SECRET, script: (body) => script(body.stream === true) as OpenAIReply | undefined }),
  provider: (origin) => [
    'provider-openai-compatible',
    { custom: [{ id: 'up', baseUrl: `${origin}/v1`, apiKey: SECRET, model: 'up-model', timeouts: TIMEOUTS }] },
  ],
  target: 'up:up-model',
  error: (status, message, headers) => ({ status, error: { message }, ...(headers && { headers }) }),
  errorType: (status) => (status >= 500 ? 'server_error' : 'invalid_request_error'),
  // OpenAI's own 429: type names the limit, code says what happened.
  rateLimited: (retryAfter) => ({
    status: 429,
    error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' },
    headers: { 'retry-after': retryAfter },
  }),
  rateLimitSeenByOpenAI: { type: 'requests', code: 'rate_limit_exceeded' },
  stall: (stream) =>
    stream
      ? stallAfter('text/event-stream', chatChunk({ role: 'assistant', content: '' }) + chatChunk({ content: 'one ' }) + chatChunk({ content: 'two ' }))
      : stallJson({
          id: 'chatcmpl-stall',
          object: 'chat.completion',
          created: 1,
          model: 'up-model',
          choices: [{ index: 0, message: { role: 'assistant', content: 'one two three four' }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 },
        }),
  // Stream: the role chunk, "one ", "two ", then the socket goes. JSON: half the body.
  die: (stream) => ({ text: 'one two three four', dieAfterChunks: stream ? 3 : 1 }),
};

const message = {
  id: 'msg_stall',
  type: 'message' as const,
  role: 'assistant' as const,
  model: 'claude-up',
  content: [] as Array<{ type: 'text'; text: string }>,
  stop_reason: null,
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 0 },
};

const anthropicOpening: StreamEvent[] = [
  { type: 'message_start', message },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'one ' } },
  { type: 'ping' },
];

export const anthropicWire: Wire = {
  name: 'anthropic',
  start: (script) => startFakeAnthropic({ apiKey: SECRET, script: (body) => script(body.stream === true) as AnthropicReply | undefined }),
  provider: (origin) => ['provider-anthropic', { baseUrl: origin, apiKey: SECRET, model: 'claude-up', timeouts: TIMEOUTS }],
  target: 'anthropic:claude-up',
  error: (status, message, headers) => ({ status, error: { message }, ...(headers && { headers }) }),
  errorType: (status) => ({ 401: 'authentication_error', 429: 'rate_limit_error', 529: 'overloaded_error' })[status] ?? 'api_error',
  rateLimited: (retryAfter) => ({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': retryAfter } }),
  // Anthropic's type passes through to OpenAI clients (a 4xx type); Anthropic bodies carry no code, so Lynkr's names the error.
  rateLimitSeenByOpenAI: { type: 'rate_limit_error', code: 'LYNKR_ERR_UPSTREAM_HTTP' },
  stall: (stream) =>
    stream
      ? stallAfter('text/event-stream', anthropicOpening.map(sseFrame).join(''))
      : stallJson({ ...message, content: [{ type: 'text', text: 'one two three four' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 4 } }),
  // Stream: message_start, ping, content_block_start, the "one " delta, then the socket goes. JSON: half the body.
  die: (stream) => ({ text: 'one two three four', dieAfterEvents: stream ? 4 : 1 }),
};

/** A status line and part of the headers, then the socket destroyed: the response never gets past its head. */
export const resetMidHeaders: RawReply = {
  raw: (_req, res) => {
    const socket = res.socket;
    if (!socket) return;
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-enc', () => socket.destroy());
  },
};

/** Whole headers of a 200 (chunked stream or JSON), then the socket destroyed before any of the body. */
export function headersThenDie(stream: boolean): RawReply {
  const head = stream
    ? 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'
    : 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n';
  return {
    raw: (_req, res) => {
      const socket = res.socket;
      if (!socket) return;
      socket.write(head, () => socket.destroy());
    },
  };
}
