import { UpstreamClient, anthropicMessagesAdapter, definePlugin } from '../../kernel/index.js';
import { OptionsSchema, upstreamOf } from './options.js';

/**
 * The Anthropic Messages API as an upstream: api.anthropic.com, or any
 * Anthropic-compatible endpoint (Azure, Z.ai, Moonshot, a local server).
 * Requests and stream events pass through as they are.
 */
export const anthropicProvider = definePlugin({
  name: 'provider-anthropic',
  version: '1.0.0',
  kernel: '^1',
  description: 'Anthropic Messages upstream, passed through as the client sent it',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(anthropicMessagesAdapter(upstreamOf(options), client));
    return { close: () => client.close() };
  },
});

export default anthropicProvider;
