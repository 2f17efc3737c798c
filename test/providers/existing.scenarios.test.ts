/**
 * The scenario table for the providers on the two original wires: OpenAI
 * Chat Completions (openai, openrouter, databricks) and Anthropic Messages.
 */
import { startFakeAnthropic, startFakeOpenAI } from '../fakes/index.js';
import { anthropicBackend } from './backends/anthropic.js';
import { openaiChatBackend } from './backends/openai-chat.js';
import { providerScenarios } from './scenarios.js';

providerScenarios('openai', async () => {
  const fake = await startFakeOpenAI();
  return {
    backend: openaiChatBackend(fake),
    plugins: [['provider-openai-compatible', { openai: { baseUrl: `${fake.url}/v1`, apiKey: 'sk-test', model: 'gpt-test' } }]],
    target: 'openai:gpt-test',
    close: () => fake.close(),
  };
});

providerScenarios('openrouter', async () => {
  const fake = await startFakeOpenAI();
  return {
    backend: openaiChatBackend(fake),
    plugins: [['provider-openai-compatible', { openrouter: { baseUrl: `${fake.url}/api/v1`, apiKey: 'sk-or-test' } }]],
    target: 'openrouter:anthropic/claude-sonnet-4.5',
    close: () => fake.close(),
  };
});

providerScenarios('databricks', async () => {
  const fake = await startFakeOpenAI();
  return {
    backend: openaiChatBackend(fake),
    plugins: [['provider-openai-compatible', { databricks: { baseUrl: fake.url, apiKey: 'dapi-test' } }]],
    target: 'databricks:databricks-claude-sonnet-4-5',
    close: () => fake.close(),
  };
});

providerScenarios('anthropic', async () => {
  const fake = await startFakeAnthropic();
  return {
    backend: anthropicBackend(fake),
    plugins: [['provider-anthropic', { baseUrl: fake.url, apiKey: 'sk-ant-test' }]],
    target: 'anthropic:claude-sonnet-4-5',
    close: () => fake.close(),
  };
});
