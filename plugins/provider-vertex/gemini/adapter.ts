/**
 * A Gemini `generateContent` upstream: Vertex AI's `publishers/google`
 * models with a Google access token, or the Gemini API with an API key. The
 * caller (../adapter.ts) has picked the model and knows the endpoint.
 */
import {
  decodeSSE,
  isEventStream,
  LynkrError,
  parseUpstreamJson,
  passThroughHeaders,
  prefetch,
  upstreamBodyError,
  type InvokeCall,
  type InvokeResult,
  type StreamEvent,
  type UpstreamClient,
  type UpstreamResponse,
  type UpstreamTimeouts,
} from '../../../kernel/index.js';
import { toGeminiRequest } from './request.js';
import type { ThoughtSignatures } from './signatures.js';
import { fromGeminiStream, type FromGeminiOptions } from './stream.js';
import type { GeminiResponse } from './types.js';

export interface GeminiCallSettings {
  /** The provider id: names the upstream in errors. */
  id: string;
  client: UpstreamClient;
  /** The endpoint for a model: `:generateContent`, or `:streamGenerateContent?alt=sse`. */
  url(model: string, stream: boolean): URL;
  /** The credential and configured headers for one request. */
  headers(call: InvokeCall): Promise<Record<string, string>>;
  maxOutputTokens(model: string): number;
  thinkingBudget(model: string): { min: number; max: number } | undefined;
  signatures: ThoughtSignatures;
  timeouts?: Partial<UpstreamTimeouts>;
}

/** Call Gemini for `model` and answer in IR events. */
export async function invokeGemini(settings: GeminiCallSettings, call: InvokeCall, model: string): Promise<InvokeResult> {
  const { request, exchange } = call;
  const { id, signatures } = settings;
  const stream = request.stream === true;
  const body = toGeminiRequest(request, {
    model,
    maxOutputTokens: settings.maxOutputTokens(model),
    thinkingBudget: settings.thinkingBudget(model),
    signatures,
  });
  const headers = { ...(await settings.headers(call)), 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  const res = await settings.client.fetch({ url: settings.url(model, stream), headers, body: JSON.stringify(body), abort: exchange, timeouts: settings.timeouts, label: id });
  const answerHeaders = passThroughHeaders(res.headers);
  const opts: FromGeminiOptions = { model, signatures, warn: (message: string, detail: Record<string, unknown>) => exchange.log.warn({ provider: id, model, ...detail }, message) };
  if (stream && isEventStream(res.headers)) return { events: await prefetch(fromGeminiStream(geminiChunks(res, id), opts)), headers: answerHeaders };
  return { events: messageOf(await res.json(), id, opts), headers: answerHeaders };
}

/**
 * The chunks of an SSE body, parsed as they arrive. Gemini ends a stream by
 * closing it after a chunk with a finish reason (there is no `[DONE]`), so a
 * body that ends before one was cut, and fails as DISCONNECTED rather than
 * pass for a whole answer. An `error` object in place of a chunk fails with
 * its status.
 */
async function* geminiChunks(res: UpstreamResponse, label: string): AsyncGenerator<GeminiResponse> {
  let finished = false;
  for await (const frame of decodeSSE(res.body)) {
    if (frame.data === '') continue;
    const chunk = parseUpstreamJson(frame.data, label) as GeminiResponse;
    if (chunk.error) throw upstreamBodyError(label, chunk);
    if (chunk.candidates?.some((c) => c.finishReason) || chunk.promptFeedback?.blockReason) finished = true;
    yield chunk;
  }
  if (!finished) throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before a finish reason`);
}

/**
 * A JSON answer. A streaming endpoint asked without `alt=sse` answers a JSON
 * array of chunks: taken as well, in case a proxy in between drops the query.
 */
function messageOf(body: unknown, label: string, opts: FromGeminiOptions): AsyncIterable<StreamEvent> {
  const chunks = (Array.isArray(body) ? body : [body]) as Array<GeminiResponse | null>;
  for (const chunk of chunks) {
    if (chunk?.error) throw upstreamBodyError(label, chunk);
    if (typeof chunk !== 'object' || chunk === null || (!Array.isArray(chunk.candidates) && !chunk.promptFeedback)) {
      throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" answered something that is not a Gemini response`, { detail: { body } });
    }
  }
  if (chunks.length === 0) throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" answered an empty list`, { detail: { body } });
  return fromGeminiStream(fromArray(chunks as GeminiResponse[]), opts);
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
