/**
 * The environment-variable mapping: how an existing Lynkr `.env` becomes a
 * config. Kept in one place so docs/config.md can list it exactly.
 */
import type { LynkrConfig, PluginEntry } from '../kernel/config/schema.js';
import { LynkrError } from '../kernel/errors.js';
import { intentWindowOptionsFromEnv, tierOptionsFromEnv, tierProviders } from './env-routing.js';
import { azureAnthropic } from './providers/azure-anthropic.js';
import { azureOpenAI } from './providers/azure-openai.js';
import { bedrock } from './providers/bedrock.js';
import { moonshot } from './providers/moonshot.js';
import { ollama } from './providers/ollama.js';
import { vertex } from './providers/vertex.js';
import { zai } from './providers/zai.js';
import type { EnvProvider } from './providers/types.js';

/** @public */
export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function int(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : Number.NaN;
}

function list(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** `https://api.openai.com/v1/chat/completions` → `https://api.openai.com/v1` (the original's env vars hold full URLs). */
const chatBase = (url: string) => trimSlash(url).replace(/\/chat\/completions$/, '');

/** A local server's root (`http://localhost:8080`) → its OpenAI-compatible base. */
const v1Base = (url: string) => {
  const base = trimSlash(url);
  return /\/v1$/.test(base) ? base : `${base}/v1`;
};

/**
 * The OpenAI-compatible providers Lynkr reads from the environment, each with
 * the variable that switches it on, its settings, and its default model.
 */
const OPENAI_COMPATIBLE: Record<string, { on: (env: Env) => boolean; entry: (env: Env) => Record<string, unknown>; model: (env: Env) => string }> = {
  openai: {
    on: (env) => Boolean(env.OPENAI_API_KEY),
    entry: (env) => ({
      baseUrl: chatBase(env.OPENAI_ENDPOINT ?? 'https://api.openai.com/v1'),
      apiKey: env.OPENAI_API_KEY,
      ...(env.OPENAI_ORGANIZATION ? { organization: env.OPENAI_ORGANIZATION } : {}),
    }),
    model: (env) => env.OPENAI_MODEL ?? 'gpt-4o',
  },
  openrouter: {
    on: (env) => Boolean(env.OPENROUTER_API_KEY),
    entry: (env) => ({ baseUrl: chatBase(env.OPENROUTER_ENDPOINT ?? 'https://openrouter.ai/api/v1'), apiKey: env.OPENROUTER_API_KEY }),
    model: (env) => env.OPENROUTER_MODEL ?? 'openai/gpt-4o-mini',
  },
  llamacpp: {
    on: (env) => Boolean(env.LLAMACPP_ENDPOINT),
    entry: (env) => ({ baseUrl: v1Base(env.LLAMACPP_ENDPOINT ?? 'http://127.0.0.1:8080'), ...(env.LLAMACPP_API_KEY ? { apiKey: env.LLAMACPP_API_KEY } : {}) }),
    model: (env) => env.LLAMACPP_MODEL ?? 'default',
  },
  lmstudio: {
    on: (env) => Boolean(env.LMSTUDIO_ENDPOINT),
    entry: (env) => ({ baseUrl: v1Base(env.LMSTUDIO_ENDPOINT ?? 'http://127.0.0.1:1234'), ...(env.LMSTUDIO_API_KEY ? { apiKey: env.LMSTUDIO_API_KEY } : {}) }),
    model: (env) => env.LMSTUDIO_MODEL ?? 'default',
  },
  databricks: {
    on: (env) => Boolean(env.DATABRICKS_API_BASE && env.DATABRICKS_API_KEY),
    entry: (env) => ({
      baseUrl: trimSlash(env.DATABRICKS_API_BASE ?? ''),
      path: env.DATABRICKS_ENDPOINT_PATH ?? '/serving-endpoints/databricks-claude-sonnet-4-5/invocations',
      apiKey: env.DATABRICKS_API_KEY,
    }),
    model: (env) => env.DATABRICKS_MODEL ?? 'databricks-claude-sonnet-4-5',
  },
};

/** Anthropic's own API: only when MODEL_PROVIDER names it, since ANTHROPIC_API_KEY is often a client's placeholder. */
const ANTHROPIC = {
  entry: (env: Env) => ({
    baseUrl: trimSlash(env.ANTHROPIC_ENDPOINT ?? 'https://api.anthropic.com').replace(/\/v1\/messages$/, ''),
    ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
  }),
  model: (env: Env) => env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-5',
};

/**
 * Providers with a plugin of their own, one file each in `config/providers/`
 * (Ollama's native API, Bedrock, Vertex, Azure, Z.ai, Moonshot).
 */
const OWN_PLUGIN: readonly EnvProvider[] = [ollama, bedrock, vertex, azureAnthropic, azureOpenAI, zai, moonshot];

/** The provider ids this build can serve from the environment. */
export const ENV_PROVIDERS: readonly string[] = [...OWN_PLUGIN.map((p) => p.id), ...Object.keys(OPENAI_COMPATIBLE), 'anthropic'];

/**
 * The built-in plugin set, configured from the environment: the API surfaces
 * in front (Anthropic Messages, OpenAI Chat Completions and Responses), the
 * badge sanitizer, the providers the environment names behind (Ollama on
 * localhost when it names none), tier routing when `TIER_*` is set, the
 * static router (`MODEL_PROVIDER`, `MODEL_DEFAULT`), the routing badge
 * (`LYNKR_VISIBLE_ROUTING`), statistics and the wrap targets.
 * @public
 */
export function defaults(env: Env = process.env): PluginEntry[] {
  const primary = (env.MODEL_PROVIDER ?? 'ollama').trim().toLowerCase();
  if (!ENV_PROVIDERS.includes(primary)) {
    throw new LynkrError(
      'LYNKR_ERR_CONFIG_INVALID',
      `MODEL_PROVIDER=${primary} is not a provider this Lynkr serves (supported: ${ENV_PROVIDERS.join(', ')})`,
    );
  }

  // Tier routing (TIER_SIMPLE..TIER_REASONING): every provider a tier names is enabled with the primary.
  const tiers = tierOptionsFromEnv(env);
  const wanted = new Set([primary, ...(tiers ? tierProviders(tiers) : [])]);
  for (const id of wanted) {
    if (!ENV_PROVIDERS.includes(id)) {
      throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `a TIER_* variable names provider "${id}", which this Lynkr does not serve (supported: ${ENV_PROVIDERS.join(', ')})`);
    }
  }

  const compatible: Record<string, unknown> = {};
  for (const [id, p] of Object.entries(OPENAI_COMPATIBLE)) {
    if (wanted.has(id) || p.on(env)) compatible[id] = { ...p.entry(env), model: p.model(env) };
  }
  // The sanitizer is always on: history may hold badges from another instance or a team that shows them.
  const plugins: PluginEntry[] = ['api-anthropic', 'api-openai', 'badge-sanitizer'];
  for (const p of OWN_PLUGIN) {
    if (wanted.has(p.id) || p.on(env)) plugins.push([p.plugin, { ...p.options(env), model: p.model(env) }]);
  }
  if (Object.keys(compatible).length) plugins.push(['provider-openai-compatible', compatible]);
  if (wanted.has('anthropic')) plugins.push(['provider-anthropic', { ...ANTHROPIC.entry(env), model: ANTHROPIC.model(env) }]);
  if (tiers) {
    plugins.push(['router-tiers', { ...tiers }], ['intent-window', intentWindowOptionsFromEnv(env)]);
    // After the intent window, which would otherwise overwrite the model the bandit chose.
    if (env.LYNKR_BANDIT?.toLowerCase() === 'true') plugins.push(['bandit-linucb', banditOptionsFromEnv(env)]);
  }
  // Rate, token and concurrency limits and load shedding, all off unless their variable is set: first, so a refusal costs nothing.
  plugins.push(['limits', limitsOptionsFromEnv(env)]);
  // Counting comes before resilience: both wrap the provider call, and an exchange counts once, by its final outcome.
  // Usage statistics (GET /v1/lynkr/stats, the wrap summary); Prometheus metrics (GET /metrics) with LYNKR_METRICS=true.
  plugins.push('stats');
  if (env.LYNKR_METRICS?.toLowerCase() === 'true') plugins.push(['metrics', { process: env.LYNKR_METRICS_PROCESS?.toLowerCase() !== 'false' }]);
  // Retries, circuit breakers and the fallback ladder around every provider call.
  plugins.push(['resilience', resilienceOptionsFromEnv(env)]);

  const model = env.MODEL_DEFAULT ?? modelOf(primary, env);
  plugins.push(['router-static', { target: `${primary}:${model}` }]);
  // Listed even when off, so that a team can turn it on with teams.<name>.options.badge.enabled.
  plugins.push(['badge', { enabled: env.LYNKR_VISIBLE_ROUTING === 'true' }]);
  // The tools `lynkr wrap` can launch.
  plugins.push('wrap-claude', 'wrap-codex', 'wrap-copilot', 'wrap-aider', 'wrap-cursor');
  return plugins;
}

/** `LYNKR_RATE_LIMIT_RPM`, `LYNKR_RATE_LIMIT_TPM`, `LYNKR_MAX_STREAMS` (per key), `LYNKR_SHED_LAG_MS` (event-loop lag that sheds load). */
function limitsOptionsFromEnv(env: Env): Record<string, unknown> {
  const positive = (name: string): number | undefined => {
    const n = int(env[name]);
    if (n === undefined) return undefined;
    if (!(n >= 0)) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `${name}=${env[name]} is not a whole number`);
    return n;
  };
  const rpm = positive('LYNKR_RATE_LIMIT_RPM');
  const tpm = positive('LYNKR_RATE_LIMIT_TPM');
  const streams = positive('LYNKR_MAX_STREAMS');
  const lag = positive('LYNKR_SHED_LAG_MS');
  return {
    ...(rpm !== undefined && { requestsPerMinute: rpm }),
    ...(tpm !== undefined && { tokensPerMinute: tpm }),
    ...(streams !== undefined && { concurrentStreams: streams }),
    ...(lag !== undefined && { loadShedding: { eventLoopDelayMs: lag } }),
  };
}

