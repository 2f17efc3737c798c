/**
 * Options: one entry per upstream that speaks OpenAI Chat Completions. The
 * preset ids carry their own defaults (base URL, auth, whether to send
 * `model`); `custom` entries name their own id and give everything.
 */
import { LynkrError, Type, type ChatAdapterSettings, type Static, type TSchema } from '../../kernel/index.js';

const Timeouts = Type.Object(
  {
    connectMs: Type.Optional(Type.Integer({ minimum: 1, description: 'TCP/TLS connect (default 10000).' })),
    firstByteMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Request sent to first body byte (default 120000).' })),
    idleMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Between two body pieces (default 90000).' })),
  },
  { additionalProperties: false },
);

const Capabilities = Type.Object(
  {
    tools: Type.Optional(Type.Boolean()),
    vision: Type.Optional(Type.Boolean()),
    thinking: Type.Optional(Type.Boolean()),
    maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
    contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

interface Preset {
  /** Without one, the entry must require `baseUrl` in its extra keys. */
  baseUrl?: string;
  path?: string;
  sendModel?: boolean;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

const CHAT_PATH = '/chat/completions';

/**
 * An entry's schema with a preset's defaults baked in, so validation fills
 * them and the README can list them. Defaulted keys are optional in the
 * schema so that a config may leave them out (the factory's argument type
 * is only shallowly partial).
 */
function entry<P extends Record<string, TSchema>>(preset: Preset, extra: P) {
  const base = {
    baseUrl: Type.Optional(Type.String({ minLength: 1, default: preset.baseUrl })),
    path: Type.Optional(Type.String({ default: preset.path ?? CHAT_PATH, description: 'Appended to baseUrl; `{model}` is replaced by the model. `""` when baseUrl is the full endpoint.' })),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'Sent as `Authorization: Bearer`.' })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The model used when the route names none.' })),
    models: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models.' })),
    modelMap: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Requested model → upstream model, when the route names no model (see docs/providers.md).' }),
    ),
    sendModel: Type.Optional(Type.Boolean({ default: preset.sendModel ?? true, description: 'Send the `model` field.' })),
    maxTokensField: Type.Optional(
      Type.Union([Type.Literal('max_tokens'), Type.Literal('max_completion_tokens')], { default: preset.maxTokensField ?? 'max_tokens' }),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { default: {} })),
    capabilities: Type.Optional(Capabilities),
    timeouts: Type.Optional(Timeouts),
  };
  return Type.Object({ ...base, ...extra }, { additionalProperties: false });
}

/** Provider ids are kebab-case: they appear in `provider:model` strings. */
const ID = Type.String({ pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' });

/** @public */
export const OptionsSchema = Type.Object(
  {
    openai: Type.Optional(
      entry(
        // OpenAI's reasoning models accept only max_completion_tokens, and every chat model accepts it.
        { baseUrl: 'https://api.openai.com/v1', maxTokensField: 'max_completion_tokens' },
        { organization: Type.Optional(Type.String({ minLength: 1, description: 'Sent as OpenAI-Organization.' })) },
      ),
    ),
    openrouter: Type.Optional(
      entry(
        { baseUrl: 'https://openrouter.ai/api/v1' },
        {
          referer: Type.Optional(Type.String({ minLength: 1, description: 'Sent as HTTP-Referer (OpenRouter app attribution).' })),
          title: Type.Optional(Type.String({ default: 'Lynkr', description: 'Sent as X-Title (OpenRouter app attribution).' })),
        },
      ),
    ),
    // llama.cpp and LM Studio serve the model they loaded: a `model` field is at best ignored.
    llamacpp: Type.Optional(entry({ baseUrl: 'http://127.0.0.1:8080/v1', sendModel: false }, {})),
    lmstudio: Type.Optional(entry({ baseUrl: 'http://127.0.0.1:1234/v1', sendModel: false }, {})),
    ollama: Type.Optional(entry({ baseUrl: 'http://127.0.0.1:11434/v1' }, {})),
    // The serving endpoint is the model: `databricks:<endpoint>` routes to /serving-endpoints/<endpoint>/invocations.
    databricks: Type.Optional(entry({ path: '/serving-endpoints/{model}/invocations' }, { baseUrl: Type.String({ minLength: 1, description: 'The workspace URL.' }) })),
    custom: Type.Optional(Type.Array(entry({}, { id: ID, baseUrl: Type.String({ minLength: 1 }) }), { default: [] })),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;

type EntryInput = Static<ReturnType<typeof entry<{ [K in never]: TSchema }>>>;
type Defaulted = 'baseUrl' | 'path' | 'models' | 'sendModel' | 'maxTokensField' | 'headers';

/** An entry after validation, defaults filled, whatever its preset. */
export type Entry = Omit<EntryInput, Defaulted> & Required<Pick<EntryInput, Defaulted>> & {
  organization?: string;
  referer?: string;
  title?: string;
};

/** The preset ids, in the order they are registered. */
export const PRESET_IDS = ['openai', 'openrouter', 'llamacpp', 'lmstudio', 'ollama', 'databricks'] as const;

/** Hosted APIs refuse every request without a key: better to refuse the boot. */
const NEEDS_KEY = new Set<string>(['openai', 'openrouter', 'databricks']);

/** An entry as the adapter needs it: the URL joined and checked, the headers built. */
export function upstreamOf(id: string, entry: Entry): ChatAdapterSettings {
  if (NEEDS_KEY.has(id) && !entry.apiKey) throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": apiKey is required`);
  const path = entry.path && !entry.path.startsWith('/') ? `/${entry.path}` : entry.path;
  const url = `${entry.baseUrl.replace(/\/+$/, '')}${path}`;
  try {
    new URL(url.replace('{model}', 'm'));
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": baseUrl + path "${url}" is not a URL`);
  }
  const headers: Record<string, string> = {};
  if (entry.apiKey) headers.authorization = `Bearer ${entry.apiKey}`;
  if (entry.organization) headers['openai-organization'] = entry.organization;
  if (entry.referer) headers['http-referer'] = entry.referer;
  if (entry.title) headers['x-title'] = entry.title;
  // Lower-cased so that an entry's `Authorization` replaces the default one instead of being sent beside it.
  for (const [name, value] of Object.entries(entry.headers)) headers[name.toLowerCase()] = value;
  return {
    id,
    url,
    headers,
    model: entry.model,
    models: entry.models,
    ...(entry.modelMap && { modelMap: entry.modelMap }),
    sendModel: entry.sendModel,
    maxTokensField: entry.maxTokensField,
    capabilities: entry.capabilities,
    timeouts: entry.timeouts,
  };
}
