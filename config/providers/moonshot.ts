/**
 * Moonshot (Kimi) from the environment (`provider-moonshot`): the original
 * Lynkr's variables.
 *
 * | variable | option |
 * | --- | --- |
 * | `MOONSHOT_API_KEY` | `apiKey` |
 * | `MOONSHOT_ENDPOINT` (default https://api.moonshot.ai/v1/chat/completions; an `…/anthropic` or `…/v1/messages` URL selects the Anthropic-compatible API) | `endpoint` |
 * | `MOONSHOT_MODEL` (default kimi-k2.6) | the default model |
 *
 * The original's default was kimi-k2-turbo-preview, which its own map then
 * sent to kimi-k2.6; here the default is kimi-k2.6 itself, and a model set
 * in MOONSHOT_MODEL is used as given.
 */
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export const moonshot: EnvProvider = {
  id: 'moonshot',
  plugin: 'provider-moonshot',
  on: (env: Env) => filled(env.MOONSHOT_API_KEY) !== undefined,
  options(env: Env) {
    // Left to the plugin's validation when unset: it names the missing option.
    const options: Record<string, unknown> = {};
    const apiKey = filled(env.MOONSHOT_API_KEY);
    if (apiKey !== undefined) options.apiKey = apiKey;
    const endpoint = filled(env.MOONSHOT_ENDPOINT);
    if (endpoint !== undefined) options.endpoint = endpoint;
    return options;
  },
  model: (env: Env) => filled(env.MOONSHOT_MODEL) ?? 'kimi-k2.6',
};
