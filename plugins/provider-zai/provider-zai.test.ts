import { afterEach, describe, expect, it } from '@jest/globals';
import { checkGrammar } from '../../kernel/ir/stream.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { MessagesRequest } from '../../kernel/ir/types.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../../test/fakes/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { zaiProvider } from './index.js';

type ProviderOptions = Parameters<typeof zaiProvider>[0];

let fake: FakeAnthropic | FakeOpenAI | undefined;
let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  await fake?.close();
  kernel = fake = undefined;
});

/** A kernel with the provider on `endpoint`, routed to `model` (`''`: the route names none). */
async function boot(options: Partial<ProviderOptions>, model = ''): Promise<Kernel> {
  kernel = await testKernel({ plugins: [zaiProvider({ apiKey: 'zai-key', ...options }), routeTo('zai', model)] });
  return kernel;
}

const sentModels = () => fake!.requests.map((r) => (r.json as { model: string }).model);

describe('provider-zai: the Anthropic endpoint', () => {
  it('maps Claude names to GLM models, anything else to the default, and sends the key as x-api-key', async () => {
    fake = await startFakeAnthropic({ apiKey: 'zai-key' });
    await boot({ endpoint: `${fake.url}/api/anthropic/v1/messages` });
    for (const model of ['claude-sonnet-4-5-20250929', 'claude-3-5-sonnet-latest', 'claude-haiku-4-5', 'claude-opus-4-1', 'gpt-4o']) {
      const { events } = await run(kernel!, userRequest('hi', { model, stream: true }));
      expect(checkGrammar(events)).toEqual([]);
    }
    expect(sentModels()).toEqual(['glm-4.7', 'glm-4.7', 'glm-4.5-air', 'glm-4.7', 'glm-4.7']);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/api/anthropic/v1/messages');
    expect(sent.headers).toMatchObject({ 'x-api-key': 'zai-key', 'anthropic-version': '2023-06-01' });
    expect(sent.headers).not.toHaveProperty('authorization');
  });

  it('uses a tier\'s model as given, and the configured default for the rest', async () => {
    fake = await startFakeAnthropic();
    await boot({ endpoint: fake.url, model: 'glm-4.6' }, 'glm-5');
    await run(kernel!, userRequest('hi', { model: 'claude-sonnet-4-5' }));
    await kernel!.stop();
    await boot({ endpoint: fake.url, model: 'glm-4.6' });
    await run(kernel!, userRequest('hi', { model: 'claude-opus-4-1' }));
    expect(sentModels()).toEqual(['glm-5', 'glm-4.6']);
    // An API root, as Claude Code's base URL is set, is completed.
    expect(fake.requests[0]!.path).toBe('/v1/messages');
  });

  it('gives router-static, whose target names no model, the GLM model the map picks', async () => {
    fake = await startFakeAnthropic();
    kernel = await testKernel({ plugins: [zaiProvider({ apiKey: 'k', endpoint: fake.url }), ['router-static', { target: 'zai' }]] });
    const haiku = await run(kernel, userRequest('hi', { model: 'claude-haiku-4-5' }));
    expect(haiku.headers['x-lynkr-model']).toBe('glm-4.5-air');
    expect(sentModels()).toEqual(['glm-4.5-air']);
  });

  it('clamps max_tokens to what the GLM model can write', async () => {
    fake = await startFakeAnthropic();
    await boot({ endpoint: fake.url }, 'glm-4.5-air');
    await run(kernel!, userRequest('hi', { max_tokens: 200_000 }));
    expect((fake.requests[0]!.json as MessagesRequest).max_tokens).toBe(96_000);
  });
});

describe('provider-zai: the OpenAI endpoint', () => {
  it('is chosen by a /chat/completions endpoint, with a bearer key and the same model map', async () => {
    fake = await startFakeOpenAI({ apiKey: 'zai-key' });
    await boot({ endpoint: `${fake.url}/api/paas/v4/chat/completions` });
    const { events } = await run(kernel!, userRequest('hi', { model: 'claude-haiku-4-5', stream: true }));
    expect(checkGrammar(events)).toEqual([]);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/api/paas/v4/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer zai-key');
    expect(sent.headers).not.toHaveProperty('x-api-key');
    expect(sent.json).toMatchObject({ model: 'glm-4.5-air', stream: true });
  });

  it('is chosen by wire: openai, completing an API root', async () => {
    fake = await startFakeOpenAI();
    await boot({ wire: 'openai', endpoint: `${fake.url}/api/paas/v4` }, 'glm-4.7');
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]!.path).toBe('/api/paas/v4/chat/completions');
  });
});

describe('provider-zai: setup', () => {
  it('refuses to boot without a key or with an endpoint that is not a URL', async () => {
    let err = await failure(testKernel({ plugins: [zaiProvider({} as ProviderOptions)] }));
    expect(err.code).toBe('LYNKR_ERR_PLUGIN_OPTIONS');
    expect(err.message).toContain('apiKey');
    err = await failure(testKernel({ plugins: [zaiProvider({ apiKey: 'k', endpoint: 'not a url' })] }));
    expect(err.message).toContain('provider "zai": endpoint "not a url" is not a URL');
  });
});
