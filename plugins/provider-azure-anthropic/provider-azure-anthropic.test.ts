import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { checkGrammar, MessageAccumulator } from '../../kernel/ir/stream.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { StreamEvent } from '../../kernel/ir/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../test/fakes/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { azureAnthropicProvider } from './index.js';
import { messagesUrl } from './options.js';

type ProviderOptions = Parameters<typeof azureAnthropicProvider>[0];

let fake: FakeAnthropic;
let kernel: Kernel | undefined;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await fake.close();
});

/** A kernel with the provider on the fake, routed to `model` (`''`: the route names none). */
async function boot(options: Partial<ProviderOptions> = {}, model = 'claude-sonnet-4-5'): Promise<Kernel> {
  kernel = await testKernel({ plugins: [azureAnthropicProvider({ endpoint: fake.url, apiKey: 'azure-key', ...options }), routeTo('azure-anthropic', model)] });
  return kernel;
}

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

describe('provider-azure-anthropic', () => {
  it('posts to the Foundry messages path of the resource, the route\'s model as the deployment, with the key as x-api-key', async () => {
    await boot();
    fake.enqueue({ text: 'from foundry' });
    const { events } = await run(kernel!, userRequest('hi', { stream: true }), { headers: { authorization: 'Bearer client-token', 'x-api-key': 'client-key' } });
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'from foundry' }]);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/anthropic/v1/messages');
    expect(sent.headers).toMatchObject({ 'x-api-key': 'azure-key', 'anthropic-version': '2023-06-01' });
    expect(sent.headers).not.toHaveProperty('authorization');
    expect(sent.json).toMatchObject({ model: 'claude-sonnet-4-5', stream: true });
  });

  it('sends an Entra token as a bearer instead of a key, and the configured version', async () => {
    await boot({ apiKey: undefined, bearerToken: 'entra-token', anthropicVersion: '2099-01-01' });
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]!.headers).toMatchObject({ authorization: 'Bearer entra-token', 'anthropic-version': '2099-01-01' });
    expect(fake.requests[0]!.headers).not.toHaveProperty('x-api-key');
  });

  it('passes the client\'s Claude name as the deployment, or maps it when deployments are named otherwise', async () => {
    await boot({}, '');
    await run(kernel!, userRequest('hi', { model: 'claude-haiku-4-5' }));
    expect(fake.requests[0]!.json).toMatchObject({ model: 'claude-haiku-4-5' });
    await kernel!.stop();

    await boot({ modelMap: { haiku: 'team-haiku' } }, '');
    await run(kernel!, userRequest('hi', { model: 'claude-haiku-4-5' }));
    expect(fake.requests[1]!.json).toMatchObject({ model: 'team-haiku' });
  });

  it('keeps the status and retry-after of an upstream error', async () => {
    await boot();
    fake.enqueue({ status: 429, error: { message: 'quota' }, headers: { 'retry-after': '5' } });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, headers: { 'retry-after': '5' }, message: 'upstream "azure-anthropic" answered 429: quota' });
  });

  it('completes every endpoint form to the messages URL', () => {
    const href = (endpoint: string) => messagesUrl('azure-anthropic', endpoint).href;
    expect(href('https://res.services.ai.azure.com')).toBe('https://res.services.ai.azure.com/anthropic/v1/messages');
    expect(href('https://res.services.ai.azure.com/anthropic/')).toBe('https://res.services.ai.azure.com/anthropic/v1/messages');
    expect(href('https://res.services.ai.azure.com/anthropic/v1')).toBe('https://res.services.ai.azure.com/anthropic/v1/messages');
    expect(href('https://gw.example/claude/v1/messages?tenant=a')).toBe('https://gw.example/claude/v1/messages?tenant=a');
  });

  it('refuses to boot without a credential or with an endpoint it cannot complete', async () => {
    let err = await failure(testKernel({ plugins: [azureAnthropicProvider({ endpoint: 'https://res.services.ai.azure.com' })] }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS', message: expect.stringContaining('apiKey or bearerToken is required') });
    err = await failure(testKernel({ plugins: [azureAnthropicProvider({ endpoint: 'https://res.services.ai.azure.com/openai', apiKey: 'k' })] }));
    expect(err.message).toContain('is neither a resource URL nor an Anthropic messages URL');
  });
});