/** `LYNKR_BANDIT_ALPHA`, `LYNKR_BANDIT_EPSILON`, `LYNKR_BANDIT_MAX_TIER_SHIFT`. */
function banditOptionsFromEnv(env: Env): Record<string, unknown> {
  const number = (name: string): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `${name}=${text} is not a number`);
    return n;
  };
  const alpha = number('LYNKR_BANDIT_ALPHA');
  const epsilon = number('LYNKR_BANDIT_EPSILON');
  const shift = number('LYNKR_BANDIT_MAX_TIER_SHIFT');
  return {
    ...(alpha !== undefined && { alpha }),
    ...(epsilon !== undefined && { epsilon }),
    ...(shift !== undefined && { maxTierShift: shift }),
  };
}

/** `FALLBACK_ENABLED=false` turns fallbacks off; `LYNKR_FALLBACK` lists `provider:model` targets tried last. */
function resilienceOptionsFromEnv(env: Env): Record<string, unknown> {
  const targets = list(env.LYNKR_FALLBACK);
  return {
    fallback: {
      enabled: env.FALLBACK_ENABLED?.toLowerCase() !== 'false',
      ...(targets && { targets }),
    },
  };
}

/** The default model of an environment provider. */
function modelOf(id: string, env: Env): string {
  if (id === 'anthropic') return ANTHROPIC.model(env);
  const own = OWN_PLUGIN.find((p) => p.id === id);
  return own ? own.model(env) : OPENAI_COMPATIBLE[id]!.model(env);
}

