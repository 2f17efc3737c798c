import { UpstreamClient, definePlugin, openaiChatAdapter } from '../../kernel/index.js';
import { OptionsSchema, PRESET_IDS, upstreamOf, type Entry } from './options.js';

/**
 * Every upstream that speaks OpenAI Chat Completions: OpenAI, OpenRouter,
 * llama.cpp, LM Studio, Ollama's `/v1`, Databricks serving endpoints, and
 * any number of `custom` ones. Each entry present registers one provider.
 */
export const openaiCompatibleProvider = definePlugin({
  name: 'provider-openai-compatible',
  version: '1.0.0',
  kernel: '^1',
  description: 'OpenAI Chat Completions upstreams: openai, openrouter, llamacpp, lmstudio, ollama, databricks, custom',
  options: OptionsSchema,
  setup(ctx, options) {
    const client = new UpstreamClient();
    const entries: Array<[string, Entry]> = [];
    // Validated with defaults at boot: the defaulted keys are there.
    for (const id of PRESET_IDS) {
      const entry = options[id] as Entry | undefined;
      if (entry) entries.push([id, entry]);
    }
    for (const entry of options.custom ?? []) entries.push([entry.id, entry as Entry]);
    for (const [id, entry] of entries) ctx.providers.register(openaiChatAdapter(upstreamOf(id, entry), client));
    return { close: () => client.close() };
  },
});

export default openaiCompatibleProvider;
