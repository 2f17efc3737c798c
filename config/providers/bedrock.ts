/**
 * Amazon Bedrock from the environment (`provider-bedrock`): the original
 * Lynkr's variables (it knew only API keys), plus SigV4 from the standard
 * AWS variables.
 *
 * | variable | option |
 * | --- | --- |
 * | `AWS_BEDROCK_API_KEY` (else AWS's own `AWS_BEARER_TOKEN_BEDROCK`) | `apiKey`: sent as a bearer token instead of signing |
 * | `AWS_BEDROCK_REGION`, else `AWS_REGION` (default us-east-1) | `region` |
 * | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (both of the first two set) | `accessKeyId`, `secretAccessKey`, `sessionToken` |
 * | `AWS_BEDROCK_MODEL_ID` (default us.anthropic.claude-sonnet-4-5-20250929-v1:0) | the default model |
 *
 * Without a key or static credentials the plugin signs with the AWS
 * credential chain (AWS_PROFILE, SSO, web identity, an instance or task
 * role), read on the first request.
 */
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

const DEFAULT_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

const apiKeyOf = (env: Env) => filled(env.AWS_BEDROCK_API_KEY) ?? filled(env.AWS_BEARER_TOKEN_BEDROCK);

export const bedrock: EnvProvider = {
  id: 'bedrock',
  plugin: 'provider-bedrock',
  on: (env: Env) => apiKeyOf(env) !== undefined || filled(env.AWS_ACCESS_KEY_ID) !== undefined,
  options(env: Env) {
    const options: Record<string, unknown> = { region: filled(env.AWS_BEDROCK_REGION) ?? filled(env.AWS_REGION) ?? 'us-east-1' };
    const apiKey = apiKeyOf(env);
    if (apiKey !== undefined) options.apiKey = apiKey;
    // Passed on rather than left to the chain: values from a .env file are in `env`, not in process.env.
    const accessKeyId = filled(env.AWS_ACCESS_KEY_ID);
    const secretAccessKey = filled(env.AWS_SECRET_ACCESS_KEY);
    if (accessKeyId !== undefined && secretAccessKey !== undefined) {
      Object.assign(options, { accessKeyId, secretAccessKey });
      const sessionToken = filled(env.AWS_SESSION_TOKEN);
      if (sessionToken !== undefined) options.sessionToken = sessionToken;
    }
    return options;
  },
  model: (env: Env) => filled(env.AWS_BEDROCK_MODEL_ID) ?? DEFAULT_MODEL,
};
