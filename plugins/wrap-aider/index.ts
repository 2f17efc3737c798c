import { definePlugin, Type } from '../../kernel/index.js';
import { aiderTarget } from './target.js';

/**
 * `lynkr wrap aider`: runs Aider with the OpenAI and Anthropic API bases
 * litellm reads pointed at Lynkr.
 */
export default definePlugin({
  name: 'wrap-aider',
  version: '1.0.0',
  kernel: '^1',
  description: 'lynkr wrap aider: Aider through Lynkr',
  options: Type.Object(
    {
      bin: Type.Optional(Type.String({ minLength: 1, description: 'The aider executable (a path, or a name in PATH). LYNKR_WRAP_AIDER_BIN overrides it.' })),
      model: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'Passed as `--model` unless the arguments choose one: `openai/<name>` or `anthropic/<name>` (or a plain OpenAI or Claude model id).',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    ctx.wrap.register(aiderTarget(options));
  },
});
