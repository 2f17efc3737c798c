/**
 * Azure OpenAI from the environment (`provider-azure-openai`): the original
 * Lynkr's variables, plus AZURE_OPENAI_AD_TOKEN for Entra ID.
 *
 * | variable | option |
 * | --- | --- |
 * | `AZURE_OPENAI_ENDPOINT` (the resource URL, or a full chat or Responses URL: its deployment and api-version are used) | `endpoint` |
 * | `AZURE_OPENAI_API_KEY` | `apiKey`: sent as `api-key` |
 * | `AZURE_OPENAI_AD_TOKEN` | `bearerToken`: a Microsoft Entra ID token, sent as `Authorization: Bearer` instead |
 * | `AZURE_OPENAI_API_VERSION` (default 2024-10-21; the original read it but never sent it) | `apiVersion` |
 * | `AZURE_OPENAI_REASONING_EFFORT` (none, minimal, low, medium, high, xhigh) | `reasoningEffort` |
 * | `AZURE_OPENAI_DEPLOYMENT` (default: the endpoint URL's deployment, else gpt-4o) | the default model (the deployment) |
 *
 * A Responses endpoint URL (`…/openai/responses`, `…/openai/v1/responses`)
 * sends every deployment through the Responses API, as it did in the
 * original; otherwise only the codex and pro models go there.
 */
import { LynkrError } from '../../kernel/errors.js';
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

/** The deployment a full `/openai/deployments/<name>/…` URL names. */
function deploymentOf(endpoint: string | undefined): string | undefined {
  const match = endpoint ? /\/openai\/deployments\/([^/?#]+)/.exec(endpoint) : null;
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export const azureOpenAI: EnvProvider = {
  id: 'azure-openai',
  plugin: 'provider-azure-openai',
  on: (env: Env) => filled(env.AZURE_OPENAI_ENDPOINT) !== undefined && (filled(env.AZURE_OPENAI_API_KEY) ?? filled(env.AZURE_OPENAI_AD_TOKEN)) !== undefined,
  options(env: Env) {
    // Left to the plugin's validation when unset: it names the missing option.
    const options: Record<string, unknown> = {};
    const endpoint = filled(env.AZURE_OPENAI_ENDPOINT);
    if (endpoint !== undefined) options.endpoint = endpoint;
    const apiKey = filled(env.AZURE_OPENAI_API_KEY);
    if (apiKey !== undefined) options.apiKey = apiKey;
    const token = filled(env.AZURE_OPENAI_AD_TOKEN);
    if (token !== undefined) options.bearerToken = token;
    const apiVersion = filled(env.AZURE_OPENAI_API_VERSION);
    if (apiVersion !== undefined) options.apiVersion = apiVersion;
    const effort = filled(env.AZURE_OPENAI_REASONING_EFFORT)?.toLowerCase();
    if (effort !== undefined) {
      if (!EFFORTS.has(effort)) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `AZURE_OPENAI_REASONING_EFFORT=${effort} is not one of ${[...EFFORTS].join(', ')}`);
      options.reasoningEffort = effort;
    }
    return options;
  },
  model: (env: Env) => filled(env.AZURE_OPENAI_DEPLOYMENT) ?? deploymentOf(filled(env.AZURE_OPENAI_ENDPOINT)) ?? 'gpt-4o',
};
