/**
 * Z.ai from the environment (`provider-zai`): the original Lynkr's
 * variables.
 *
 * | variable | option |
 * | --- | --- |
 * | `ZAI_API_KEY` | `apiKey` |
 * | `ZAI_ENDPOINT` (default https://api.z.ai/api/anthropic/v1/messages; a `/chat/completions` URL selects the OpenAI-compatible API) | `endpoint` |
 * | `ZAI_MODEL` (default GLM-4.7), lower-cased as the original did | the default model |
 *
 * `ZAI_MAX_CONCURRENT` (the original's bulkhead of 2 requests) is not read:
 * Z.ai answers a request over its plan's concurrency with a 429, which
 * reaches the client with its status and retry-after.
 */
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export const zai: EnvProvider = {
  id: 'zai',
  plugin: 'provider-zai',
  on: (env: Env) => filled(env.ZAI_API_KEY) !== undefined,
  options(env: Env) {
    // Left to the plugin's validation when unset: it names the missing option.
    const options: Record<string, unknown> = {};
    const apiKey = filled(env.ZAI_API_KEY);
    if (apiKey !== undefined) options.apiKey = apiKey;
    const endpoint = filled(env.ZAI_ENDPOINT);
    if (endpoint !== undefined) options.endpoint = endpoint;
    return options;
  },
  model: (env: Env) => (filled(env.ZAI_MODEL) ?? 'glm-4.7').toLowerCase(),
};
