/**
 * A fake OpenAI Responses upstream (`POST …/responses`: OpenAI's
 * `/v1/responses`, Azure OpenAI's `/openai/v1/responses` and
 * `/openai/responses?api-version=…`). Streams are typed SSE events, each
 * `event: <type>` with its `sequence_number`, in the order OpenAI sends
 * them, so that the official SDK's accumulator reads them (see
 * openai-responses.test.ts). Tests script it with a queue of replies; with
 * nothing queued it echoes the last user text.
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

export interface ResponsesUsageSpec {
  /** All input tokens, cached ones included, as OpenAI counts them. */
  input: number;
  output: number;
  /** Sent as `input_tokens_details.cached_tokens`. */
  cached?: number;
  reasoning?: number;
}

export interface ResponsesFunctionCallSpec {
  /** `call_fake<n>_<i>` by default. */
  callId?: string;
  name: string;
  /** Streamed in pieces; `''` sends no delta at all, as OpenAI does for calls without parameters. */
  arguments: string;
}

/**
 * A successful answer: output items in the order reasoning, message,
 * function calls. With none of them given, the text is the echo of the last
 * user message.
 */
export interface ResponsesContentReply extends ReplyTiming {
  /** A string is split into word deltas; an array gives the exact deltas. */
  text?: string | string[];
  /** A reasoning item: its summary streams; `encrypted` is sent when the request includes `reasoning.encrypted_content`. */
  reasoning?: { summary: string; encrypted?: string };
  functionCalls?: ResponsesFunctionCallSpec[];
  /** `incomplete` ends with `response.incomplete` and `incomplete_details.reason`. */
  incomplete?: 'max_output_tokens' | 'content_filter';
  usage?: ResponsesUsageSpec;
  /** Stream: write this many SSE frames, then destroy the socket. JSON: die halfway through the body. */
  dieAfterEvents?: number;
  /**
   * Stream: after `afterEvents` frames (default: through the first delta)
   * end with a failure, as a `response.failed` event (default) or a bare
   * `error` event. JSON: a `Response` whose status is `failed`.
   */
  fail?: { code: string; message: string; afterEvents?: number; as?: 'response.failed' | 'error' };
  headers?: Record<string, string>;
}

export interface ResponsesErrorReply extends ReplyTiming {
  status: number;
  error: { message: string; type?: string; code?: string | null; param?: string | null };
  headers?: Record<string, string>;
}

export type ResponsesReply = ResponsesContentReply | ResponsesErrorReply | RawReply;

export interface FakeResponsesOptions {
  /** When set, requests need `Authorization: Bearer <apiKey>` or `api-key: <apiKey>` (Azure), else 401. */
  apiKey?: string;
  /** Decides the reply from the request when the queue is empty; undefined gives the default echo. */
  script?: (body: Record<string, unknown>) => ResponsesReply | undefined;
}

export interface FakeResponses extends FakeServer {
  enqueue(...replies: ResponsesReply[]): void;
  /** Replies queued and not yet served. */
  readonly pending: number;
}

export const DEFAULT_RESPONSES_USAGE: ResponsesUsageSpec = { input: 10, output: 5 };

type Json = Record<string, unknown>;

interface RequestBody {
  model?: unknown;
  stream?: unknown;
  input?: unknown;
  instructions?: unknown;
  include?: unknown;
  [extra: string]: unknown;
}

