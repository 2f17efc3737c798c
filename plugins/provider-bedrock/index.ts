import { UpstreamClient, definePlugin } from '../../kernel/index.js';
import { bedrockAdapter } from './adapter.js';
import { OptionsSchema, upstreamOf } from './options.js';

/**
 * Amazon Bedrock through its Converse and ConverseStream APIs: every model
 * family Bedrock serves (Claude, Nova, Llama, Mistral, …), signed with SigV4
 * or a Bedrock API key.
 */
export const bedrockProvider = definePlugin({
  name: 'provider-bedrock',
  version: '1.0.0',
  kernel: '^1',
  description: 'Amazon Bedrock Converse upstream (SigV4 or API key), event-stream answers translated as they arrive',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(bedrockAdapter(upstreamOf(options), client, ctx.log));
    return { close: () => client.close() };
  },
});

export default bedrockProvider;
