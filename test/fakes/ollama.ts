/**
 * A fake Ollama server on its native API: `POST /api/chat` (NDJSON streams
 * written line by line, or one JSON answer), `GET /api/tags`,
 * `GET /api/version`. Lines can be cut across writes, the last newline left
 * off, the socket killed mid-stream, an `{"error"}` line sent mid-stream.
 * With `models` set it answers a chat for any other model with Ollama's own
 * 404. Tests script it with a queue of replies; with nothing queued it
 * echoes the last user message.
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

export interface OllamaUsageSpec {
  /** `prompt_eval_count`. */
  prompt: number;
  /** `eval_count`. */
  eval: number;
}

export interface OllamaToolCallSpec {
  name: string;
  arguments: Record<string, unknown>;
  /** Newer Ollama versions give their calls ids; older ones none (the default here). */
  id?: string;
}

export interface OllamaAnswerReply extends ReplyTiming {
  /**
   * A string is split into word deltas; an array gives the exact deltas.
   * Left out, and with neither tool calls nor thinking, the text is the
   * echo of the last user message.
   */
  text?: string | string[];
  /** Sent as `message.thinking` deltas before the text. */
  thinking?: string | string[];
  toolCalls?: OllamaToolCallSpec[];
  /** Stream: every call in one chunk. By default each call comes in its own chunk. */
  groupToolCalls?: boolean;
  /** Default `stop`. */
  doneReason?: string;
  usage?: OllamaUsageSpec;
  /** Stream: cut every line into this many writes. */
  splitLines?: number;
  /** Stream: leave the newline off the last line. */
  noFinalNewline?: boolean;
  /** Stream: write this many lines, then destroy the socket. JSON: die halfway through the body. */
  dieAfterLines?: number;
  /** Stream: write `after` lines, then an `{"error": message}` line, and end the body. */
  errorAfterLines?: { after: number; message: string };
  /** Stream: end the body cleanly, but without the `done` line. */
  omitDone?: boolean;
  headers?: Record<string, string>;
}

/** Ollama's error shape: `{"error": "..."}` with the status. */
export interface OllamaErrorReply extends ReplyTiming {
  status: number;
  error: string;
  headers?: Record<string, string>;
}

export type OllamaReply = OllamaAnswerReply | OllamaErrorReply | RawReply;

export interface FakeOllamaOptions {
  /**
   * The models the server has: `/api/tags` lists them, and a chat naming any
   * other gets Ollama's 404 "model not found". Left out, every model is
   * accepted and `/api/tags` lists `fake-model`.
   */
  models?: string[];
  /** Decides the reply from the request when the queue is empty; undefined gives the echo. */
  script?: (body: Record<string, unknown>) => OllamaReply | undefined;
}

export interface FakeOllama extends FakeServer {
  enqueue(...replies: OllamaReply[]): void;
  /** Replies queued and not yet served. */
  readonly pending: number;
}

export const DEFAULT_OLLAMA_USAGE: OllamaUsageSpec = { prompt: 10, eval: 5 };

interface ChatBody {
  model?: unknown;
  stream?: unknown;
  messages?: unknown;
}

