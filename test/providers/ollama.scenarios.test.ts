/**
 * The scenario table for Ollama on its native API (`provider-ollama`,
 * `/api/chat`), with the Anthropic SDK as caller.
 */
import { startFakeOllama } from '../fakes/ollama.js';
import { ollamaBackend } from './backends/ollama.js';
import { providerScenarios } from './scenarios.js';

providerScenarios('ollama', async () => {
  const fake = await startFakeOllama();
  return {
    backend: ollamaBackend(fake),
    plugins: [['provider-ollama', { baseUrl: fake.url, model: 'qwen2.5-coder:7b' }]],
    target: 'ollama:qwen2.5-coder:7b',
    unsupported: {
      cachedTokens: 'Ollama reports no cached-token count: its usage is prompt_eval_count and eval_count only',
    },
    close: () => fake.close(),
  };
});