/**
 * Settings that the environment overrides whatever the config file says:
 * `PORT`, `HOST`, `LOG_LEVEL`, `LYNKR_STORAGE`, `LYNKR_KEYS` (or `LYNKR_API_KEYS`),
 * `LYNKR_ALLOW_UNAUTHENTICATED`.
 * @public
 */
export function envOverrides(env: Env = process.env): LynkrConfig {
  const out: LynkrConfig = {};
  const port = int(env.PORT);
  if (port !== undefined) out.server = { ...out.server, port };
  if (env.HOST) out.server = { ...out.server, host: env.HOST };
  const level = env.LOG_LEVEL?.toLowerCase();
  if (level) out.log = { level: (LOG_LEVELS.has(level) ? level : env.LOG_LEVEL) as NonNullable<LynkrConfig['log']>['level'] };
  if (env.LYNKR_STORAGE) out.storage = env.LYNKR_STORAGE;
  const keys = [...(list(env.LYNKR_KEYS) ?? []), ...(list(env.LYNKR_API_KEYS) ?? [])];
  if (keys.length) out.keys = keys;
  if (env.LYNKR_ALLOW_UNAUTHENTICATED?.toLowerCase() === 'true') out.server = { ...out.server, allowUnauthenticated: true };
  return out;
}

/**
 * The config used when there is no config file: the built-in set from the
 * environment plus the overrides above and `LYNKR_DISABLE`.
 * @public
 */
export function configFromEnv(env: Env = process.env): LynkrConfig {
  return {
    plugins: defaults(env),
    disable: list(env.LYNKR_DISABLE) ?? [],
  };
}
