/**
 * The EnvProvider records of azure-anthropic, azure-openai, zai and
 * moonshot: the original Lynkr's variables become options the plugin
 * boots with, and the request reaches the fake upstream as those
 * variables say.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { azureAnthropic } from '../../config/providers/azure-anthropic.js';
import { azureOpenAI } from '../../config/providers/azure-openai.js';
import { moonshot } from '../../config/providers/moonshot.js';
import type { EnvProvider } from '../../config/providers/types.js';
import { zai } from '../../config/providers/zai.js';
import type { Kernel } from '../../kernel/kernel.js';
import { startFakeAnthropic, startFakeOpenAI } from '../fakes/index.js';
import { startFakeResponses } from '../fakes/openai-responses.js';
import { testKernel } from '../helpers/kernel.js';
import { failure, routeTo, run, userRequest } from './helpers.js';

let kernel: Kernel | undefined;
const fakes: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

/** Boot the provider's plugin as the environment configures it, routed to its default model. */
async function boot(provider: EnvProvider, env: Record<string, string>): Promise<Kernel> {
  expect(provider.on(env)).toBe(true);
  const options = { ...provider.options(env), model: provider.model(env) };
  kernel = await testKernel({ plugins: [[provider.plugin, options], routeTo(provider.id, '')] });
  return kernel;
}

async function fake<T extends { close(): Promise<void> }>(started: Promise<T>): Promise<T> {
  const f = await started;
  fakes.push(f);
  return f;
}

describe('EnvProvider records', () => {
  it('azure-anthropic: a resource URL, the key and the version', async () => {
    const up = await fake(startFakeAnthropic());
    await boot(azureAnthropic, { AZURE_ANTHROPIC_ENDPOINT: up.url, AZURE_ANTHROPIC_API_KEY: 'k', AZURE_ANTHROPIC_VERSION: '2023-06-01' });
    await run(kernel!, userRequest('hi', { model: 'claude-sonnet-4-5' }));
    expect(up.requests[0]).toMatchObject({ path: '/anthropic/v1/messages', headers: { 'x-api-key': 'k' }, json: { model: 'claude-opus-4-5' } });
    expect(azureAnthropic.on({ AZURE_ANTHROPIC_ENDPOINT: 'https://x' })).toBe(false);
  });

  it('azure-openai: a full chat URL gives the deployment and api-version; AZURE_OPENAI_API_VERSION and the effort apply', async () => {
    const up = await fake(startFakeOpenAI());
    const env = {
      AZURE_OPENAI_ENDPOINT: `${up.url}/openai/deployments/o4-mini/chat/completions?api-version=2024-12-01-preview`,
      AZURE_OPENAI_API_KEY: 'k',
      AZURE_OPENAI_REASONING_EFFORT: 'High',
    };
    expect(azureOpenAI.model(env)).toBe('o4-mini');
    await boot(azureOpenAI, env);
    await run(kernel!, userRequest('hi'));
    expect(up.requests[0]).toMatchObject({
      path: '/openai/deployments/o4-mini/chat/completions?api-version=2024-12-01-preview',
      headers: { 'api-key': 'k' },
      json: { reasoning_effort: 'high', max_completion_tokens: 256 },
    });
    expect(azureOpenAI.options({ ...env, AZURE_OPENAI_API_VERSION: '2025-04-01-preview' })).toMatchObject({ apiVersion: '2025-04-01-preview' });
    expect(() => azureOpenAI.options({ ...env, AZURE_OPENAI_REASONING_EFFORT: 'max' })).toThrow('AZURE_OPENAI_REASONING_EFFORT=max is not one of');
  });

  it('azure-openai: a Responses URL sends the deployment through Responses, with an Entra token', async () => {
    const up = await fake(startFakeResponses());
    await boot(azureOpenAI, { AZURE_OPENAI_ENDPOINT: `${up.url}/openai/v1/responses`, AZURE_OPENAI_AD_TOKEN: 'entra', AZURE_OPENAI_DEPLOYMENT: 'gpt-4.1' });
    await run(kernel!, userRequest('hi'));
    expect(up.requests[0]).toMatchObject({ path: '/openai/v1/responses', headers: { authorization: 'Bearer entra' }, json: { model: 'gpt-4.1' } });
  });

  it('zai: the Anthropic endpoint by default, the OpenAI one for a /chat/completions URL, ZAI_MODEL lower-cased', async () => {
    const anthropic = await fake(startFakeAnthropic());
    await boot(zai, { ZAI_API_KEY: 'k', ZAI_ENDPOINT: `${anthropic.url}/api/anthropic/v1/messages`, ZAI_MODEL: 'GLM-4.6' });
    await run(kernel!, userRequest('hi', { model: 'claude-opus-4-1' }));
    expect(anthropic.requests[0]).toMatchObject({ path: '/api/anthropic/v1/messages', headers: { 'x-api-key': 'k' }, json: { model: 'glm-4.6' } });
    await kernel!.stop();

    const openai = await fake(startFakeOpenAI());
    await boot(zai, { ZAI_API_KEY: 'k', ZAI_ENDPOINT: `${openai.url}/api/paas/v4/chat/completions` });
    await run(kernel!, userRequest('hi', { model: 'claude-opus-4-1' }));
    expect(openai.requests[0]).toMatchObject({ headers: { authorization: 'Bearer k' }, json: { model: 'glm-4.7' } });
  });

  it('moonshot: the OpenAI endpoint by default, kimi-k2.6 as the default model', async () => {
    const up = await fake(startFakeOpenAI());
    await boot(moonshot, { MOONSHOT_API_KEY: 'k', MOONSHOT_ENDPOINT: `${up.url}/v1/chat/completions` });
    await run(kernel!, userRequest('hi', { model: 'gpt-4o' }));
    expect(up.requests[0]).toMatchObject({ headers: { authorization: 'Bearer k' }, json: { model: 'kimi-k2.6', temperature: 1, top_p: 0.95 } });
  });

  it('a provider switched on by name but missing its key fails the boot, naming the option', async () => {
    const err = await failure(testKernel({ plugins: [[zai.plugin, { ...zai.options({}), model: zai.model({}) }]] }));
    expect(err.code).toBe('LYNKR_ERR_PLUGIN_OPTIONS');
    expect(err.message).toContain('apiKey');
  });
});
