import { UpstreamClient, definePlugin } from '../../kernel/index.js';
import { azureOpenAIAdapter } from './adapter.js';
import { OptionsSchema } from './options.js';

/**
 * Azure OpenAI: a deployment's Chat Completions, or the Responses API for
 * deployments that speak only it (codex, pro). The deployment is the model.
 */
export const azureOpenAIProvider = definePlugin({
  name: 'provider-azure-openai',
  version: '1.0.0',
  kernel: '^1',
  description: 'Azure OpenAI deployments: Chat Completions, and the Responses API for codex and pro models',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    ctx.providers.register(azureOpenAIAdapter(options, client));
    return { close: () => client.close() };
  },
});

export default azureOpenAIProvider;
