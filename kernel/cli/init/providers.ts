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
  /** Options written as they are, per mode. */
  fixed?: Partial<Record<Mode, Record<string, unknown>>>;
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
  { id: 'ollama', label: 'Ollama', plugin: 'provider-ollama', keyed: false, local: true, probe: 'ollama', model: 'qwen2.5-coder:7b', settings: [endpoint('OLLAMA_ENDPOINT', { default: 'http://127.0.0.1:11434', toOption: serverRoot }), apiKey('OLLAMA_API_KEY', { required: false, ask: false })] },
  { id: 'llamacpp', label: 'llama.cpp server', plugin: OPENAI_COMPATIBLE, keyed: true, local: true, probe: 'openai', model: 'default', settings: [local('LLAMACPP_ENDPOINT', 'http://127.0.0.1:8080'), apiKey('LLAMACPP_API_KEY', { required: false, ask: false })] },
  { id: 'lmstudio', label: 'LM Studio', plugin: OPENAI_COMPATIBLE, keyed: true, local: true, probe: 'openai', model: 'default', settings: [local('LMSTUDIO_ENDPOINT', 'http://127.0.0.1:1234'), apiKey('LMSTUDIO_API_KEY', { required: false, ask: false })] },
  { id: 'openai', label: 'OpenAI', plugin: OPENAI_COMPATIBLE, keyed: true, local: false, model: 'gpt-4o', tierModels: { simple: 'gpt-4o-mini', reasoning: 'gpt-5' }, settings: [hostedEndpoint('OPENAI_ENDPOINT', chatBase), apiKey('OPENAI_API_KEY')] },
  { id: 'openrouter', label: 'OpenRouter', plugin: OPENAI_COMPATIBLE, keyed: true, local: false, model: 'openai/gpt-4o-mini', settings: [hostedEndpoint('OPENROUTER_ENDPOINT', chatBase), apiKey('OPENROUTER_API_KEY')] },
  { id: 'databricks', label: 'Databricks', plugin: OPENAI_COMPATIBLE, keyed: true, local: false, model: 'databricks-claude-sonnet-4-5', settings: [endpoint('DATABRICKS_API_BASE', { label: 'workspace URL', required: true, toOption: trimSlash }), apiKey('DATABRICKS_API_KEY')] },
  {
    id: 'anthropic', label: 'Anthropic', plugin: 'provider-anthropic', keyed: false, local: false, model: 'claude-sonnet-4-5', tierModels: { simple: 'claude-haiku-4-5', reasoning: 'claude-opus-4-5' },
    settings: [hostedEndpoint('ANTHROPIC_ENDPOINT', messagesBase), apiKey('ANTHROPIC_API_KEY', { modes: ['api-keys'] })],
    // provider-anthropic's `subscription` option: the client's Claude login (an OAuth token) is the credential, on api.anthropic.com only.
    fixed: { subscription: { subscription: true }, 'api-keys': { subscription: false } },
    note: {
      subscription: 'No API key here: the credential is Claude Code\'s own Pro/Max login, which `lynkr wrap claude` leaves in place.',
      'api-keys': 'Your API key pays, even for a client logged in to a Claude subscription.',
    },
  },
  {
    id: 'bedrock', label: 'Amazon Bedrock', plugin: 'provider-bedrock', keyed: false, local: false, model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    tierModels: { simple: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', reasoning: 'us.anthropic.claude-opus-4-5-20251101-v1:0' },
    settings: [
      { option: 'region', env: 'AWS_BEDROCK_REGION', flag: 'region', label: 'AWS region', default: 'us-east-1', ask: true },
      // Optional: without a Bedrock API key the AWS credential chain (environment, profile, SSO, instance role) signs with SigV4.
      apiKey('AWS_BEDROCK_API_KEY', { required: false, label: 'Bedrock API key (empty: the AWS credential chain)' }),
    ],
  },
  {
    id: 'vertex', label: 'Google Vertex AI', plugin: 'provider-vertex', keyed: false, local: false, model: 'claude-sonnet-4-5@20250929',
    settings: [
      { option: 'project', env: 'VERTEX_PROJECT_ID', flag: 'project', label: 'Google Cloud project id', required: true, ask: true },
      { option: 'region', env: 'VERTEX_REGION', flag: 'region', label: 'region', default: 'global', ask: true },
    ],
    note: { 'api-keys': 'Credentials: GOOGLE_APPLICATION_CREDENTIALS (a service-account file) or gcloud application-default login.' },
  },
  {
    id: 'azure-anthropic', label: 'Claude on Azure AI Foundry', plugin: 'provider-azure-anthropic', keyed: false, local: false, model: 'claude-sonnet-4-5',
    settings: [endpoint('AZURE_ANTHROPIC_ENDPOINT', { option: 'endpoint', label: 'resource URL', required: true, toOption: trimSlash }), apiKey('AZURE_ANTHROPIC_API_KEY')],
  },
  {
    id: 'azure-openai', label: 'Azure OpenAI', plugin: 'provider-azure-openai', keyed: false, local: false, model: 'gpt-4o',
    settings: [endpoint('AZURE_OPENAI_ENDPOINT', { option: 'endpoint', label: 'resource URL', required: true, toOption: trimSlash }), apiKey('AZURE_OPENAI_API_KEY')],
    note: { 'api-keys': 'Models are deployment names: name your deployments in the tiers.' },
  },
  { id: 'zai', label: 'Z.ai (GLM)', plugin: 'provider-zai', keyed: false, local: false, model: 'glm-4.7', tierModels: { simple: 'glm-4.5-air' }, settings: [apiKey('ZAI_API_KEY')] },
  { id: 'moonshot', label: 'Moonshot (Kimi)', plugin: 'provider-moonshot', keyed: false, local: false, model: 'kimi-k2.6', settings: [apiKey('MOONSHOT_API_KEY')] },
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
