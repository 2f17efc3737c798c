import { definePlugin, Type } from '../../kernel/index.js';
import { cursorTarget } from './target.js';

/**
 * `lynkr wrap cursor`: runs the Cursor agent CLI, else the editor, with the
 * OpenAI and Anthropic base URL variables pointed at Lynkr. Cursor's own
 * model calls do not go through Lynkr (see the README).
 */
export default definePlugin({
  name: 'wrap-cursor',
  version: '1.0.0',
  kernel: '^1',
  description: 'lynkr wrap cursor: Cursor agent CLI or editor, with Lynkr for what they run',
  options: Type.Object(
    {
      bin: Type.Optional(
        Type.String({ minLength: 1, description: 'The cursor-agent or cursor executable (a path, or a name in PATH). LYNKR_WRAP_CURSOR_BIN overrides it.' }),
      ),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    ctx.wrap.register(cursorTarget(options));
  },
});
