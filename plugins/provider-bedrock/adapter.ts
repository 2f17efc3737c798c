/**
 * The provider adapter for Bedrock's Converse and ConverseStream APIs: the
 * IR encoded as Converse, signed, sent with the shared upstream client, and
 * the answer (JSON, or event-stream frames as they arrive) turned back into
 * IR events.
 */
import {
  DEFAULT_CAPABILITIES,
  messageStream,
  passThroughHeaders,
  pickModel,
  prefetch,
  resolveModel,
  type Capabilities,
  type ModelInfo,
  type PluginContext,
  type ProviderAdapter,
  type UpstreamClient,
} from '../../kernel/index.js';
import { decodeEventStream } from './eventstream.js';
import { profileOf, type ModelProfile } from './models.js';
import type { BedrockUpstream } from './options.js';
import { toConverseRequest } from './request.js';
import { fromConverseResponse } from './response.js';
import { converseStreamEvents } from './stream.js';

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json', accept: 'application/json' });
const STREAM_HEADERS = Object.freeze({ 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream' });
/** Profiles are computed once per model id; the bound keeps arbitrary client model names from growing the cache. */
const MAX_PROFILES = 256;

/** The adapter for one Bedrock endpoint. */
export function bedrockAdapter(upstream: BedrockUpstream, client: UpstreamClient, log: Pick<PluginContext['log'], 'debug'>): ProviderAdapter {
  const { id, auth, timeouts, modelMap } = upstream;
  const listed: ModelInfo[] = [...new Set([upstream.model, ...upstream.models])].map((m) => ({ id: m, provider: id }));
  const profiles = new Map<string, ModelProfile>();

  const profile = (model: string): ModelProfile => {
    let known = profiles.get(model);
    if (!known) {
      const found = profileOf(model);
      known = upstream.capabilities ? { ...found, capabilities: Object.freeze({ ...DEFAULT_CAPABILITIES, ...found.capabilities, ...upstream.capabilities }) } : found;
      if (profiles.size >= MAX_PROFILES) profiles.clear();
      profiles.set(model, known);
    }
    return known;
  };

  return {
    id,
    wire: 'bedrock-converse',
    defaultModel: upstream.model,
    models: () => listed,
    resolveModel: (requested) => resolveModel(requested, { map: modelMap, defaultModel: upstream.model }),
    // A route's model is used as given, so its capabilities are those of the name itself.
    capabilities: (model: string): Capabilities => profile(model || upstream.model).capabilities,
    async invoke({ request, decision, exchange }) {
      const model = pickModel({ request, decision }, { map: modelMap, defaultModel: upstream.model });
      const { body, dropped } = toConverseRequest(request, { label: id, profile: profile(model) });
      if (dropped.length > 0) log.debug({ provider: id, model, dropped }, 'left out what Bedrock Converse cannot carry');

      const stream = request.stream === true;
      const url = new URL(`${upstream.baseUrl}/model/${encodeModelId(model)}/${stream ? 'converse-stream' : 'converse'}`);
      // One buffer: the signature covers exactly the bytes that are sent.
      const bytes = Buffer.from(JSON.stringify(body), 'utf8');
      const headers = await auth.sign(url, stream ? STREAM_HEADERS : JSON_HEADERS, bytes);
      const res = await client.fetch({ url, headers, body: bytes, abort: exchange, timeouts, label: id });

      // Bedrock's request id (passed to the client as upstream-request-id) also names the message, so a log line leads to AWS's.
      const requestId = res.headers['x-amzn-requestid'];
      const answerHeaders = passThroughHeaders(res.headers);
      if (stream && isAwsEventStream(res.headers)) {
        const frames = decodeEventStream(res.body, id);
        const events = converseStreamEvents(frames, { model, label: id, requestId, release: () => res.release() });
        return { events: await prefetch(events), headers: answerHeaders };
      }
      // A non-streaming request; or a proxy that answered a stream request with JSON.
      const answer = fromConverseResponse(await res.json(), { model, label: id, requestId });
      return { events: messageStream(answer), headers: answerHeaders };
    },
  };
}

/**
 * A model id as one path segment, as the AWS SDKs encode it: `:` and the
 * `/` of an ARN escaped, and the characters encodeURIComponent leaves.
 */
export function encodeModelId(model: string): string {
  return encodeURIComponent(model).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function isAwsEventStream(headers: Readonly<Record<string, string>>): boolean {
  return headers['content-type']?.toLowerCase().includes('application/vnd.amazon.eventstream') === true;
}
