import { UpstreamClient, definePlugin } from '../../kernel/index.js';
import { ollamaAdapter } from './adapter.js';
import { OptionsSchema, upstreamOf } from './options.js';

/**
 * Ollama on its native chat API (`/api/chat`): NDJSON streams, `keep_alive`,
 * `options.num_ctx`, tool calls as objects, `think`. Registers one provider
 * (`ollama` by default).
 */
export const ollamaProvider = definePlugin({
  name: 'provider-ollama',
  version: '1.0.0',
  kernel: '^1',
  description: "Ollama's native chat API: NDJSON streams, keep_alive, num_ctx, tools, thinking",
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(ollamaAdapter(upstreamOf(options), client));
    return { close: () => client.close() };
  },
});

export default ollamaProvider;
