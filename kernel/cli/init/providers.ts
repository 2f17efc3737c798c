/**
 * The providers `lynkr init` offers, as data: one row per provider, so a new
 * provider plugin is one more row. The kernel may not import plugins, so the
 * rows name each plugin and its option keys; the boot check in `index.ts`
 * validates the result against the plugins' real schemas.
 */

/** The four tiers, cheapest first. */
export const TIERS = ['simple', 'medium', 'complex', 'reasoning'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * `subscription`: Claude Code with a Pro/Max login through `lynkr wrap
 * claude`, its own OAuth token being the Anthropic credential;
 * `api-keys`: every hosted provider with a key of yours.
 */
export const MODES = ['subscription', 'api-keys'] as const;
export type Mode = (typeof MODES)[number];

/** How a local server's model list is read: Ollama's `/api/tags`, or OpenAI's `/v1/models`. */
export type ProbeKind = 'ollama' | 'openai';

/** One setting of a provider: an option of its plugin entry, named after Lynkr's environment variable. */
export interface SettingSpec {
  /** The option key in the provider's plugin options. */
  option: string;
  /** Lynkr's environment variable for it: the `.env` name, and what the config reads for a secret. */
  env: string;
  /** The flag is `--<provider>-<flag>`. */
  flag: string;
  label: string;
  /** Asked masked; the config reads `process.env.<env>` and only `.env` holds the value. */
  secret?: boolean;
  /** Checked as an http(s) URL, and turned into the option's value by `toOption`. */
  url?: boolean;
  /** Without it the provider cannot work: `--yes` refuses to go on (secrets only warn: they may be set later). */
  required?: boolean;
  default?: string;
  /** The interactive flow asks it; otherwise only its flag sets it (a custom endpoint of a hosted API). */
  ask?: boolean;
  /** The modes it applies in (default: both). */
  modes?: readonly Mode[];
  toOption?: (value: string) => string;
}

/** One provider as the wizard offers it. */
export interface ProviderSpec {
  /** The provider id in `provider:model` targets. */
  id: string;
  label: string;
  /** The plugin that serves it. */
  plugin: string;
  /**
   * The plugin takes one options object per provider id (`{ ollama: {...},
   * openai: {...} }`), rather than the provider's options directly.
   */
  keyed: boolean;
  /** Runs on this machine: free, probed for its models. */
  local: boolean;
  probe?: ProbeKind;
  /** The default model, and better ones for particular tiers. */
  model: string;
  tierModels?: Partial<Record<Tier, string>>;
  settings: readonly SettingSpec[];
  /** A line said about it in the generated config, per mode. */
  note?: Partial<Record<Mode, string>>;
}

const trimSlash = (url: string) => url.trim().replace(/\/+$/, '');
/** A local server's root, whether given with `/v1` or without. */
export const serverRoot = (url: string) => trimSlash(url).replace(/\/v1$/, '');
const v1Base = (url: string) => `${serverRoot(url)}/v1`;
/** A full `…/chat/completions` URL is accepted, as the environment mapping does. */
const chatBase = (url: string) => trimSlash(url).replace(/\/chat\/completions$/, '');
const messagesBase = (url: string) => trimSlash(url).replace(/\/v1\/messages$/, '');

const OPENAI_COMPATIBLE = 'provider-openai-compatible';

function endpoint(env: string, options: Partial<SettingSpec> = {}): SettingSpec {
  return { option: 'baseUrl', env, flag: 'endpoint', label: 'endpoint', url: true, ask: true, ...options };
}

function apiKey(env: string, options: Partial<SettingSpec> = {}): SettingSpec {
  return { option: 'apiKey', env, flag: 'api-key', label: 'API key', secret: true, required: true, ask: true, ...options };
}

const local = (env: string, url: string) => endpoint(env, { default: url, toOption: v1Base });
const hostedEndpoint = (env: string, toOption: (url: string) => string) => endpoint(env, { ask: false, toOption });

/** In the order the wizard lists them: local first. */
export const PROVIDERS: readonly ProviderSpec[] = [
  { id: 'ollama', label: 'Ollama', plugin: OPENAI_COMPATIBLE, keyed: true, local: true, probe: 'ollama', model: 'qwen2.5-coder:7b', settings: [local('OLLAMA_ENDPOINT', 'http://127.0.0.1:11434')] },
  { id: 'llamacpp', label: 'llama.cpp server', plugin: OPENAI_COMPATIBLE, keyed: true, local: true, probe: 'openai', model: 'default', settings: [local('LLAMACPP_ENDPOINT', 'http://127.0.0.1:8080'), apiKey('LLAMACPP_API_KEY', { required: false, ask: false })] },
  { id: 'lmstudio', label: 'LM Studio', plugin: OPENAI_COMPATIBLE, keyed: true, local: true, probe: 'openai', model: 'default', settings: [local('LMSTUDIO_ENDPOINT', 'http://127.0.0.1:1234'), apiKey('LMSTUDIO_API_KEY', { required: false, ask: false })] },
  { id: 'openai', label: 'OpenAI', plugin: OPENAI_COMPATIBLE, keyed: true, local: false, model: 'gpt-4o', tierModels: { simple: 'gpt-4o-mini', reasoning: 'gpt-5' }, settings: [apiKey('OPENAI_API_KEY'), hostedEndpoint('OPENAI_ENDPOINT', chatBase)] },
  { id: 'openrouter', label: 'OpenRouter', plugin: OPENAI_COMPATIBLE, keyed: true, local: false, model: 'openai/gpt-4o-mini', settings: [apiKey('OPENROUTER_API_KEY'), hostedEndpoint('OPENROUTER_ENDPOINT', chatBase)] },
  { id: 'databricks', label: 'Databricks', plugin: OPENAI_COMPATIBLE, keyed: true, local: false, model: 'databricks-claude-sonnet-4-5', settings: [endpoint('DATABRICKS_API_BASE', { label: 'workspace URL', required: true, toOption: trimSlash }), apiKey('DATABRICKS_API_KEY')] },
  {
    id: 'anthropic', label: 'Anthropic', plugin: 'provider-anthropic', keyed: false, local: false, model: 'claude-sonnet-4-5', tierModels: { simple: 'claude-haiku-4-5', reasoning: 'claude-opus-4-5' },
    settings: [apiKey('ANTHROPIC_API_KEY', { modes: ['api-keys'] }), hostedEndpoint('ANTHROPIC_ENDPOINT', messagesBase)],
    note: { subscription: 'No apiKey: the credential is Claude Code\'s own Pro/Max login, which `lynkr wrap claude` leaves in place.' },
  },
];

export function providerSpec(id: string): ProviderSpec | undefined {
  return PROVIDERS.find((p) => p.id === id);
}

/** The settings of a provider that apply in a mode. */
export function settingsIn(spec: ProviderSpec, mode: Mode): SettingSpec[] {
  return spec.settings.filter((s) => !s.modes || s.modes.includes(mode));
}

/** The model a tier gets from a provider when none is named. */
export function defaultModel(spec: ProviderSpec, tier: Tier): string {
  return spec.tierModels?.[tier] ?? spec.model;
}

/** What each mode proposes when no tier is named. */
export const DEFAULT_TIERS: Record<Mode, Partial<Record<Tier, string>>> = {
  subscription: { simple: 'ollama', medium: 'ollama', complex: 'anthropic', reasoning: 'anthropic' },
  'api-keys': { simple: 'ollama', medium: 'ollama', complex: 'anthropic', reasoning: 'anthropic' },
};

/** Tiers the subscription covers unless named otherwise: the hard ones, where the Claude models earn their cost. */
export const SUBSCRIPTION_TIERS: readonly Tier[] = ['complex', 'reasoning'];
