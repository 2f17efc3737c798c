/**
 * An Anthropic Messages API upstream as a provider adapter. The IR is that
 * API, so the request goes out as the client sent it (only `model` and
 * `stream` set) and the stream's events come back as they are; to a client
 * of the same API, when nothing on the response path changes events, the
 * answer goes back as the upstream's bytes (anthropic-stream.ts). Shared by
 * every provider that speaks the wire: Anthropic itself, Azure, Vertex's
 * Claude endpoints, Z.ai and Moonshot.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LynkrError } from '../errors.js';
import { messageStream } from '../ir/stream.js';
import type { MessagesResponse } from '../ir/types.js';
import type { InvokeCall, MaybePromise } from '../pipeline/types.js';
import { pickModel, resolveModel, type ModelMap } from '../providers/models.js';
import { jsonApiHeaders, listedModels } from './common.js';
import type { Capabilities, ProviderAdapter } from '../providers/types.js';
import type { UpstreamClient, UpstreamTimeouts } from '../upstream/client.js';
import { credentialsOf, parseUpstreamJson, upstreamBodyError } from '../upstream/errors.js';
import { isEventStream, passThroughHeaders } from '../upstream/headers.js';
import { anthropicStream, withoutCredentialBytes } from './anthropic-stream.js';

/** @public */
export interface AnthropicAdapterSettings {
  id: string;
  /** `anthropic` unless the wire is a variant (`vertex-anthropic`). */
  wire?: string;
  /** The endpoint; a function for wires that put the model in the URL (Vertex). */
  url: URL | ((model: string, stream: boolean) => URL);
  /** Sent on every request: the key and the configured headers, lower-cased. */
  headers: Readonly<Record<string, string>>;
  /**
   * Headers computed per request: the result is merged over the request's
   * headers, which it may also edit in place (to remove one). For a token
   * that expires (Vertex, Entra ID), or the client's own credential where
   * the provider accepts it.
   */
  auth?: (call: InvokeCall, headers: Record<string, string>) => MaybePromise<Record<string, string> | void>;
  /** Sent when the client sends no `anthropic-version`. */
  anthropicVersion: string;
  /** Whether the `anthropic-version` header is sent at all (Vertex wants it in the body instead). */
  versionHeader?: boolean;
  model?: string;
  models?: readonly string[];
  /** Claude names the client asks for → this upstream's names, when the route names no model. */
  modelMap?: ModelMap;
  capabilities: Capabilities | ((model: string) => Capabilities);
  /** Clamp `max_tokens` to this; only when configured, since Claude models differ widely. */
  maxOutputTokens?: number;
  timeouts?: Partial<UpstreamTimeouts>;
  /** The last change to the body before it is serialised (Vertex moves `model` into the URL). */
  body?: (body: Record<string, unknown>) => Record<string, unknown>;
}

/** The adapter for one Anthropic-compatible upstream. @public */
export function anthropicMessagesAdapter(settings: AnthropicAdapterSettings, client: UpstreamClient): ProviderAdapter {
  const { id, timeouts, maxOutputTokens, auth } = settings;
  const configuredBeta = settings.headers['anthropic-beta'];
  const capabilities = typeof settings.capabilities === 'function' ? settings.capabilities : () => settings.capabilities as Capabilities;
  const urlFor = typeof settings.url === 'function' ? settings.url : () => settings.url as URL;
  const listed = listedModels(id, settings.model, settings.models);

  const jsonHeaders = jsonApiHeaders(settings.headers);

  /**
   * The client's `anthropic-version` and `anthropic-beta` decide what the request means; nothing else of
   * theirs goes upstream. Over the configured JSON API headers, copied name by name onto a fresh object
   * rather than spread (see decisionHeaders in kernel/pipeline/runner.ts): this runs on every request.
   */
  const headersFor = (client: Readonly<IncomingHttpHeaders>, stream: boolean): Record<string, string> => {
    const base = stream ? jsonHeaders.stream : jsonHeaders.whole;
    const out: Record<string, string> = {};
    for (const name in base) out[name] = base[name]!;
    if (settings.versionHeader !== false) out['anthropic-version'] = single(client['anthropic-version']) ?? settings.anthropicVersion;
    const beta = joinBeta(configuredBeta, client['anthropic-beta']);
    if (beta) out['anthropic-beta'] = beta;
    return out;
  };

  /**
   * The request as it goes upstream. When no plugin replaced the client's
   * body and nothing here would change it, that is the client's bytes as they
   * came: what a subscription's own features rely on, with no cost of
   * re-serialising or of encoding the text again (half a millisecond for a
   * 115 KB Claude Code request). Otherwise the IR is spread, not rebuilt:
   * every block, signature and unknown field is serialised as the client
   * sent it.
   */
  const bodyOf = ({ request, exchange }: InvokeCall, model: string, stream: boolean, clamp: boolean): string | Buffer => {
    const client = exchange.body;
    if (client?.json === request && model === request.model && !clamp && !settings.body && (request.stream === true) === stream) return client.bytes;
    let body: Record<string, unknown> = { ...request, model, stream };
    if (clamp) body.max_tokens = maxOutputTokens;
    if (settings.body) body = settings.body(body);
    return JSON.stringify(body);
  };

  return {
    id,
    wire: settings.wire ?? 'anthropic',
    defaultModel: settings.model,
    models: () => listed,
    resolveModel: (requested) => resolveModel(requested, { map: settings.modelMap, defaultModel: settings.model }),
    capabilities,
    async invoke(call) {
      const { request, exchange } = call;
      const stream = request.stream === true;
      const model = pickModel(call, { map: settings.modelMap, defaultModel: settings.model });
      const clamp = maxOutputTokens !== undefined && request.max_tokens > maxOutputTokens;
      const headers = headersFor(exchange.headers, stream);
      if (auth) Object.assign(headers, await auth(call, headers));
      const res = await client.fetch({ url: urlFor(model, stream), headers, body: bodyOf(call, model, stream, clamp), abort: exchange, timeouts, label: id });
      const answerHeaders = passThroughHeaders(res.headers);
      if (stream && isEventStream(res.headers)) return { events: await anthropicStream(res, id, headers), headers: answerHeaders };
      // The body is kept as it came: a client of this wire gets it as it is (see kernel/ir/verbatim.ts).
      const bytes = withoutCredentialBytes(await res.bytes(), credentialsOf(headers));
      const message = asMessage(parseUpstreamJson(bytes.toString('utf8'), id), id, headers);
      return { events: messageStream(message, { wire: 'anthropic', bytes }), headers: answerHeaders };
    },
  };
}

function asMessage(body: unknown, label: string, sent: Readonly<Record<string, string>>): MessagesResponse {
  const b = body as Partial<MessagesResponse> | undefined;
  if (b?.type === 'message' && Array.isArray(b.content)) return b as MessagesResponse;
  if ((b as { type?: unknown } | undefined)?.type === 'error') throw upstreamBodyError(label, body, sent);
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
