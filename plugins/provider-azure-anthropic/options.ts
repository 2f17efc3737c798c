/**
 * Options of the Azure Anthropic provider (Claude in Azure AI Foundry), and
 * how they become the kernel adapter's settings.
 */
import { DEFAULT_CAPABILITIES, LynkrError, Type, type AnthropicAdapterSettings, type Capabilities, type Static } from '../../kernel/index.js';

const Timeouts = Type.Object(
  {
    connectMs: Type.Optional(Type.Integer({ minimum: 1, description: 'TCP/TLS connect (default 10000).' })),
    firstByteMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Request sent to first body byte (default 120000).' })),
    idleMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Between two body pieces (default 90000).' })),
  },
  { additionalProperties: false },
);

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'azure-anthropic', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    endpoint: Type.String({
      minLength: 1,
      description: 'The Foundry resource (`https://<resource>.services.ai.azure.com`) or the full messages URL (`…/anthropic/v1/messages`).',
    }),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'The resource key, sent as x-api-key.' })),
    bearerToken: Type.Optional(Type.String({ minLength: 1, description: 'A Microsoft Entra ID token, sent as Authorization: Bearer (instead of apiKey).' })),
    anthropicVersion: Type.String({ minLength: 1, default: '2023-06-01', description: 'Sent when the client sends no anthropic-version.' }),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The deployment used when the route names none.' })),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More deployments to list in /v1/models.' }),
    modelMap: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), {
        description: 'Requested model → deployment name, when the route names no model and the deployments are not named after the models.',
      }),
    ),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    timeouts: Type.Optional(Timeouts),
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

/** What current Claude models can all take; it informs routing, as max_tokens is clamped only to a configured limit. */
const CLAUDE: Capabilities = { ...DEFAULT_CAPABILITIES, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 };

/** Foundry serves the Anthropic API under this path of the resource. */
const FOUNDRY_PATH = '/anthropic/v1/messages';

/**
 * The messages URL for an endpoint as users copy it: a URL that already
 * ends in `/messages` is used as it is; a resource root, or one ending in
 * `/anthropic` or `/anthropic/v1`, gets the rest of Foundry's path.
 */
export function messagesUrl(id: string, endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": endpoint "${endpoint}" is not a URL`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/messages$/.test(path)) return url;
  if (path === '') url.pathname = FOUNDRY_PATH;
  else if (/\/anthropic$/.test(path)) url.pathname = `${path}/v1/messages`;
  else if (/\/anthropic\/v1$/.test(path)) url.pathname = `${path}/messages`;
  else throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": endpoint "${endpoint}" is neither a resource URL nor an Anthropic messages URL (…${FOUNDRY_PATH})`);
  return url;
}

/** The options as the adapter needs them: the URL completed and checked, the credential chosen. */
export function upstreamOf(options: Options): AnthropicAdapterSettings {
  const { id } = options;
  if (!options.apiKey && !options.bearerToken) {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": apiKey or bearerToken is required`);
  }
  const headers: Record<string, string> = {};
  // One credential: an Entra token when given (keys may be disabled on the resource), else the key.
  if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
  else headers['x-api-key'] = options.apiKey as string;
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
  return {
    id,
    url: messagesUrl(id, options.endpoint),
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
