import { definePlugin, Type } from '../../kernel/index.js';
import { codexTarget } from './target.js';

/**
 * `lynkr wrap codex`: runs the Codex CLI with a `lynkr` model provider
 * (Responses API) pointed at Lynkr, declared with `-c` overrides.
 */
export default definePlugin({
  name: 'wrap-codex',
  version: '1.0.0',
  kernel: '^1',
  description: 'lynkr wrap codex: Codex CLI through Lynkr',
  options: Type.Object(
    {
      bin: Type.Optional(Type.String({ minLength: 1, description: 'The codex executable (a path, or a name in PATH). LYNKR_WRAP_CODEX_BIN overrides it.' })),
      model: Type.Optional(Type.String({ minLength: 1, description: 'The model Codex asks for (`-c model=...`); Lynkr\'s router still decides where it goes.' })),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    ctx.wrap.register(codexTarget(options));
  },
});
