import type { WrapTarget } from '../../kernel/index.js';

export interface AiderOptions {
  bin?: string | undefined;
  model?: string | undefined;
}

/** Whether the arguments already choose a model. */
function choosesModel(args: readonly string[]): boolean {
  return args.some((a) => a === '--model' || a.startsWith('--model='));
}

/**
 * Aider calls models through litellm, which picks the API from the model
 * name: `openai/<name>` and OpenAI models go to `OPENAI_API_BASE` (litellm
 * also reads `OPENAI_BASE_URL`), `anthropic/<name>` and Claude models to
 * `ANTHROPIC_API_BASE` (newer litellm: `ANTHROPIC_BASE_URL`). Both families
 * are pointed at Lynkr with Lynkr's key, so whichever the model needs goes
 * through Lynkr. Other litellm providers (`gemini/`, `deepseek/`, ...) do not.
 */
export function aiderTarget(options: AiderOptions): WrapTarget {
  return {
    name: 'aider',
    binaries: ['aider'],
    install: 'python -m pip install aider-install && aider-install (or: pipx install aider-chat, uv tool install aider-chat)',
    // pip --user on macOS.
    places: ['~/Library/Python/3.13/bin', '~/Library/Python/3.12/bin', '~/Library/Python/3.11/bin', '~/Library/Python/3.10/bin'],
    bin: options.bin,
    prepare({ baseUrl, args, apiKey }) {
      const v1 = `${baseUrl}/v1`;
      return {
        env: {
          OPENAI_API_BASE: v1,
          OPENAI_BASE_URL: v1,
          OPENAI_API_KEY: apiKey,
          ANTHROPIC_API_BASE: baseUrl,
          ANTHROPIC_BASE_URL: baseUrl,
          ANTHROPIC_API_KEY: apiKey,
        },
        args: options.model && !choosesModel(args) ? ['--model', options.model, ...args] : [...args],
      };
    },
  };
}
