/**
 * The Vertex provider: one provider id, two wires. The model picked for a
 * request decides: `claude-*` goes to Anthropic's models on Vertex through
 * the kernel's Anthropic Messages adapter; anything else to Gemini, on
 * Vertex or on the Gemini API.
 */
import {
  anthropicMessagesAdapter,
  isLynkrError,
  LynkrError,
  type Capabilities,
  type InvokeCall,
  type Message,
  type ModelInfo,
  type ProviderAdapter,
  type UpstreamClient,
} from '../../kernel/index.js';
import type { GoogleAccess } from './auth.js';
import { invokeGemini, type GeminiCallSettings } from './gemini/adapter.js';
import { ThoughtSignatures } from './gemini/signatures.js';
import { capabilitiesOf, CLAUDE_MODEL_MAP, DEFAULT_MODEL, familyOf, GEMINI_MODEL_MAP, resolveVertexModel, thinkingBudgetOf, type Family } from './models.js';
import { Endpoints, type Options } from './options.js';

/** What Vertex itself wants in the body of a Claude request, in place of the `anthropic-version` header. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/**
 * The adapter. `access` is absent when only a Gemini API key is configured:
 * Claude models then have no way in.
 */
export function vertexAdapter(options: Options, access: GoogleAccess | undefined, client: UpstreamClient): ProviderAdapter {
  const { id, apiKey, timeouts } = options;
  const endpoints = new Endpoints(options);
  const family: Family = options.family ?? (access ? 'claude' : 'gemini');
  const map = options.modelMap ?? (family === 'claude' ? CLAUDE_MODEL_MAP : GEMINI_MODEL_MAP);
  const defaultModel = options.model ?? DEFAULT_MODEL[family];
  const capabilities = (model: string): Capabilities => ({ ...capabilitiesOf(model), ...options.capabilities });
  const configured = Object.fromEntries(Object.entries(options.headers).map(([name, value]) => [name.toLowerCase(), value]));
  /** Google credentials, which every call to Vertex itself needs. */
  const google = (model: string): GoogleAccess => {
    if (access) return access;
    throw new LynkrError(
      'LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL',
      `provider "${id}": ${model} is served only by Vertex AI, which needs Google credentials and a project; only a Gemini API key is configured`,
    );
  };
  const bearer = async (call: InvokeCall) => ({ authorization: `Bearer ${await google(call.decision.model).token()}` });
  /** Known once the first Vertex request resolved it: URLs are built after that. */
  let project: string | undefined;

  const claude = anthropicMessagesAdapter(
    {
      id,
      wire: 'vertex-anthropic',
      url: (model, stream) => endpoints.claude(project as string, model, stream),
      headers: configured,
      auth: bearer,
      anthropicVersion: VERTEX_ANTHROPIC_VERSION,
      versionHeader: false,
      model: defaultModel,
      capabilities,
      ...(options.capabilities?.maxOutputTokens !== undefined && { maxOutputTokens: options.capabilities.maxOutputTokens }),
      ...(timeouts && { timeouts }),
      // The model is in the URL: Vertex refuses it in the body.
      body: ({ model: _model, ...body }) => ({ ...body, messages: withoutUnsignedThinking(body.messages as Message[]), anthropic_version: VERTEX_ANTHROPIC_VERSION }),
    },
    client,
  );

  const gemini: GeminiCallSettings = {
    id,
    client,
    url: (model, stream) => (apiKey ? endpoints.geminiApi(model, stream) : endpoints.geminiVertex(project as string, model, stream)),
    headers: async (call) => (apiKey ? { ...configured, 'x-goog-api-key': apiKey } : { ...configured, ...(await bearer(call)) }),
    maxOutputTokens: (model) => capabilities(model).maxOutputTokens,
    thinkingBudget: (model) => (capabilities(model).thinking ? thinkingBudgetOf(model) : undefined),
    signatures: new ThoughtSignatures(),
    ...(timeouts && { timeouts }),
  };

  const listed: ModelInfo[] = [...new Set([defaultModel, ...options.models])].map((m) => ({ id: m, provider: id }));
  const resolveModel = (requested: string): string => resolveVertexModel(requested, map, defaultModel, family);

  return {
    id,
    wire: 'vertex',
    defaultModel,
    models: () => listed,
    capabilities,
    resolveModel,
    async invoke(call: InvokeCall) {
      // A route's model is used as given; routers that name only the provider have asked resolveModel.
      const model = call.decision.model || resolveModel(call.request.model);
      // The model is settled: both paths take the decision's model as given.
      const settled = { ...call, decision: { ...call.decision, model } };
      const claudeModel = familyOf(model) === 'claude';
      try {
        if (claudeModel || !apiKey) project ??= await google(model).project();
        return await (claudeModel ? claude.invoke(settled) : invokeGemini(gemini, settled, model));
      } catch (error) {
        throw withRetryAfter(error);
      }
    },
  };
}

/**
 * The conversation without thinking blocks that carry no signature: those
 * come from a Gemini turn (see gemini/stream.ts), and Claude refuses a
 * thinking block it did not sign. The same array when there are none, which
 * is every conversation that stayed with Claude.
 */
export function withoutUnsignedThinking(messages: Message[]): Message[] {
  const unsigned = (b: { type: string; signature?: unknown }) => b.type === 'thinking' && !b.signature;
  if (!messages.some((m) => Array.isArray(m.content) && m.content.some(unsigned))) return messages;
  return messages.map((m) => (Array.isArray(m.content) && m.content.some(unsigned) ? { ...m, content: m.content.filter((b) => !unsigned(b)) } : m));
}

/**
 * Google's quota errors say when to retry in the body (a `RetryInfo`
 * detail, `"retryDelay": "7s"`) rather than in a `retry-after` header: the
 * header is what clients read, so it is added from the body when missing.
 */
export function withRetryAfter(error: unknown): unknown {
  if (!isLynkrError(error) || error.code !== 'LYNKR_ERR_UPSTREAM_HTTP' || error.headers?.['retry-after']) return error;
  const body = error.detail?.body;
  const details = (Array.isArray(body) ? body[0] : body) as { error?: { details?: unknown } } | undefined;
  const list = Array.isArray(details?.error?.details) ? (details.error.details as Array<Record<string, unknown>>) : [];
  const delay = list.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const seconds = typeof delay === 'string' ? Number.parseFloat(delay) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 0) return error;
  return new LynkrError(error.code, error.message, {
    status: error.status,
    headers: { ...error.headers, 'retry-after': String(Math.ceil(seconds)) },
    ...(error.detail && { detail: error.detail }),
    cause: error.cause,
  });
}
