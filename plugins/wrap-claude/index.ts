import { definePlugin, Type } from '../../kernel/index.js';
import { claudeTarget } from './target.js';

/**
 * `lynkr wrap claude`: runs Claude Code with `ANTHROPIC_BASE_URL` pointed at
 * Lynkr. A Pro/Max login keeps working; no API key is needed.
 */
export default definePlugin({
  name: 'wrap-claude',
  version: '1.0.0',
  kernel: '^1',
  description: 'lynkr wrap claude: Claude Code through Lynkr',
  options: Type.Object(
    {
      bin: Type.Optional(Type.String({ minLength: 1, description: 'The claude executable (a path, or a name in PATH). LYNKR_WRAP_CLAUDE_BIN overrides it.' })),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    ctx.wrap.register(claudeTarget(options));
  },
});
