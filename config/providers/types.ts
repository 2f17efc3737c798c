import type { Env } from '../env.js';

/**
 * A provider the environment can switch on: which built-in plugin serves it
 * and how Lynkr's environment variables become that plugin's options. One
 * file per provider in `config/providers/`; `config/env.ts` lists them.
 */
export interface EnvProvider {
  /** The provider id: `MODEL_PROVIDER`'s value and the prefix in `TIER_*` (`bedrock`, `vertex`, ...). */
  id: string;
  /** The built-in plugin that serves it. */
  plugin: string;
  /** Whether the environment switches it on even when neither MODEL_PROVIDER nor a tier names it (its credentials are set). */
  on(env: Env): boolean;
  /** The plugin's options, without `model`. */
  options(env: Env): Record<string, unknown>;
  /** The model used when a route names none. */
  model(env: Env): string;
}
