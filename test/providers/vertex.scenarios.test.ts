/**
 * The scenario table for Vertex AI (`provider-vertex`), once per family and
 * way in: Claude on Vertex (Anthropic Messages on rawPredict and
 * streamRawPredict) and Gemini on Vertex (generateContent), both with a
 * service account whose tokens come from the fake's token endpoint; and
 * Gemini on the Gemini API with an API key.
 */
import { startFakeVertex } from '../fakes/vertex.js';
import { geminiBackend, vertexClaudeBackend } from './backends/vertex.js';
import { providerScenarios } from './scenarios.js';

providerScenarios('vertex (Claude, service account)', async () => {
  const fake = await startFakeVertex();
  return {
    backend: vertexClaudeBackend(fake),
    plugins: [['provider-vertex', { baseUrl: fake.url, credentials: JSON.stringify(fake.serviceAccount) }]],
    target: 'vertex:claude-sonnet-4-5@20250929',
    close: () => fake.close(),
  };
});

providerScenarios('vertex (Gemini, service account)', async () => {
  const fake = await startFakeVertex();
  return {
    backend: geminiBackend(fake),
    plugins: [['provider-vertex', { baseUrl: fake.url, credentials: JSON.stringify(fake.serviceAccount), region: 'us-central1' }]],
    target: 'vertex:gemini-3.8-flash',
    toolCallIds: false,
    close: () => fake.close(),
  };
});

providerScenarios('vertex (Gemini API, API key)', async () => {
  const fake = await startFakeVertex();
  return {
    backend: geminiBackend(fake),
    plugins: [['provider-vertex', { baseUrl: fake.url, apiKey: fake.apiKey }]],
    target: 'vertex:gemini-2.5-flash',
    toolCallIds: false,
    close: () => fake.close(),
  };
});
