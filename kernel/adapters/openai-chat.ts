/**
 * An OpenAI Chat Completions upstream as a provider adapter: the IR through
 * the shared codec, over the shared upstream client. Shared by every
 * provider that speaks the wire: OpenAI, OpenRouter, llama.cpp, LM Studio,
 * Databricks, Azure OpenAI, Moonshot, Z.ai's OpenAI endpoint.
 */
import { fromChatResponse } from '../codecs/openai-chat/response.js';
import { fromChatStream } from '../codecs/openai-chat/stream.js';
import { toChatRequest } from '../codecs/openai-chat/request.js';
import type { ChatChunk, ChatResponse } from '../codecs/openai-chat/types.js';
import { LynkrError } from '../errors.js';
import { decodeSSE } from '../ir/sse.js';
import { messageStream } from '../ir/stream.js';
import type { InvokeCall, MaybePromise } from '../pipeline/types.js';
import { pickModel, resolveModel, type ModelMap } from '../providers/models.js';
import { capabilitiesFor, endpointFor, jsonApiHeaders, listedModels } from './common.js';
import type { Capabilities, ProviderAdapter } from '../providers/types.js';
import type { UpstreamClient, UpstreamResponse, UpstreamTimeouts } from '../upstream/client.js';
import { parseUpstreamJson, upstreamBodyError } from '../upstream/errors.js';
import { isEventStream, passThroughHeaders } from '../upstream/headers.js';
import { prefetch } from '../upstream/stream.js';

/** @public */
export interface ChatAdapterSettings {
  id: string;
  /** The endpoint; `{model}` is replaced by the model (Databricks serving endpoints, Azure deployments). */
  url: string;
  /** Sent on every request: auth and the configured headers, lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** Headers computed per request: the result is merged over the request's headers, which it may also edit in place (a token that expires). */
  auth?: (call: InvokeCall, headers: Record<string, string>) => MaybePromise<Record<string, string> | void>;
  model?: string;
  models?: readonly string[];
  /** Claude names the client asks for → this upstream's names, when the route names no model. */
  modelMap?: ModelMap;
  /** Send the `model` field (llama.cpp and LM Studio serve the model they loaded). */
  sendModel?: boolean;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Over DEFAULT_CAPABILITIES; a function for providers whose models differ. */
  capabilities?: Partial<Capabilities> | ((model: string) => Capabilities);
  timeouts?: Partial<UpstreamTimeouts>;
  /** The last change to the body before it is serialised (pinned sampling, provider-only fields). */
  body?: (body: Record<string, unknown>, model: string) => Record<string, unknown>;
}

/** The adapter for one upstream; every request goes through `client`. @public */
export function openaiChatAdapter(settings: ChatAdapterSettings, client: UpstreamClient): ProviderAdapter {
  const { id, timeouts, auth } = settings;
  const capabilitiesOf = capabilitiesFor(settings.capabilities);
  const endpoint = endpointFor(settings.url);
  const headersFor = jsonApiHeaders(settings.headers);
  const listed = listedModels(id, settings.model, settings.models);

  return {
    id,
    wire: 'openai-chat',
    defaultModel: settings.model,
    models: () => listed,
    resolveModel: (requested) => resolveModel(requested, { map: settings.modelMap, defaultModel: settings.model }),
    capabilities: capabilitiesOf,
    async invoke(call) {
      const { request, exchange } = call;
      // Without a route model, map, or default, the client's name is all there is; a server that ignores `model` takes it fine.
      const model = pickModel(call, { map: settings.modelMap, defaultModel: settings.model });
      const stream = request.stream === true;
      let body: Record<string, unknown> = toChatRequest(request, {
        model,
        stream,
        includeModel: settings.sendModel !== false,
        maxOutputTokens: capabilitiesOf(model).maxOutputTokens,
        maxTokensField: settings.maxTokensField ?? 'max_tokens',
      }) as unknown as Record<string, unknown>;
      if (settings.body) body = settings.body(body, model);
      const base = stream ? headersFor.stream : headersFor.whole;
      let headers = base;
      if (auth) {
        headers = { ...base };
        Object.assign(headers, await auth(call, headers));
      }
      const res = await client.fetch({
        url: endpoint(model),
        headers,
        body: JSON.stringify(body),
        abort: exchange,
        timeouts,
        label: id,
      });
      const answerHeaders = passThroughHeaders(res.headers);
      // A server that ignores `stream: true` answers JSON: still a valid answer.
      if (stream && isEventStream(res.headers)) return { events: await prefetch(fromChatStream(chatChunks(res, id, headers), { model })), headers: answerHeaders };
      const answer = fromChatResponse(chatResponse(await res.json(), id, headers), { model });
      return { events: messageStream(answer), headers: answerHeaders };
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
async function* chatChunks(res: UpstreamResponse, label: string, sent: Readonly<Record<string, string>>): AsyncGenerator<ChatChunk> {
  let finished = false;
  for await (const frame of decodeSSE(res.body)) {
    if (frame.data === '[DONE]') {
      res.release();
      return;
    }
    if (frame.data === '') continue;
    const chunk = parseUpstreamJson(frame.data, label) as ChatChunk;
    if (chunk.error || frame.event === 'error') throw upstreamBodyError(label, chunk.error ? chunk : { error: chunk }, sent);
    if (chunk.choices?.some((c) => c.finish_reason)) finished = true;
    yield chunk;
  }
  if (!finished) {
    throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before [DONE] or a finish reason`);
  }
}

function chatResponse(body: unknown, label: string, sent: Readonly<Record<string, string>>): ChatResponse {
  const b = body as Partial<ChatResponse> & { error?: unknown };
  if (Array.isArray(b?.choices)) return b as ChatResponse;
  // Some servers answer 200 with an error body.
  if (b?.error) throw upstreamBodyError(label, body, sent);
  throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" answered without choices`, { detail: { body } });
}
