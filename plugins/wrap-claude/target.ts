import type { WrapTarget } from '../../kernel/index.js';

export interface ClaudeOptions {
  bin?: string | undefined;
}

/**
 * Claude Code reads `ANTHROPIC_BASE_URL` (no `/v1`: it appends
 * `/v1/messages` itself). Nothing else is set, so whatever it
 * authenticates with stays as it is: a Pro/Max login sends its OAuth token,
 * `ANTHROPIC_API_KEY` its key. When Lynkr requires a key, it goes in an
 * extra header, which leaves the tool's own credentials alone.
 */
export function claudeTarget(options: ClaudeOptions): WrapTarget {
  return {
    name: 'claude',
    binaries: ['claude'],
    install: 'npm install -g @anthropic-ai/claude-code (or the native installer: curl -fsSL https://claude.ai/install.sh | bash)',
    // Where `claude migrate-installer` puts its local install.
    places: ['~/.claude/local'],
    bin: options.bin,
    prepare({ baseUrl, args, env, apiKey, keyRequired }) {
      const vars: Record<string, string> = { ANTHROPIC_BASE_URL: baseUrl };
      if (keyRequired) {
        // ANTHROPIC_CUSTOM_HEADERS holds "Name: Value" lines; keep the user's, replace any x-lynkr-key.
        const own = (env.ANTHROPIC_CUSTOM_HEADERS ?? '').split('\n').filter((l) => l.trim() && !/^\s*x-lynkr-key\s*:/i.test(l));
        vars.ANTHROPIC_CUSTOM_HEADERS = [...own, `x-lynkr-key: ${apiKey}`].join('\n');
      }
      return { env: vars, args: [...args] };
    },
  };
}
