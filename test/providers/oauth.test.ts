/**
 * A Claude Pro/Max subscription through Lynkr: Claude Code logged in sends its
 * OAuth token as a bearer. The token goes to Anthropic (here the fake, listed
 * as a subscription host) with the oauth beta, byte for byte, and never to
 * any other provider; without it the configured key is used; without either
 * the client gets Anthropic's 401.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import type { Kernel } from '../../kernel/kernel.js';
import type { PluginEntry } from '../../kernel/config/schema.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../fakes/index.js';
import { memoryLogger, testKernel } from '../helpers/kernel.js';

const TOKEN = 'sk-ant-oat01-SubscriptionTokenOfTheUser_0123456789';

let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
});

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const logs = memoryLogger('trace');

/** Lynkr with Anthropic (the fake as a subscription host) and OpenAI behind tier routing: greetings go to OpenAI, hard turns to Anthropic. */
async function boot(anthropicOptions: Record<string, unknown> = {}): Promise<string> {
  const plugins: PluginEntry[] = [
    'api-anthropic',
    ['provider-anthropic', { baseUrl: anthropic.url, subscriptionHosts: ['127.0.0.1'], ...anthropicOptions }],
    ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-openai-configured', model: 'gpt-test' } }],
    ['router-tiers', { simple: 'openai:gpt-test', reasoning: 'anthropic:claude-opus-4-1' }],
    ['router-static', { target: 'openai:gpt-test' }],
  ];
  kernel = await testKernel({ server: { port: 0 }, plugins }, { logger: logs.log });
  return (await kernel.start()).url;
}

const subscriber = (url: string) =>
  new Anthropic({ baseURL: url, authToken: TOKEN, apiKey: null, maxRetries: 0, defaultHeaders: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } });
const HARD = 'Think hard: do a security audit of the authentication flow and the secrets handling in production.';

describe('OAuth subscription passthrough', () => {
  it('sends the subscription token to Anthropic with the oauth beta, and not the configured key', async () => {
    const url = await boot({ apiKey: 'sk-ant-configured' });
    anthropic.enqueue({ text: 'from your plan' });
    const { data: message, response } = await subscriber(url)
      .messages.create({ model: 'claude-opus-4-1', max_tokens: 50, messages: [{ role: 'user', content: HARD }] })
      .withResponse();
    expect(response.headers.get('x-lynkr-provider')).toBe('anthropic');
    expect(message.content).toEqual([{ type: 'text', text: 'from your plan' }]);
    const sent = anthropic.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers['x-api-key']).toBeUndefined();
    expect(String(sent.headers['anthropic-beta']).split(',')).toEqual(expect.arrayContaining(['interleaved-thinking-2025-05-14', 'oauth-2025-04-20']));
  });

  it('forwards the client\'s body byte for byte when routing changes nothing', async () => {
    const url = await boot();
    anthropic.enqueue({ text: 'ok' });
    // Spacing, key order and escapes no serialiser would reproduce.
    const raw = `{ "max_tokens":50,"model" : "claude-opus-4-1","messages":[{"role":"user","content":${JSON.stringify(HARD)}}], "metadata":{"user_id":"u\\u00e9"} }`;
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'anthropic-version': '2023-06-01' },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(anthropic.requests.at(-1)!.body).toBe(raw);
  });

  it('re-serialises when the route changes the model', async () => {
    const url = await boot();
    anthropic.enqueue({ text: 'ok' });
    await subscriber(url).messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: HARD }] });
    expect(anthropic.requests.at(-1)!.json).toMatchObject({ model: 'claude-opus-4-1' });
  });

  it('never sends the token to another provider', async () => {
    const url = await boot({ apiKey: 'sk-ant-configured' });
    openai.enqueue({ text: 'hello' });
    await subscriber(url).messages.create({ model: 'claude-opus-4-1', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const sent = openai.requests.at(-1)!;
    expect(sent.headers.authorization).toBe('Bearer sk-openai-configured');
    expect(JSON.stringify(sent.headers)).not.toContain(TOKEN);
    expect(sent.body).not.toContain(TOKEN);
  });

  it('uses the configured key when the client sends no subscription token', async () => {
    const url = await boot({ apiKey: 'sk-ant-configured' });
    anthropic.enqueue({ text: 'ok' });
    await new Anthropic({ baseURL: url, apiKey: 'placeholder', maxRetries: 0 }).messages.create({
      model: 'claude-opus-4-1',
      max_tokens: 50,
      messages: [{ role: 'user', content: HARD }],
    });
    const sent = anthropic.requests.at(-1)!;
    expect(sent.headers['x-api-key']).toBe('sk-ant-configured');
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('answers 401 in Anthropic\'s format with neither', async () => {
    const url = await boot();
    const before = anthropic.requests.length;
    const error = await new Anthropic({ baseURL: url, apiKey: 'placeholder', maxRetries: 0 }).messages
      .create({ model: 'claude-opus-4-1', max_tokens: 50, messages: [{ role: 'user', content: HARD }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(anthropic.requests.length).toBe(before);
  });

  it('does not send the token to a host that is not a subscription host', async () => {
    const url = await boot({ subscriptionHosts: ['api.anthropic.com'], apiKey: 'sk-ant-configured' });
    anthropic.enqueue({ text: 'ok' });
    await subscriber(url).messages.create({ model: 'claude-opus-4-1', max_tokens: 50, messages: [{ role: 'user', content: HARD }] });
    const sent = anthropic.requests.at(-1)!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['x-api-key']).toBe('sk-ant-configured');
  });

  it('never logs the token', () => {
    expect(JSON.stringify(logs.lines())).not.toContain(TOKEN);
    expect(logs.lines().length).toBeGreaterThan(0);
  });
});
