import { UpstreamClient, definePlugin } from '../../kernel/index.js';
import { OptionsSchema } from './options.js';
import { zaiAdapter } from './upstream.js';

/**
 * Z.ai's GLM models, through its Anthropic-compatible API (default) or its
 * OpenAI-compatible one. Claude names map to GLM models; a route's model
 * is used as given.
 */
export const zaiProvider = definePlugin({
  name: 'provider-zai',
  version: '1.0.0',
  kernel: '^1',
  description: 'Z.ai GLM models, over its Anthropic-compatible or OpenAI-compatible API',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(zaiAdapter(options, client));
    return { close: () => client.close() };
  },
});

export default zaiProvider;
