/**
 * Claude in Azure AI Foundry from the environment (`provider-azure-anthropic`):
 * the original Lynkr's variables, plus AZURE_ANTHROPIC_MODEL.
 *
 * | variable | option |
 * | --- | --- |
 * | `AZURE_ANTHROPIC_ENDPOINT` (the resource URL, or the full `…/anthropic/v1/messages` URL) | `endpoint` |
 * | `AZURE_ANTHROPIC_API_KEY` | `apiKey`: sent as `x-api-key` |
 * | `AZURE_ANTHROPIC_VERSION` (default 2023-06-01) | `anthropicVersion` |
 * | `AZURE_ANTHROPIC_MODEL` (default claude-opus-4-5, the original's MODEL_DEFAULT for this provider) | the default model (the deployment) |
 */
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export const azureAnthropic: EnvProvider = {
  id: 'azure-anthropic',
  plugin: 'provider-azure-anthropic',
  on: (env: Env) => filled(env.AZURE_ANTHROPIC_ENDPOINT) !== undefined && filled(env.AZURE_ANTHROPIC_API_KEY) !== undefined,
  options(env: Env) {
    // Left to the plugin's validation when unset: it names the missing option.
    const options: Record<string, unknown> = {};
    const endpoint = filled(env.AZURE_ANTHROPIC_ENDPOINT);
    if (endpoint !== undefined) options.endpoint = endpoint;
    const apiKey = filled(env.AZURE_ANTHROPIC_API_KEY);
    if (apiKey !== undefined) options.apiKey = apiKey;
    const version = filled(env.AZURE_ANTHROPIC_VERSION);
    if (version !== undefined) options.anthropicVersion = version;
    return options;
  },
  model: (env: Env) => filled(env.AZURE_ANTHROPIC_MODEL) ?? 'claude-opus-4-5',
};
