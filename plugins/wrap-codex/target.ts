import type { WrapTarget } from '../../kernel/index.js';

export interface CodexOptions {
  bin?: string | undefined;
  model?: string | undefined;
}

/** The provider id Codex knows Lynkr by, and the variable its key is read from. */
export const PROVIDER = 'lynkr';
export const KEY_VAR = 'LYNKR_API_KEY';

/** A `-c key=value` override; the value is parsed as TOML, and a JSON string is a valid TOML basic string. */
const override = (key: string, value: string): string[] => ['-c', `${key}=${JSON.stringify(value)}`];

/**
 * Codex ignores `OPENAI_BASE_URL` for its own requests: it needs a model
 * provider. One is declared with `-c` overrides (nothing is written to
 * `~/.codex/config.toml`), speaking the Responses API, its key read from
 * `LYNKR_API_KEY`. The overrides come before the user's arguments, where
 * both the interactive CLI and `codex exec` accept them.
 */
export function codexTarget(options: CodexOptions): WrapTarget {
  return {
    name: 'codex',
    binaries: ['codex'],
    install: 'npm install -g @openai/codex (or: brew install --cask codex)',
    bin: options.bin,
    prepare({ baseUrl, args, apiKey }) {
      return {
        env: { [KEY_VAR]: apiKey },
        args: [
          ...override('model_provider', PROVIDER),
          ...override(`model_providers.${PROVIDER}.name`, 'Lynkr'),
          ...override(`model_providers.${PROVIDER}.base_url`, `${baseUrl}/v1`),
          ...override(`model_providers.${PROVIDER}.env_key`, KEY_VAR),
          ...override(`model_providers.${PROVIDER}.wire_api`, 'responses'),
          ...(options.model ? override('model', options.model) : []),
          ...args,
        ],
      };
    },
  };
}
