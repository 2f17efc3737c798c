import type { WrapTarget } from '../../kernel/index.js';

export interface CopilotOptions {
  bin?: string | undefined;
  providerType: 'anthropic' | 'openai';
  model?: string | undefined;
  wireApi?: 'completions' | 'responses' | undefined;
  offline: boolean;
}

/**
 * A model Copilot knows (it sizes its prompts and tools by it). Lynkr's
 * router decides what answers; this only names what Copilot asks for.
 */
export function defaultModel(options: Pick<CopilotOptions, 'providerType' | 'wireApi'>): string {
  if (options.providerType === 'anthropic') return 'claude-sonnet-4.5';
  return options.wireApi === 'responses' ? 'gpt-5' : 'gpt-4.1';
}

/**
 * Copilot CLI's "bring your own key" provider, pointed at Lynkr: the
 * Anthropic Messages API at the base URL (Copilot appends `/v1/messages`),
 * or the OpenAI API at `<base>/v1` (Chat Completions, or Responses with
 * `wireApi`). No GitHub login is needed; `offline` also turns off its
 * telemetry, web tools, GitHub MCP server and auto-update.
 */
export function copilotTarget(options: CopilotOptions): WrapTarget {
  return {
    name: 'copilot',
    binaries: ['copilot'],
    install: 'npm install -g @github/copilot (or: brew install copilot-cli)',
    bin: options.bin,
    prepare({ baseUrl, args, env, apiKey }) {
      const anthropic = options.providerType === 'anthropic';
      const vars: Record<string, string> = {
        COPILOT_PROVIDER_TYPE: options.providerType,
        COPILOT_PROVIDER_BASE_URL: anthropic ? baseUrl : `${baseUrl}/v1`,
        COPILOT_PROVIDER_API_KEY: apiKey,
      };
      // Both take precedence over COPILOT_PROVIDER_API_KEY: a key meant for another provider must not be sent instead.
      for (const name of ['COPILOT_PROVIDER_BEARER_TOKEN', 'COPILOT_PROVIDER_API_KEY_COMMAND']) if (env[name]) vars[name] = '';
      // Copilot refuses to start a custom provider without a model: give it one unless the caller chose.
      const chosen = env.COPILOT_PROVIDER_MODEL_ID || args.some((a) => a === '--model' || a.startsWith('--model='));
      const model = options.model ?? env.COPILOT_MODEL ?? (chosen ? undefined : defaultModel(options));
      if (model) vars.COPILOT_MODEL = model;
      if (!anthropic && options.wireApi) vars.COPILOT_PROVIDER_WIRE_API = options.wireApi;
      if (options.offline) vars.COPILOT_OFFLINE = 'true';
      return { env: vars, args: [...args] };
    },
  };
}
