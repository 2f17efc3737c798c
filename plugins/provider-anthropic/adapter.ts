/**
 * The Anthropic Messages API as an upstream. The IR is that API, so the
 * request goes out as the client sent it (only `model` and `stream` set)
 * and the stream's events come back as they are.
 */
import {
  LynkrError,
  decodeSSE,
  isEventStream,
  messageStream,
  parseUpstreamJson,
  passThroughHeaders,
  prefetch,
  upstreamBodyError,
  type Capabilities,
  type MessagesResponse,
  type ModelInfo,
  type ProviderAdapter,
  type StreamEvent,
  type UpstreamClient,
  type UpstreamResponse,
  type UpstreamTimeouts,
} from '../../kernel/index.js';
import type { IncomingHttpHeaders } from 'node:http';

/** The adapter's settings, resolved from the options. */
export interface AnthropicUpstream {
  id: string;
  url: URL;
  /** Sent on every request: the key and the configured headers, lower-cased. */
  headers: Record<string, string>;
  anthropicVersion: string;
  model: string | undefined;
  models: readonly string[];
  capabilities: Capabilities;
  /** Clamp `max_tokens` to this; only when configured, since Claude models differ widely. */
  maxOutputTokens: number | undefined;
  timeouts: Partial<UpstreamTimeouts> | undefined;
}

/** The adapter for one Anthropic-compatible upstream. */
export function anthropicAdapter(upstream: AnthropicUpstream, client: UpstreamClient): ProviderAdapter {
  const { id, url, timeouts, capabilities, maxOutputTokens } = upstream;
  const configuredBeta = upstream.headers['anthropic-beta'];
  const listed: ModelInfo[] = [...new Set([upstream.model, ...upstream.models].filter((m): m is string => !!m))].map((m) => ({
    id: m,
    provider: id,
  }));

  /** The client's `anthropic-version` and `anthropic-beta` decide what the request means; nothing else of theirs goes upstream. */
  const headersFor = (client: Readonly<IncomingHttpHeaders>, stream: boolean): Record<string, string> => {
    const beta = joinBeta(configuredBeta, client['anthropic-beta']);
    return {
      ...upstream.headers,
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': single(client['anthropic-version']) ?? upstream.anthropicVersion,
      ...(beta && { 'anthropic-beta': beta }),
    };
  };

  return {
    id,
    wire: 'anthropic',
    defaultModel: upstream.model,
    models: () => listed,
    capabilities: () => capabilities,
    async invoke({ request, decision, exchange }) {
      const stream = request.stream === true;
      // Spread, not rebuilt: every block, signature and unknown field is serialised as the client sent it.
      const body = { ...request, model: decision.model || upstream.model || request.model, stream };
      if (maxOutputTokens !== undefined && body.max_tokens > maxOutputTokens) body.max_tokens = maxOutputTokens;
      const res = await client.fetch({
        url,
        headers: headersFor(exchange.headers, stream),
        body: JSON.stringify(body),
        abort: exchange,
        timeouts,
        label: id,
      });
      const headers = passThroughHeaders(res.headers);
      if (stream && isEventStream(res.headers)) return { events: await prefetch(anthropicEvents(res, id)), headers };
      return { events: messageStream(asMessage(await res.json(), id)), headers };
    },
  };
}

/**
 * The stream's events, parsed and yielded as they arrive, pings and `error`
 * events included. `message_stop` or `error` ends it; a body that ends
 * before either was cut. An `error` before anything else (Anthropic's
 * "overloaded" often comes so) is thrown instead: through `prefetch` it
 * fails `invoke` with its status (529), which a fallback and the client's
 * retry logic understand.
 */
async function* anthropicEvents(res: UpstreamResponse, label: string): AsyncGenerator<StreamEvent> {
  let first = true;
  for await (const frame of decodeSSE(res.body)) {
    if (frame.data === '') continue;
    const event = parseUpstreamJson(frame.data, label) as StreamEvent;
    if (first && event.type === 'error') throw upstreamBodyError(label, event);
    first = false;
    const last = event.type === 'message_stop' || event.type === 'error';
    // Before the yield: a consumer that stops at the last event must not cost the connection.
    if (last) res.release();
    yield event;
    if (last) return;
  }
  throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before message_stop`);
}

function asMessage(body: unknown, label: string): MessagesResponse {
  const b = body as Partial<MessagesResponse> | undefined;
  if (b?.type === 'message' && Array.isArray(b.content)) return b as MessagesResponse;
  throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" answered something that is not a message`, { detail: { body } });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Configured and client betas together, each once. */
function joinBeta(configured: string | undefined, client: string | string[] | undefined): string | undefined {
  if (client === undefined) return configured;
  const fromClient = Array.isArray(client) ? client.join(',') : client;
  if (configured === undefined) return fromClient;
  const all = new Set([...configured.split(','), ...fromClient.split(',')].map((b) => b.trim()).filter(Boolean));
  return [...all].join(',');
}