const NDJSON = 'application/x-ndjson';

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const queue: OllamaReply[] = [];
  const server = await startFake(async (req, res, ctx) => {
    const pathname = req.path.split('?')[0] ?? '';
    if (req.method === 'GET' && pathname === '/api/tags') return sendJson(res, 200, { models: (options.models ?? ['fake-model']).map(tag) });
    if (req.method === 'GET' && pathname === '/api/version') return sendJson(res, 200, { version: '0.12.6' });
    if (req.method !== 'POST' || pathname !== '/api/chat') {
      // Ollama's router (gin) answers unknown routes in plain text.
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    const body = req.json as ChatBody | undefined;
    if (typeof body !== 'object' || body === null) return sendJson(res, 400, { error: 'invalid request body' });
    if (typeof body.model !== 'string' || body.model === '') return sendJson(res, 400, { error: 'model is required' });
    if (options.models && !options.models.includes(body.model)) {
      return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    }
    const reply = queue.shift() ?? options.script?.(body as Record<string, unknown>) ?? {};
    await answer(reply, body, res, ctx, req);
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
  reply: OllamaReply,
  body: ChatBody,
  res: http.ServerResponse,
  ctx: FakeContext,
  req: RecordedRequest,
): Promise<void> {
  await pause(reply.delayMs, ctx.signal);
  if ('raw' in reply) return reply.raw(req, res, ctx);
  if ('status' in reply) return sendJson(res, reply.status, { error: reply.error }, reply.headers);

  const model = body.model as string;
  const calls = reply.toolCalls ?? [];
  const textSpec = reply.text ?? (calls.length === 0 && reply.thinking === undefined ? `echo: ${lastUserText(body)}` : undefined);
  const text = textSpec === undefined ? [] : splitText(textSpec);
  const thinking = reply.thinking === undefined ? [] : splitText(reply.thinking);
  const final = doneChunk(model, reply);

  // Ollama streams unless the request says `stream: false`.
  if (body.stream === false) {
    const message: Record<string, unknown> = { role: 'assistant', content: text.join('') };
    if (thinking.length > 0) message.thinking = thinking.join('');
    if (calls.length > 0) message.tool_calls = calls.map(toolCall);
    const whole = { ...final, message };
    if (reply.dieAfterLines !== undefined) return sendJsonThenDie(res, whole, reply.headers);
    return sendJson(res, 200, whole, reply.headers);
  }

  const lines: object[] = [
    ...thinking.map((piece) => chunk(model, { thinking: piece })),
    ...text.map((piece) => chunk(model, { content: piece })),
    ...(reply.groupToolCalls ? [chunk(model, { tool_calls: calls.map(toolCall) })] : calls.map((c, i) => chunk(model, { tool_calls: [toolCall(c, i)] }))),
  ];
  let texts = lines.map((line) => `${JSON.stringify(line)}\n`);
  if (reply.errorAfterLines) texts = [...texts.slice(0, reply.errorAfterLines.after), `${JSON.stringify({ error: reply.errorAfterLines.message })}\n`];
  else if (!reply.omitDone) texts.push(`${JSON.stringify(final)}\n`);
  const last = texts.length - 1;
  if (reply.noFinalNewline && last >= 0) texts[last] = (texts[last] as string).slice(0, -1);

  const perLine = texts.map((line) => (reply.splitLines ? splitPieces(line, reply.splitLines) : [line]));
  const kept = reply.dieAfterLines === undefined ? perLine : perLine.slice(0, reply.dieAfterLines);
  const frames = kept.flat();
  await streamFrames(res, frames, {
    signal: ctx.signal,
    chunkDelayMs: reply.chunkDelayMs,
    contentType: NDJSON,
    dieAfter: reply.dieAfterLines === undefined ? undefined : frames.length,
    ...(reply.headers && { headers: reply.headers }),
  });
}

function chunk(model: string, message: Record<string, unknown>) {
  return { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '', ...message }, done: false };
}

function doneChunk(model: string, reply: OllamaAnswerReply) {
  const usage = reply.usage ?? DEFAULT_OLLAMA_USAGE;
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: reply.doneReason ?? 'stop',
    total_duration: 1_200_000_000,
    load_duration: 40_000_000,
    prompt_eval_count: usage.prompt,
    prompt_eval_duration: 300_000_000,
    eval_count: usage.eval,
    eval_duration: 800_000_000,
  };
}

function toolCall(call: OllamaToolCallSpec, index: number) {
  return { ...(call.id !== undefined && { id: call.id }), function: { index, name: call.name, arguments: call.arguments } };
}

function tag(name: string) {
  return {
    name,
    model: name,
    modified_at: '2025-01-01T00:00:00Z',
    size: 4_683_087_332,
    digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
    details: { format: 'gguf', family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
  };
}

function lastUserText(body: ChatBody): string {
  if (!Array.isArray(body.messages)) return '';
  const last = (body.messages as Array<{ role?: unknown; content?: unknown }>).findLast((m) => m.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}
