import { UpstreamClient, definePlugin } from '../../kernel/index.js';
import { OptionsSchema } from './options.js';
import { moonshotAdapter } from './upstream.js';

/**
 * Moonshot's Kimi models, through its OpenAI-compatible API (default) or
 * its Anthropic-compatible one. Claude names map to Kimi, Moonshot ids pass
 * through, and Kimi K-series sampling is pinned.
 */
export const moonshotProvider = definePlugin({
  name: 'provider-moonshot',
  version: '1.0.0',
  kernel: '^1',
  description: 'Moonshot Kimi models, over its OpenAI-compatible or Anthropic-compatible API',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(moonshotAdapter(options, client));
    return { close: () => client.close() };
  },
});

export default moonshotProvider;
