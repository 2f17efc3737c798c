/**
 * The scenario table for Z.ai and Moonshot, each over both of its APIs
 * (Anthropic-compatible and OpenAI-compatible).
 */
import { startFakeAnthropic, startFakeOpenAI } from '../fakes/index.js';
import { anthropicBackend } from './backends/anthropic.js';
import { openaiChatBackend } from './backends/openai-chat.js';
import { providerScenarios } from './scenarios.js';

providerScenarios('zai (Anthropic endpoint)', async () => {
  const fake = await startFakeAnthropic({ apiKey: 'zai-key' });
  return {
    backend: anthropicBackend(fake),
    plugins: [['provider-zai', { apiKey: 'zai-key', endpoint: `${fake.url}/api/anthropic` }]],
    target: 'zai:glm-4.7',
    close: () => fake.close(),
  };
});

providerScenarios('zai (OpenAI endpoint)', async () => {
  const fake = await startFakeOpenAI({ apiKey: 'zai-key' });
  return {
    backend: openaiChatBackend(fake),
    plugins: [['provider-zai', { apiKey: 'zai-key', endpoint: `${fake.url}/api/paas/v4/chat/completions` }]],
    target: 'zai:glm-4.7',
    close: () => fake.close(),
  };
});

providerScenarios('moonshot (OpenAI endpoint)', async () => {
  const fake = await startFakeOpenAI({ apiKey: 'moonshot-key' });
  return {
    backend: openaiChatBackend(fake),
    plugins: [['provider-moonshot', { apiKey: 'moonshot-key', endpoint: `${fake.url}/v1/chat/completions` }]],
    target: 'moonshot:kimi-k2.6',
    close: () => fake.close(),
  };
});

providerScenarios('moonshot (Anthropic endpoint)', async () => {
  const fake = await startFakeAnthropic({ apiKey: 'moonshot-key' });
  return {
    backend: anthropicBackend(fake),
    plugins: [['provider-moonshot', { apiKey: 'moonshot-key', endpoint: `${fake.url}/anthropic` }]],
    target: 'moonshot:kimi-k2.6',
    close: () => fake.close(),
  };
});
