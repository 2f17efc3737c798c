/**
 * Options of the Anthropic provider, and how they become the adapter's
 * settings.
 */
import { SUBSCRIPTION_HOSTS, subscriptionAuth } from './oauth.js';
import { DEFAULT_CAPABILITIES, LynkrError, Type, type AnthropicAdapterSettings, type Capabilities, type Static } from '../../kernel/index.js';

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'anthropic', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    baseUrl: Type.String({ minLength: 1, default: 'https://api.anthropic.com' }),
    path: Type.String({ default: '/v1/messages', description: 'Appended to baseUrl; `""` when baseUrl is the full endpoint.' }),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'Sent as x-api-key.' })),
    subscription: Type.Boolean({
      default: true,
      description: "Use the client's Claude subscription token (Authorization: Bearer sk-ant-oat…) before apiKey, on subscriptionHosts only.",
    }),
    subscriptionHosts: Type.Array(Type.String({ minLength: 1 }), {
      default: [...SUBSCRIPTION_HOSTS],
      description: "Hosts that receive the client's subscription token: Anthropic's own API, or a proxy you run in front of it.",
    }),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The model used when the route names none.' })),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models.' }),
    modelMap: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Requested model → upstream model, when the route names no model (see docs/providers.md).' }),
    ),
    anthropicVersion: Type.String({ minLength: 1, default: '2023-06-01', description: 'Sent when the client sends no anthropic-version.' }),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    timeouts: Type.Optional(
      Type.Object(
        {
          connectMs: Type.Optional(Type.Integer({ minimum: 1 })),
          firstByteMs: Type.Optional(Type.Integer({ minimum: 1 })),
          idleMs: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    capabilities: Type.Optional(
      Type.Object(
        {
          tools: Type.Optional(Type.Boolean()),
          vision: Type.Optional(Type.Boolean()),
          thinking: Type.Optional(Type.Boolean()),
          maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'When set, max_tokens is clamped to it.' })),
          contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;

/**
 * What current Claude models can all take. 32000 output tokens is what
 * Claude Code asks of its main models; it only informs routing, as the
 * adapter clamps only to a configured limit.
 */
const CLAUDE: Capabilities = { ...DEFAULT_CAPABILITIES, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 };

/** The options as the adapter needs them: the URL joined and checked, the headers built. */
export function upstreamOf(options: Options): AnthropicAdapterSettings {
  const path = options.path && !options.path.startsWith('/') ? `/${options.path}` : options.path;
  const href = `${options.baseUrl.replace(/\/+$/, '')}${path}`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${options.id}": baseUrl + path "${href}" is not a URL`);
  }
  const headers: Record<string, string> = {};
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
  // The subscription path: only for Anthropic's own API, since the token is the user's Claude login.
  const subscription = options.subscription && options.subscriptionHosts.includes(url.hostname);
  return {
    id: options.id,
    url,
    ...(subscription && { auth: subscriptionAuth({ hasKey: options.apiKey !== undefined, id: options.id }) }),
    headers,
    anthropicVersion: options.anthropicVersion,
    model: options.model,
    models: options.models,
    ...(options.modelMap && { modelMap: options.modelMap }),
    capabilities: Object.freeze({ ...CLAUDE, ...options.capabilities }),
    ...(options.capabilities?.maxOutputTokens !== undefined && { maxOutputTokens: options.capabilities.maxOutputTokens }),
    ...(options.timeouts && { timeouts: options.timeouts }),
  };
}
