import { UpstreamClient, anthropicMessagesAdapter, definePlugin } from '../../kernel/index.js';
import { OptionsSchema, upstreamOf } from './options.js';

/**
 * Claude in Azure AI Foundry: the Anthropic Messages API under a Foundry
 * resource, where the `model` is the deployment's name. Requests and stream
 * events pass through as they are, through the kernel's Anthropic adapter.
 */
export const azureAnthropicProvider = definePlugin({
  name: 'provider-azure-anthropic',
  version: '1.0.0',
  kernel: '^1',
  description: 'Claude in Azure AI Foundry (Anthropic Messages), passed through as the client sent it',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(anthropicMessagesAdapter(upstreamOf(options), client));
    return { close: () => client.close() };
  },
});

export default azureAnthropicProvider;
