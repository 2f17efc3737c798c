import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin } from '../../kernel/index.js';
import type { Kernel } from '../../kernel/index.js';
import { answer, iterate, request, testKernel, testSurface } from '../../test/helpers/kernel.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { parseTarget } from './target.js';

const providers = definePlugin({
  name: 'two-providers',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    for (const id of ['local', 'cloud']) {
      ctx.providers.register({
        id,
        wire: 'test',
        defaultModel: `${id}-default`,
        ...(id === 'cloud' && { resolveModel: (requested: string) => (requested.includes('sonnet') ? 'cloud-sonnet-equivalent' : 'cloud-default') }),
        invoke: async ({ request: req, decision }) => ({ events: iterate(messageToEvents(answer(req, `${id}/${decision.model}`, decision.model))) }),
      });
    }
  },
});

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

describe('parseTarget', () => {
  it('splits at the first colon only', () => {
    expect(parseTarget('ollama:qwen2.5-coder:7b')).toEqual({ provider: 'ollama', model: 'qwen2.5-coder:7b' });
    expect(parseTarget('openai')).toEqual({ provider: 'openai', model: undefined });
    expect(parseTarget('openai:')).toEqual({ provider: 'openai', model: undefined });
  });
});

describe('router-static', () => {
  const ask = async (k: Kernel) => (await k.inject({ method: 'POST', url: '/test/messages', payload: request('hi') })).json();

  it('routes every request to its provider and model', async () => {
    kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-static', { target: 'cloud:big-model:v2' }]] });
    expect((await ask(kernel)).decision).toEqual({ provider: 'cloud', model: 'big-model:v2', reasons: ['static: cloud:big-model:v2'] });
  });

  it('uses the provider\'s default model when the target names none', async () => {
    kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-static', { target: 'local' }]] });
    expect((await ask(kernel)).message.content[0].text).toBe('local/local-default');
  });

  it('lets the provider map the requested model when the target names none', async () => {
    kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-static', { target: 'cloud' }]] });
    const res = (await kernel.inject({ method: 'POST', url: '/test/messages', payload: { ...request('hi'), model: 'claude-sonnet-4-5' } })).json();
    expect(res.decision.model).toBe('cloud-sonnet-equivalent');
    expect(res.message.content[0].text).toBe('cloud/cloud-sonnet-equivalent');
  });

  it('leaves a decision an earlier handler made', async () => {
    const early = definePlugin({ name: 'early', version: '1.0.0', kernel: '^1', setup: (ctx) => void ctx.hooks.on('route', (d) => ({ ...d, provider: 'local', model: 'x' })) });
    kernel = await testKernel({ plugins: [testSurface(), providers(), early(), ['router-static', { target: 'cloud:y' }]] });
    expect((await ask(kernel)).decision.provider).toBe('local');
  });

  it('keeps what an earlier handler added without choosing a provider, and appends its reason', async () => {
    const early = definePlugin({
      name: 'early',
      version: '1.0.0',
      kernel: '^1',
      setup: (ctx) => void ctx.hooks.on('route', (d) => ({ ...d, tier: 'COMPLEX', score: 7, reasons: [...d.reasons, 'early: scored'] })),
    });
    kernel = await testKernel({ plugins: [testSurface(), providers(), early(), ['router-static', { target: 'cloud:y' }]] });
    expect((await ask(kernel)).decision).toEqual({ provider: 'cloud', model: 'y', tier: 'COMPLEX', score: 7, reasons: ['early: scored', 'static: cloud:y'] });
  });

  it('refuses to start when the target names an unregistered provider', async () => {
    kernel = await testKernel({ plugins: [providers(), ['router-static', { target: 'clod:model' }]], server: { port: 0 } });
    await expect(kernel.start()).rejects.toMatchObject({
      message: 'plugin "router-static" failed in ready: target "clod:model" names provider "clod", which no enabled plugin registers (registered: local, cloud)',
    });
  });

  it('refuses a malformed target at boot', async () => {
    await expect(testKernel({ plugins: [['router-static', { target: 'Not A Target' }]] })).rejects.toMatchObject({
      code: 'LYNKR_ERR_PLUGIN_OPTIONS',
      message: expect.stringContaining('plugins[0].target: Expected a value matching'),
    });
  });
});
