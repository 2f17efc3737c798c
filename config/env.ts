/**
 * The environment-variable mapping: how an existing Lynkr `.env` becomes a
 * config. Kept in one place so docs/config.md can list it exactly.
 */
import type { LynkrConfig, PluginEntry } from '../kernel/config/schema.js';

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

/**
 * The built-in plugin set, configured from the environment: the API surfaces
 * in front, the providers the environment names behind (Ollama on localhost
 * when it names none), and the router.
 * @public
 */
export function defaults(env: Env = process.env): PluginEntry[] {
  void env;
  return [];
}

/**
 * Settings that the environment overrides whatever the config file says:
 * `PORT`, `HOST`, `LOG_LEVEL`, `LYNKR_STORAGE`, `LYNKR_KEYS`.
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
  const keys = list(env.LYNKR_KEYS);
  if (keys) out.keys = keys;
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
