/**
 * The provider adapter for one Ollama server, on its native chat API
 * (`POST /api/chat`), over the kernel's upstream client.
 */
import {
  messageStream,
  passThroughHeaders,
  pickModel,
  resolveModel,
  prefetch,
  type Capabilities,
  type InvokeCall,
  type ModelInfo,
  type ModelMap,
  type ProviderAdapter,
  type UpstreamClient,
  type UpstreamTimeouts,
} from '../../kernel/index.js';
import { fromOllamaResponse } from './answer.js';
import { ollamaChunks, wholeAnswer } from './chunks.js';
import { toOllamaRequest } from './request.js';
import { fromOllamaStream } from './stream.js';
import type { OllamaThink } from './wire.js';

/** The adapter's settings, resolved from the options. */
export interface OllamaUpstream {
  id: string;
  /** The `/api/chat` endpoint. */
  url: URL;
  /** Sent on every request: the key and the configured headers, lower-cased. */
  headers: Readonly<Record<string, string>>;
  model: string;
  models: readonly string[];
  modelMap: ModelMap | undefined;
  capabilities: (model: string) => Capabilities;
  keepAlive: string | number | undefined;
  numCtx: number | undefined;
  think: OllamaThink | undefined;
  keepThinking: boolean;
  thinkingHistory: 'drop' | 'text';
  requestOptions: Readonly<Record<string, unknown>> | undefined;
  timeouts: Partial<UpstreamTimeouts> | undefined;
}

/** The adapter for one Ollama server; every request goes through `client`. */
export function ollamaAdapter(upstream: OllamaUpstream, client: UpstreamClient): ProviderAdapter {
  const { id, url, timeouts, capabilities } = upstream;
  const streamHeaders = { ...upstream.headers, 'content-type': 'application/json', accept: 'application/x-ndjson' };
  const jsonHeaders = { ...upstream.headers, 'content-type': 'application/json', accept: 'application/json' };
  const offered = new Set([upstream.model, ...upstream.models]);
  const listed: ModelInfo[] = [...offered].map((m) => ({ id: m, provider: id }));

  /**
   * The route's model as given; else a model this provider lists, when the
   * client asked for it by name; else the client's (Claude) name through
   * the model map; else the default model.
   */
  const modelFor = (call: InvokeCall): string => {
    if (!call.decision.model && offered.has(call.request.model)) return call.request.model;
    return pickModel(call, { map: upstream.modelMap, defaultModel: upstream.model });
  };

  return {
    id,
    wire: 'ollama',
    defaultModel: upstream.model,
    models: () => listed,
    resolveModel: (requested) => (offered.has(requested) ? requested : resolveModel(requested, { map: upstream.modelMap, defaultModel: upstream.model })),
    capabilities,
    async invoke(call) {
      const { request, exchange } = call;
      const model = modelFor(call);
      const stream = request.stream === true;
      const body = toOllamaRequest(request, {
        model,
        stream,
        maxOutputTokens: capabilities(model).maxOutputTokens,
        numCtx: upstream.numCtx,
        keepAlive: upstream.keepAlive,
        think: upstream.think,
        thinkingHistory: upstream.thinkingHistory,
        extraOptions: upstream.requestOptions,
      });
      const res = await client.fetch({
        url,
        headers: stream ? streamHeaders : jsonHeaders,
        body: JSON.stringify(body),
        abort: exchange,
        timeouts,
        label: id,
      });
      const headers = passThroughHeaders(res.headers);
      const decode = { model, keepThinking: upstream.keepThinking };
      if (stream && !isPlainJson(res.headers)) return { events: await prefetch(fromOllamaStream(ollamaChunks(res, id), decode)), headers };
      return { events: messageStream(fromOllamaResponse(wholeAnswer(await res.json(), id), decode)), headers };
    },
  };
}

/** `application/json` but not `application/x-ndjson`: a server or proxy that answered a stream request whole. */
function isPlainJson(headers: Readonly<Record<string, string>>): boolean {
  const type = headers['content-type']?.toLowerCase() ?? '';
  return type.includes('application/json');
}
