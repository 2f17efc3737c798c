import { UpstreamClient, definePlugin } from '../../kernel/index.js';
import { vertexAdapter } from './adapter.js';
import { GoogleAccess, loadKeyFile } from './auth.js';
import { OptionsSchema } from './options.js';

/**
 * Google Vertex AI as an upstream: Anthropic's Claude models (Anthropic
 * Messages on `rawPredict`/`streamRawPredict`) and Google's Gemini models
 * (`generateContent`), with a service account or Application Default
 * Credentials; or Gemini alone with a Gemini API key.
 */
export const vertexProvider = definePlugin({
  name: 'provider-vertex',
  version: '1.0.0',
  kernel: '^1',
  description: 'Google Vertex AI upstream: Claude (Anthropic Messages) and Gemini (generateContent) models',
  options: OptionsSchema,
  async setup(ctx, options) {
    const key = options.credentials ? await loadKeyFile(options.id, options.credentials) : undefined;
    // Google credentials are needed unless a Gemini API key is all there is; without a key file they come from ADC, on first use.
    const access = key || options.project || !options.apiKey ? new GoogleAccess(options.id, { key, project: options.project }) : undefined;
    const client = new UpstreamClient();
    ctx.providers.register(vertexAdapter(options, access, client));
    return { close: () => client.close() };
  },
});

export default vertexProvider;
