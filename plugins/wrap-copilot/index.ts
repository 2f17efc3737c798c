import { definePlugin, Type } from '../../kernel/index.js';
import { copilotTarget } from './target.js';

/**
 * `lynkr wrap copilot`: runs the GitHub Copilot CLI with its custom model
 * provider (`COPILOT_PROVIDER_*`) pointed at Lynkr.
 */
export default definePlugin({
  name: 'wrap-copilot',
  version: '1.0.0',
  kernel: '^1',
  description: 'lynkr wrap copilot: Copilot CLI through Lynkr',
  options: Type.Object(
    {
      bin: Type.Optional(Type.String({ minLength: 1, description: 'The copilot executable (a path, or a name in PATH). LYNKR_WRAP_COPILOT_BIN overrides it.' })),
      providerType: Type.Union([Type.Literal('anthropic'), Type.Literal('openai')], {
        default: 'anthropic',
        description: 'The API Copilot speaks to Lynkr: `anthropic` (Messages, served by api-anthropic) or `openai` (served by api-openai).',
      }),
      model: Type.Optional(Type.String({ minLength: 1, description: 'COPILOT_MODEL: the model Copilot asks for. Default: the caller\'s COPILOT_MODEL, else claude-sonnet-4.5 (anthropic), gpt-4.1 (openai) or gpt-5 (openai, responses).' })),
      wireApi: Type.Optional(
        Type.Union([Type.Literal('completions'), Type.Literal('responses')], { description: 'With providerType openai: Chat Completions (Copilot\'s default) or the Responses API.' }),
      ),
      offline: Type.Boolean({ default: false, description: 'Fully local: COPILOT_OFFLINE=true (no GitHub auth, telemetry, web tools, GitHub MCP server or auto-update).' }),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    ctx.wrap.register(copilotTarget(options));
  },
});
