/**
 * The scenario table for Bedrock Converse, once per way of signing: SigV4
 * with static credentials (the fake recomputes every signature) and a
 * Bedrock API key.
 */
import { FAKE_AWS_CREDENTIALS, FAKE_BEDROCK_API_KEY, startFakeBedrock } from '../fakes/bedrock.js';
import { bedrockBackend } from './backends/bedrock.js';
import { providerScenarios } from './scenarios.js';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

providerScenarios('bedrock (SigV4)', async () => {
  const fake = await startFakeBedrock();
  return {
    backend: bedrockBackend(fake),
    plugins: [['provider-bedrock', { baseUrl: fake.url, region: 'us-east-1', ...FAKE_AWS_CREDENTIALS }]],
    target: `bedrock:${MODEL}`,
    close: () => fake.close(),
  };
});

providerScenarios('bedrock (API key)', async () => {
  const fake = await startFakeBedrock();
  return {
    backend: bedrockBackend(fake),
    plugins: [['provider-bedrock', { baseUrl: fake.url, region: 'us-east-1', apiKey: FAKE_BEDROCK_API_KEY }]],
    target: `bedrock:${MODEL}`,
    close: () => fake.close(),
  };
});