export async function startFakeResponses(options: FakeResponsesOptions = {}): Promise<FakeResponses> {
  const queue: ResponsesReply[] = [];
  let served = 0;

  const server = await startFake(async (req, res, ctx) => {
    const pathname = req.path.split('?')[0] ?? '';
    const key = options.apiKey;
    if (key !== undefined && req.headers.authorization !== `Bearer ${key}` && req.headers['api-key'] !== key) {
      return sendJson(res, 401, errorBody({ message: 'Incorrect API key provided.', code: 'invalid_api_key' }, 401));
    }
    if (req.method !== 'POST' || !pathname.endsWith('/responses')) {
      return sendJson(res, 404, errorBody({ message: `fake: no route ${req.method} ${pathname}` }, 404));
    }
    if (typeof req.json !== 'object' || req.json === null) {
      return sendJson(res, 400, errorBody({ message: 'fake: request body is not a JSON object' }, 400));
    }
    served += 1;
    const body = req.json as RequestBody;
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

/** Builds the events of one answer, numbering them as they are added. */
class EventLog {
  readonly events: Json[] = [];
  add(type: string, fields: Json): void {
    this.events.push({ type, sequence_number: this.events.length, ...fields });
  }
}

async function answer(reply: ResponsesReply, body: RequestBody, n: number, req: RecordedRequest, res: http.ServerResponse, ctx: FakeContext): Promise<void> {
  await pause(reply.delayMs, ctx.signal);
  if ('raw' in reply) return reply.raw(req, res, ctx);
  const headers = { 'x-request-id': `req_fake${n}`, ...reply.headers };
  if ('status' in reply) return sendJson(res, reply.status, errorBody(reply.error, reply.status), headers);

  const noContent = [reply.text, reply.reasoning, reply.functionCalls].every((x) => x === undefined);
  const textDeltas = noContent ? [`echo: ${lastUserText(body)}`] : reply.text === undefined ? [] : splitText(reply.text);
  const calls = (reply.functionCalls ?? []).map((c, i) => ({ ...c, callId: c.callId ?? `call_fake${n}_${i}` }));
  const encrypted = Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');

  // The finished items, in output order; the stream builds each one up from an empty copy.
  const output: Json[] = [];
  if (reply.reasoning) {
    output.push({
      type: 'reasoning',
      id: `rs_fake${n}`,
      summary: [{ type: 'summary_text', text: reply.reasoning.summary }],
      ...(encrypted && reply.reasoning.encrypted !== undefined && { encrypted_content: reply.reasoning.encrypted }),
    });
  }
  if (textDeltas.length > 0) {
    output.push({ type: 'message', id: `msg_fake${n}`, status: 'completed', role: 'assistant', content: [textPart(textDeltas.join(''))] });
  }
  calls.forEach((c, i) => output.push({ type: 'function_call', id: `fc_fake${n}_${i}`, call_id: c.callId, name: c.name, arguments: c.arguments, status: 'completed' }));

  const u = reply.usage ?? DEFAULT_RESPONSES_USAGE;
  const usage = {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached ?? 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.input + u.output,
  };
  const envelope = (status: string, extra: Json = {}): Json => ({
    id: `resp_fake${n}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: typeof body.model === 'string' ? body.model : 'fake-model',
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  });
  const final = reply.incomplete
    ? envelope('incomplete', { output, usage, incomplete_details: { reason: reply.incomplete } })
    : envelope('completed', { output, usage });

  if (body.stream !== true) {
    if (reply.fail) return sendJson(res, 200, envelope('failed', { error: { code: reply.fail.code, message: reply.fail.message } }), headers);
    if (reply.dieAfterEvents !== undefined) return sendJsonThenDie(res, final, headers);
    return sendJson(res, 200, final, headers);
  }

  const log = new EventLog();
  log.add('response.created', { response: envelope('in_progress') });
  log.add('response.in_progress', { response: envelope('in_progress') });
  output.forEach((item, output_index) => {
    const at = { item_id: item.id, output_index };
    switch (item.type) {
      case 'reasoning': {
        const summary = (item.summary as Array<{ text: string }>)[0]!.text;
        log.add('response.output_item.added', { output_index, item: { type: 'reasoning', id: item.id, summary: [] } });
        log.add('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
        for (const delta of splitText(summary)) log.add('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta });
        log.add('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: summary });
        log.add('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { type: 'summary_text', text: summary } });
        break;
      }
      case 'message': {
        const text = textDeltas.join('');
        log.add('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
        log.add('response.content_part.added', { ...at, content_index: 0, part: textPart('') });
        for (const delta of textDeltas) log.add('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
        log.add('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] });
        log.add('response.content_part.done', { ...at, content_index: 0, part: textPart(text) });
        break;
      }
      case 'function_call': {
        const args = item.arguments as string;
        log.add('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
        if (args !== '') for (const delta of splitPieces(args)) log.add('response.function_call_arguments.delta', { ...at, delta });
        log.add('response.function_call_arguments.done', { ...at, name: item.name, arguments: args });
        break;
      }
    }
    log.add('response.output_item.done', { output_index, item });
  });
  log.add(reply.incomplete ? 'response.incomplete' : 'response.completed', { response: final });

  let events = log.events;
  if (reply.fail) {
    const { code, message, afterEvents, as } = reply.fail;
    const cut = afterEvents ?? events.findIndex((e) => String(e.type).endsWith('.delta')) + 1;
    events = events.slice(0, cut > 0 ? cut : 2);
    const sequence_number = events.length;
    events.push(
      as === 'error'
        ? { type: 'error', sequence_number, code, message, param: null }
        : { type: 'response.failed', sequence_number, response: envelope('failed', { error: { code, message } }) },
    );
  }
  await streamFrames(res, events.map(eventFrame), { signal: ctx.signal, chunkDelayMs: reply.chunkDelayMs, dieAfter: reply.dieAfterEvents, headers });
}

/** One event the way OpenAI frames it: `event: <type>\ndata: <json>\n\n`. */
export function eventFrame(event: Json): string {
  return `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

function textPart(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function errorBody(e: ResponsesErrorReply['error'], status: number) {
  return {
    error: {
      message: e.message,
      type: e.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: e.param ?? null,
      code: e.code ?? null,
    },
  };
}

/** The text of the last user message: a string input, or the input_text parts of the last user item. */
function lastUserText(body: RequestBody): string {
  if (typeof body.input === 'string') return body.input;
  if (!Array.isArray(body.input)) return '';
  const last = (body.input as Array<{ role?: unknown; content?: unknown }>).findLast((item) => item.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return (last.content as Array<{ type?: unknown; text?: unknown }>)
    .filter((p) => p.type === 'input_text' && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('');
}
