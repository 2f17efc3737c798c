/**
 * The provider adapter for one OpenAI Chat Completions upstream: the IR
 * through the shared codec, over the shared upstream client.
 */
import {
  DEFAULT_CAPABILITIES,
  LynkrError,
  decodeSSE,
  fromChatResponse,
  fromChatStream,
  isEventStream,
  messageStream,
  parseUpstreamJson,
  passThroughHeaders,
  prefetch,
  toChatRequest,
  upstreamBodyError,
  type Capabilities,
  type ChatChunk,
  type ChatResponse,
  type ModelInfo,
  type ProviderAdapter,
  type UpstreamClient,
  type UpstreamResponse,
  type UpstreamTimeouts,
} from '../../kernel/index.js';

/** One upstream, with its preset's defaults applied and its headers built. */
export interface ChatUpstream {
  id: string;
  /** baseUrl + path; may hold `{model}`. */
  url: string;
  /** Headers sent on every request: auth and the entry's own, lower-cased. */
  headers: Record<string, string>;
  model: string | undefined;
  models: readonly string[];
  sendModel: boolean;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  capabilities: Partial<Capabilities> | undefined;
  timeouts: Partial<UpstreamTimeouts> | undefined;
}

const MODEL = '{model}';

/** The adapter for one upstream; every request goes through `client`. */
export function chatProvider(upstream: ChatUpstream, client: UpstreamClient): ProviderAdapter {
  const { id, timeouts } = upstream;
  const capabilities: Readonly<Capabilities> = Object.freeze({ ...DEFAULT_CAPABILITIES, ...upstream.capabilities });
  // Parsed once: only a `{model}` path (Databricks) varies per request.
  const fixedUrl = upstream.url.includes(MODEL) ? undefined : new URL(upstream.url);
  const streamHeaders = { ...upstream.headers, 'content-type': 'application/json', accept: 'text/event-stream' };
  const jsonHeaders = { ...upstream.headers, 'content-type': 'application/json', accept: 'application/json' };
  const listed: ModelInfo[] = [...new Set([upstream.model, ...upstream.models].filter((m): m is string => !!m))].map((m) => ({
    id: m,
    provider: id,
  }));

  return {
    id,
    wire: 'openai-chat',
    defaultModel: upstream.model,
    models: () => listed,
    capabilities: () => capabilities,
    async invoke({ request, decision, exchange }) {
      const model = decision.model || upstream.model || '';
      const stream = request.stream === true;
      const body = toChatRequest(request, {
        model,
        stream,
        includeModel: upstream.sendModel,
        maxOutputTokens: capabilities.maxOutputTokens,
        maxTokensField: upstream.maxTokensField,
      });
      const res = await client.fetch({
        url: fixedUrl ?? upstream.url.replace(MODEL, encodeURIComponent(model)),
        headers: stream ? streamHeaders : jsonHeaders,
        body: JSON.stringify(body),
        abort: exchange,
        timeouts,
        label: id,
      });
      const headers = passThroughHeaders(res.headers);
      // A server that ignores `stream: true` answers JSON: still a valid answer.
      if (stream && isEventStream(res.headers)) return { events: await prefetch(fromChatStream(chatChunks(res, id), { model })), headers };
      const answer = fromChatResponse(chatResponse(await res.json(), id), { model });
      return { events: messageStream(answer), headers };
    },
  };
}

/**
 * The chunks of an SSE body, parsed as they arrive. `[DONE]` ends them; an
 * error object inside the stream (vLLM, OpenRouter) fails them with the
 * upstream's message; a body that ends with neither `[DONE]` nor a finish
 * reason was cut, and fails as DISCONNECTED rather than pass for a whole
 * answer.
 */
async function* chatChunks(res: UpstreamResponse, label: string): AsyncGenerator<ChatChunk> {
  let finished = false;
  for await (const frame of decodeSSE(res.body)) {
    if (frame.data === '[DONE]') {
      res.release();
      return;
    }
    if (frame.data === '') continue;
    const chunk = parseUpstreamJson(frame.data, label) as ChatChunk;
    if (chunk.error || frame.event === 'error') throw upstreamBodyError(label, chunk.error ? chunk : { error: chunk });
    if (chunk.choices?.some((c) => c.finish_reason)) finished = true;
    yield chunk;
  }
  if (!finished) {
    throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before [DONE] or a finish reason`);
  }
}

function chatResponse(body: unknown, label: string): ChatResponse {
  const b = body as Partial<ChatResponse> & { error?: unknown };
  if (Array.isArray(b?.choices)) return b as ChatResponse;
  // Some servers answer 200 with an error body.
  if (b?.error) throw upstreamBodyError(label, body);
  throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" answered without choices`, { detail: { body } });
}

