/**
 * An OpenAI Responses upstream as a provider adapter: the IR through the
 * Responses codec's upstream direction, over the shared upstream client.
 * For models that speak only this API (Azure OpenAI's codex and pro
 * deployments, OpenAI's `*-pro` and codex models). Stateless: every call
 * sends the whole history with `store: false`, so nothing is kept upstream
 * and `previous_response_id` is never needed.
 */
import { RESPONSES_FAMILY } from '../codecs/openai-responses/reasoning.js';
import { fromResponsesUpstreamResponse, fromResponsesUpstreamStream, toResponsesUpstreamRequest } from '../codecs/openai-responses/upstream.js';
import { decodeSSE } from '../ir/sse.js';
import { messageStream } from '../ir/stream.js';
import type { InvokeCall, MaybePromise } from '../pipeline/types.js';
import { pickModel, resolveModel, type ModelMap } from '../providers/models.js';
import { capabilitiesFor, endpointFor, jsonApiHeaders, listedModels } from './common.js';
import type { Capabilities, ProviderAdapter } from '../providers/types.js';
import type { UpstreamClient, UpstreamTimeouts } from '../upstream/client.js';
import { isEventStream, passThroughHeaders } from '../upstream/headers.js';
import { prefetch } from '../upstream/stream.js';

/** @public */
export interface ResponsesAdapterSettings {
  id: string;
  /** The endpoint (`…/v1/responses`); `{model}` is replaced by the model, for gateways that put it in the path. */
  url: string;
  /** Sent on every request: auth and the configured headers, lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** Headers computed per request, merged over `headers` (a token that expires). */
  auth?: (call: InvokeCall) => MaybePromise<Record<string, string>>;
  model?: string;
  models?: readonly string[];
  /** Claude names the client asks for → this upstream's names, when the route names no model. */
  modelMap?: ModelMap;
  /** Over DEFAULT_CAPABILITIES; a function for providers whose models differ. `max_output_tokens` is clamped to `maxOutputTokens`. */
  capabilities?: Partial<Capabilities> | ((model: string) => Capabilities);
  timeouts?: Partial<UpstreamTimeouts>;
  /**
   * Round-trip reasoning: answers' reasoning items become thinking blocks
   * (summary as text, `encrypted_content` as signature), and thinking
   * blocks with a signature go back as reasoning items. Off by default: a
   * client that later sends those blocks to another family (Anthropic)
   * would have them refused, so only turn it on for clients that keep to
   * this upstream or go through a front door that sorts reasoning by
   * family (the Responses one does).
   */
  keepReasoning?: boolean;
  /** The last change to the body before it is serialised (reasoning effort, provider-only fields). */
  body?: (body: Record<string, unknown>, model: string) => Record<string, unknown>;
}

/** The adapter for one Responses upstream; every request goes through `client`. @public */
export function openaiResponsesAdapter(settings: ResponsesAdapterSettings, client: UpstreamClient): ProviderAdapter {
  const { id, timeouts, auth } = settings;
  const keepReasoning = settings.keepReasoning === true;
  const capabilitiesOf = capabilitiesFor(settings.capabilities);
  const endpoint = endpointFor(settings.url);
  const headersFor = jsonApiHeaders(settings.headers);
  const listed = listedModels(id, settings.model, settings.models);

  return {
    id,
    wire: RESPONSES_FAMILY,
    defaultModel: settings.model,
    models: () => listed,
    resolveModel: (requested) => resolveModel(requested, { map: settings.modelMap, defaultModel: settings.model }),
    capabilities: capabilitiesOf,
    async invoke(call) {
      const { request, exchange } = call;
      const model = pickModel(call, { map: settings.modelMap, defaultModel: settings.model });
      const stream = request.stream === true;
      let body: Record<string, unknown> = toResponsesUpstreamRequest(request, {
        model,
        stream,
        maxOutputTokens: capabilitiesOf(model).maxOutputTokens,
        thinking: keepReasoning ? 'reasoning' : 'drop',
      });
      if (settings.body) body = settings.body(body, model);
      const base = stream ? headersFor.stream : headersFor.whole;
      const headers = auth ? { ...base, ...(await auth(call)) } : base;
      const res = await client.fetch({
        url: endpoint(model),
        headers,
        body: JSON.stringify(body),
        abort: exchange,
        timeouts,
        label: id,
      });
      const answerHeaders = passThroughHeaders(res.headers);
      const read = { label: id, model, keepReasoning };
      // A server that ignores `stream: true` answers JSON: still a valid answer.
      if (stream && isEventStream(res.headers)) {
        return { events: await prefetch(fromResponsesUpstreamStream(decodeSSE(res.body), { ...read, release: () => res.release() })), headers: answerHeaders };
      }
      return { events: messageStream(fromResponsesUpstreamResponse(await res.json(), read)), headers: answerHeaders };
    },
  };
}
