import { afterEach, describe, expect, it } from '@jest/globals';
import { checkGrammar } from '../../kernel/ir/stream.js';
import type { Kernel } from '../../kernel/kernel.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../../test/fakes/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { moonshotProvider } from './index.js';

type ProviderOptions = Parameters<typeof moonshotProvider>[0];

let fake: FakeAnthropic | FakeOpenAI | undefined;
let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  await fake?.close();
  kernel = fake = undefined;
});

/** A kernel with the provider on the fake, routed to `model` (`''`: the route names none). */
async function boot(options: Partial<ProviderOptions>, model = ''): Promise<Kernel> {
  kernel = await testKernel({ plugins: [moonshotProvider({ apiKey: 'moonshot-key', ...options }), routeTo('moonshot', model)] });
  return kernel;
}

const sent = () => fake!.requests.map((r) => r.json as { model: string; temperature?: number; top_p?: number });
const sampled = (model: string) => userRequest('hi', { model, temperature: 0.3, top_p: 0.5 });

describe('provider-moonshot: models', () => {
  it('maps Claude names to Kimi, remaps retired ids, passes Moonshot ids through and sends the rest to the default', async () => {
    fake = await startFakeOpenAI();
    await boot({ endpoint: `${fake.url}/v1` });
    for (const model of ['claude-sonnet-4-5', 'kimi-k2-turbo-preview', 'kimi-k2.5', 'moonshot-v1-auto', 'moonshot-v1-32k', 'gpt-4o']) await run(kernel!, userRequest('hi', { model }));
    expect(sent().map((b) => b.model)).toEqual(['kimi-k2.6', 'kimi-k2.6', 'kimi-k2.5', 'moonshot-v1-128k', 'moonshot-v1-32k', 'kimi-k2.6']);
  });

  it('uses a tier\'s model as given', async () => {
    fake = await startFakeOpenAI();
    await boot({ endpoint: fake.url }, 'kimi-k2-turbo-preview');
    await run(kernel!, userRequest('hi', { model: 'claude-sonnet-4-5' }));
    expect(sent()[0]!.model).toBe('kimi-k2-turbo-preview');
  });

  it('gives router-static, whose target names no model, the model it will call', async () => {
    fake = await startFakeOpenAI();
    kernel = await testKernel({ plugins: [moonshotProvider({ apiKey: 'k', endpoint: fake.url }), ['router-static', { target: 'moonshot' }]] });
    const claude = await run(kernel, userRequest('hi', { model: 'claude-opus-4-1' }));
    const kimi = await run(kernel, userRequest('hi', { model: 'kimi-k2.5' }));
    expect(sent().map((b) => b.model)).toEqual(['kimi-k2.6', 'kimi-k2.5']);
    expect([claude.headers['x-lynkr-model'], kimi.headers['x-lynkr-model']]).toEqual(['kimi-k2.6', 'kimi-k2.5']);
  });
});

describe('provider-moonshot: the OpenAI endpoint', () => {
  it('pins Kimi K sampling on the wire, with a bearer key; other models keep the client\'s', async () => {
    fake = await startFakeOpenAI({ apiKey: 'moonshot-key' });
    await boot({ endpoint: `${fake.url}/v1/chat/completions` });
    const { events } = await run(kernel!, { ...sampled('kimi-k2.6'), stream: true });
    expect(checkGrammar(events)).toEqual([]);
    await run(kernel!, sampled('moonshot-v1-8k'));
    expect(sent()[0]).toMatchObject({ model: 'kimi-k2.6', temperature: 1, top_p: 0.95 });
    expect(sent()[1]).toMatchObject({ model: 'moonshot-v1-8k', temperature: 0.3, top_p: 0.5 });
    expect(fake.requests[0]!.path).toBe('/v1/chat/completions');
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer moonshot-key');
  });
});

describe('provider-moonshot: the Anthropic endpoint', () => {
  it('is chosen by an /anthropic endpoint, pins Kimi K sampling there too, and clamps max_tokens', async () => {
    fake = await startFakeAnthropic({ apiKey: 'moonshot-key' });
    await boot({ endpoint: `${fake.url}/anthropic` });
    const { events } = await run(kernel!, { ...sampled('claude-sonnet-4-5'), stream: true, max_tokens: 64_000 });
    expect(checkGrammar(events)).toEqual([]);
    expect(fake.requests[0]!.path).toBe('/anthropic/v1/messages');
    expect(fake.requests[0]!.headers).toMatchObject({ authorization: 'Bearer moonshot-key', 'anthropic-version': '2023-06-01' });
    expect(fake.requests[0]!.json).toMatchObject({ model: 'kimi-k2.6', temperature: 1, top_p: 0.95, max_tokens: 32_768 });
  });

  it('is chosen by wire: anthropic', async () => {
    fake = await startFakeAnthropic();
    await boot({ wire: 'anthropic', endpoint: `${fake.url}/anthropic/v1/messages` }, 'kimi-k2.5');
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]).toMatchObject({ path: '/anthropic/v1/messages', json: { model: 'kimi-k2.5' } });
  });
});

describe('provider-moonshot: setup', () => {
  it('refuses to boot without a key', async () => {
    const err = await failure(testKernel({ plugins: [moonshotProvider({} as ProviderOptions)] }));
    expect(err.code).toBe('LYNKR_ERR_PLUGIN_OPTIONS');
    expect(err.message).toContain('apiKey');
  });
});
