/**
 * Moonshot's two APIs as kernel adapters: OpenAI Chat Completions (the
 * default) and its Anthropic-compatible endpoint. Either way the model is
 * picked here (Moonshot ids pass through) and Kimi sampling is pinned.
 */
import {
  anthropicMessagesAdapter,
  LynkrError,
  openaiChatAdapter,
  type Capabilities,
  type ProviderAdapter,
  type UpstreamClient,
} from '../../kernel/index.js';
import { capabilitiesFor, moonshotModel, pinSampling, resolveMoonshotModel } from './models.js';
import type { Options } from './options.js';

const ENDPOINTS = {
  openai: 'https://api.moonshot.ai/v1/chat/completions',
  anthropic: 'https://api.moonshot.ai/anthropic/v1/messages',
} as const;

/** Model names whose capabilities are kept. */
const MAX_KNOWN = 256;

export function moonshotAdapter(options: Options, client: UpstreamClient): ProviderAdapter {
  const { id } = options;
  const given = options.endpoint === undefined ? undefined : parseUrl(id, options.endpoint);
  const wire = options.wire ?? (given && /\/anthropic(?:\/|$)|\/messages\/?$/.test(given.pathname) ? 'anthropic' : 'openai');
  const url = complete(wire, given ?? new URL(ENDPOINTS[wire]));
  // Computed once per model (the adapters ask on every request); bounded, as clients may send any Moonshot id.
  const known = new Map<string, Capabilities>();
  const capabilities = (model: string): Capabilities => {
    let caps = known.get(model);
    if (!caps) {
      caps = Object.freeze(capabilitiesFor(model, options.capabilities));
      if (known.size < MAX_KNOWN) known.set(model, caps);
    }
    return caps;
  };
  // Moonshot documents Bearer auth for both APIs (Claude Code's ANTHROPIC_AUTH_TOKEN for the Anthropic one).
  const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}` };
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
  const common = { id, headers, model: options.model, models: options.models, capabilities, ...(options.timeouts && { timeouts: options.timeouts }) };

  const inner =
    wire === 'openai'
      ? openaiChatAdapter({ ...common, url: url.href, body: pinSampling }, client)
      : anthropicMessagesAdapter(
          {
            ...common,
            url,
            anthropicVersion: options.anthropicVersion,
            body: (body) => {
              const model = String(body.model);
              const max = capabilities(model).maxOutputTokens;
              if (typeof body.max_tokens === 'number' && body.max_tokens > max) body.max_tokens = max;
              return pinSampling(body, model);
            },
          },
          client,
        );
  return {
    ...inner,
    // Router-static asks this when its target names no model; the kernel adapter's own answer would know no Moonshot ids.
    resolveModel: (requested) => resolveMoonshotModel(requested, options.modelMap, options.model),
    invoke(call) {
      const model = moonshotModel(call, options.modelMap, options.model);
      // The model goes to the kernel adapter as the route's, so that it maps nothing again.
      return inner.invoke({ ...call, decision: { ...call.decision, model } });
    },
  };
}

function parseUrl(id: string, endpoint: string): URL {
  try {
    return new URL(endpoint);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": endpoint "${endpoint}" is not a URL`);
  }
}

/** The endpoint, completed when it is given as the API root (`https://api.moonshot.ai/anthropic`, `https://api.moonshot.ai/v1`). */
function complete(wire: 'anthropic' | 'openai', url: URL): URL {
  const path = url.pathname.replace(/\/+$/, '');
  if (wire === 'anthropic' && !path.endsWith('/messages')) url.pathname = `${path}/v1/messages`;
  if (wire === 'openai' && !path.endsWith('/chat/completions')) url.pathname = `${path}/chat/completions`;
  return url;
}
