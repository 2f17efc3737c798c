/**
 * Z.ai's two APIs as kernel adapters: its Anthropic-compatible endpoint (the
 * default, which Claude Code's requests pass through unchanged) and its
 * OpenAI-compatible one, both serving the GLM models.
 */
import {
  anthropicMessagesAdapter,
  DEFAULT_CAPABILITIES,
  LynkrError,
  openaiChatAdapter,
  type Capabilities,
  type ProviderAdapter,
  type UpstreamClient,
} from '../../kernel/index.js';
import type { Options } from './options.js';

const ENDPOINTS = {
  anthropic: 'https://api.z.ai/api/anthropic/v1/messages',
  openai: 'https://api.z.ai/api/paas/v4/chat/completions',
} as const;

/** Model names whose capabilities are kept. */
const MAX_KNOWN = 256;

/** GLM families by name, the first match wins, as Z.ai documents them. */
const FAMILIES: ReadonlyArray<[RegExp, Partial<Capabilities>]> = [
  // The vision models: glm-4.5v, glm-4.6v.
  [/^glm-[\d.]+v/i, { vision: true, thinking: true, maxOutputTokens: 16_384, contextWindow: 64_000 }],
  [/^glm-4\.5/i, { thinking: true, maxOutputTokens: 96_000, contextWindow: 128_000 }],
  [/^glm-/i, { thinking: true, maxOutputTokens: 128_000, contextWindow: 200_000 }],
];

export function zaiAdapter(options: Options, client: UpstreamClient): ProviderAdapter {
  const { id } = options;
  const wire = options.wire ?? (options.endpoint?.includes('/chat/completions') ? 'openai' : 'anthropic');
  const url = endpointFor(id, wire, options.endpoint ?? ENDPOINTS[wire]);
  // Computed once per model (the adapters ask on every request); bounded, as clients may send any name.
  const known = new Map<string, Capabilities>();
  const capabilities = (model: string): Capabilities => {
    let caps = known.get(model);
    if (!caps) {
      const family = FAMILIES.find(([pattern]) => pattern.test(model))?.[1];
      caps = Object.freeze({ ...DEFAULT_CAPABILITIES, ...family, ...options.capabilities });
      if (known.size < MAX_KNOWN) known.set(model, caps);
    }
    return caps;
  };
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) extra[name.toLowerCase()] = value;
  const common = {
    id,
    model: options.model,
    models: options.models,
    modelMap: options.modelMap,
    capabilities,
    ...(options.timeouts && { timeouts: options.timeouts }),
  };

  if (wire === 'openai') return openaiChatAdapter({ ...common, url: url.href, headers: { authorization: `Bearer ${options.apiKey}`, ...extra } }, client);
  return anthropicMessagesAdapter(
    {
      ...common,
      url,
      headers: { 'x-api-key': options.apiKey, ...extra },
      anthropicVersion: options.anthropicVersion,
      // The Chat adapter clamps to the model's limit by itself; the Anthropic one only to a fixed one.
      body: (body) => clamp(body, capabilities(String(body.model)).maxOutputTokens),
    },
    client,
  );
}

function clamp(body: Record<string, unknown>, max: number): Record<string, unknown> {
  if (typeof body.max_tokens === 'number' && body.max_tokens > max) body.max_tokens = max;
  return body;
}

/** The endpoint, completed when it is given as the API root (`https://api.z.ai/api/anthropic`, as Claude Code's base URL is set). */
function endpointFor(id: string, wire: 'anthropic' | 'openai', endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": endpoint "${endpoint}" is not a URL`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (wire === 'anthropic' && !path.endsWith('/messages')) url.pathname = `${path}/v1/messages`;
  if (wire === 'openai' && !path.endsWith('/chat/completions')) url.pathname = `${path}/chat/completions`;
  return url;
}
