/**
 * The routing part of the environment mapping: the variables an existing
 * Lynkr `.env` uses for tier routing and the intent window, as the options
 * of the router-tiers and intent-window plugins.
 */
import { LynkrError } from '../kernel/errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What the environment can set of router-tiers' options; everything else keeps its default. */
export interface TierEnvOptions {
  simple?: string[];
  medium?: string[];
  complex?: string[];
  reasoning?: string[];
  affinity?: { enabled?: boolean; ttlMs?: number; escalationMargin?: number };
}

const TIER_VARS = [
  ['simple', 'TIER_SIMPLE'],
  ['medium', 'TIER_MEDIUM'],
  ['complex', 'TIER_COMPLEX'],
  ['reasoning', 'TIER_REASONING'],
] as const;

/**
 * One `TIER_*` value as targets. Entries are comma-separated; each is split at
 * its first colon (`ollama:qwen2.5-coder:7b`, `bedrock:us.anthropic.claude-v1:0`),
 * the provider trimmed and lower-cased. An entry without a colon is a model of
 * the default provider (`MODEL_PROVIDER`, else `ollama`).
 */
function targets(name: string, value: string, defaultProvider: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const provider = at === -1 ? defaultProvider : entry.slice(0, at).trim().toLowerCase();
      const model = at === -1 ? entry : entry.slice(at + 1).trim();
      if (!/^[a-z][a-z0-9-]*$/.test(provider) || !model) {
        throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `${name}=${value}: "${entry}" is not provider:model`);
      }
      return `${provider}:${model}`;
    });
}

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `${name}=${value} is not a whole number of at least ${min}`);
  return n;
}

function flag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `${name}=${value} is not true or false`);
}

/** The providers the tier entries name, so the environment mapping can enable each of them. @public */
export function tierProviders(options: TierEnvOptions): string[] {
  const entries = TIER_VARS.flatMap(([option]) => {
    const value = options[option];
    return value ?? [];
  });
  return [...new Set(entries.map((entry) => entry.slice(0, entry.indexOf(':'))))];
}

/**
 * router-tiers' options from the environment, or undefined when no `TIER_*`
 * variable is set (then tier routing is not configured and router-static
 * decides alone). Any subset of the four tiers is enough: missing tiers
 * borrow from the nearest configured one.
 *
 * | variable | option |
 * | --- | --- |
 * | `TIER_SIMPLE` .. `TIER_REASONING` | `simple` .. `reasoning` |
 * | `LYNKR_STICKY_SESSIONS` | `affinity.enabled` |
 * | `LYNKR_STICKY_TTL_MS` | `affinity.ttlMs` |
 * | `LYNKR_PIN_DRIFT_MARGIN` | `affinity.escalationMargin` |
 *
 * Malformed values refuse to boot with `LYNKR_ERR_CONFIG_INVALID` naming the variable.
 * @public
 */
export function tierOptionsFromEnv(env: Env): TierEnvOptions | undefined {
  const defaultProvider = (env.MODEL_PROVIDER ?? 'ollama').trim().toLowerCase();
  const out: TierEnvOptions = {};
  for (const [option, name] of TIER_VARS) {
    const value = env[name];
    if (value?.trim()) out[option] = targets(name, value, defaultProvider);
  }
  if (!TIER_VARS.some(([option]) => out[option])) return undefined;
  const affinity: NonNullable<TierEnvOptions['affinity']> = {};
  const enabled = flag('LYNKR_STICKY_SESSIONS', env.LYNKR_STICKY_SESSIONS);
  if (enabled !== undefined) affinity.enabled = enabled;
  const ttlMs = integer('LYNKR_STICKY_TTL_MS', env.LYNKR_STICKY_TTL_MS, 1000);
  if (ttlMs !== undefined) affinity.ttlMs = ttlMs;
  const margin = integer('LYNKR_PIN_DRIFT_MARGIN', env.LYNKR_PIN_DRIFT_MARGIN, 0);
  if (margin !== undefined) affinity.escalationMargin = margin;
  if (Object.keys(affinity).length) out.affinity = affinity;
  return out;
}

/**
 * intent-window's options from `LYNKR_INTENT_WINDOW_N` (a whole number ≥ 1)
 * and `LYNKR_INTENT_DECAY` (in (0, 1]); unset variables keep the defaults (5
 * and 0.7). Malformed values refuse to boot with `LYNKR_ERR_CONFIG_INVALID`.
 * @public
 */
export function intentWindowOptionsFromEnv(env: Env): { size?: number; decay?: number } {
  const out: { size?: number; decay?: number } = {};
  const n = env.LYNKR_INTENT_WINDOW_N?.trim();
  if (n) {
    const size = Number(n);
    if (!Number.isInteger(size) || size < 1) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `LYNKR_INTENT_WINDOW_N=${n} is not a whole number of at least 1`);
    out.size = size;
  }
  const d = env.LYNKR_INTENT_DECAY?.trim();
  if (d) {
    const decay = Number(d);
    if (!(decay > 0 && decay <= 1)) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `LYNKR_INTENT_DECAY=${d} is not a number in (0, 1]`);
    out.decay = decay;
  }
  return out;
}
