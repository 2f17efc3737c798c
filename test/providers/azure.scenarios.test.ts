/**
 * The scenario table for the Azure providers: Claude in Azure AI Foundry
 * (Anthropic Messages), and Azure OpenAI over both of its APIs (a chat
 * deployment, and a codex deployment that speaks only Responses).
 */
import { startFakeAnthropic, startFakeOpenAI } from '../fakes/index.js';
import { startFakeResponses } from '../fakes/openai-responses.js';
import { anthropicBackend } from './backends/anthropic.js';
import { openaiChatBackend } from './backends/openai-chat.js';
import { responsesBackend } from './backends/responses.js';
import { providerScenarios } from './scenarios.js';

providerScenarios('azure-anthropic', async () => {
  const fake = await startFakeAnthropic({ apiKey: 'azure-key' });
  return {
    backend: anthropicBackend(fake),
    plugins: [['provider-azure-anthropic', { endpoint: fake.url, apiKey: 'azure-key' }]],
    target: 'azure-anthropic:claude-sonnet-4-5',
    close: () => fake.close(),
  };
});

providerScenarios('azure-openai (chat deployment)', async () => {
  const fake = await startFakeOpenAI();
  return {
    backend: openaiChatBackend(fake),
    plugins: [['provider-azure-openai', { endpoint: fake.url, apiKey: 'azure-key' }]],
    target: 'azure-openai:gpt-4o',
    close: () => fake.close(),
  };
});

providerScenarios('azure-openai (Responses deployment)', async () => {
  const fake = await startFakeResponses({ apiKey: 'azure-key' });
  return {
    backend: responsesBackend(fake),
    plugins: [['provider-azure-openai', { endpoint: fake.url, apiKey: 'azure-key' }]],
    target: 'azure-openai:gpt-5-codex',
    close: () => fake.close(),
  };
});
