import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin, LynkrError, type Kernel, type MessagesRequest, type Usage } from '../../kernel/index.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { answer, iterate, request, testKernel, testSurface } from '../../test/helpers/kernel.js';
import { Counters, MAX_MODELS } from './counters.js';
import { costOf, loadPriceFile, modelKeys, PriceTable } from './prices.js';
import { statsRef, type StatsService, type StatsSnapshot } from './refs.js';

/** What each prompt does: where it is routed and the usage the provider reports. */
const SCRIPT: Record<string, { provider: string; model: string; tier?: string; usage: Usage }> = {
  complex: { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', tier: 'COMPLEX', usage: { input_tokens: 1000, output_tokens: 500, cache_read_input_tokens: 2000, cache_creation_input_tokens: 100 } },
  simple: { provider: 'ollama', model: 'qwen2.5-coder:7b', tier: 'SIMPLE', usage: { input_tokens: 400, output_tokens: 100 } },
  mystery: { provider: 'openrouter', model: 'vendor/mystery', usage: { input_tokens: 10, output_tokens: 10, cache_read_input_tokens: null } },
  fail: { provider: 'broken', model: 'm', tier: 'COMPLEX', usage: { input_tokens: 0, output_tokens: 0 } },
  midway: { provider: 'flaky', model: 'm', usage: { input_tokens: 30, output_tokens: 1 } },
};

const prompt = (req: MessagesRequest) => String(req.messages.at(-1)?.content);

const world = definePlugin({
  name: 'world',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    for (const id of ['anthropic', 'ollama', 'openrouter', 'broken', 'flaky']) {
      ctx.providers.register({
        id,
        wire: 'test',
        async invoke({ request: req, decision }) {
          if (id === 'broken') throw new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'upstream said no');
          if (id === 'flaky') {
            // The answer starts, then the upstream fails: an error event, as Anthropic's "overloaded" mid-stream.
            const [start] = messageToEvents({ ...answer(req, '', decision.model), usage: SCRIPT[prompt(req)]!.usage });
            return { events: iterate([start!, { type: 'error' as const, error: { type: 'overloaded_error', message: 'Overloaded' } }]) };
          }
          return { events: iterate(messageToEvents({ ...answer(req, 'ok', decision.model), usage: SCRIPT[prompt(req)]!.usage })) };
        },
      });
    }
    ctx.hooks.on('preRoute', (req, ex) => (prompt(req) === 'cached' ? ex.stop({ ...answer(req, 'from cache'), usage: { input_tokens: 50, output_tokens: 20 } }) : undefined));
    ctx.hooks.on('route', (d, req) => {
      const s = SCRIPT[prompt(req)]!;
      return { ...d, provider: s.provider, model: s.model, ...(s.tier ? { tier: s.tier } : {}), reasons: ['script'] };
    });
  },
});

/** Resolves the stats service, as another plugin would. */
let service: StatsService | undefined;
const probe = definePlugin({
  name: 'probe',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['stats'],
  setup(ctx) {
    return { ready: () => void (service = ctx.services.resolve(statsRef)) };
  },
});

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

async function traffic(k: Kernel, prompts: string[]): Promise<void> {
  for (const p of prompts) await k.inject({ method: 'POST', url: '/test/messages', payload: request(p) });
  // responseSent observers run on the next turn of the event loop.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

async function stats(k: Kernel): Promise<StatsSnapshot> {
  const res = await k.inject({ method: 'GET', url: '/v1/lynkr/stats' });
  expect(res.statusCode).toBe(200);
  return res.json() as StatsSnapshot;
}

describe('stats', () => {
  it('counts requests, tokens, tiers, models, cache hits and errors, and prices them', async () => {
    kernel = await testKernel({ plugins: [testSurface(), world(), 'stats', probe()], server: { port: 0 } });
    await kernel.start();
    await traffic(kernel, ['complex', 'simple', 'simple', 'mystery', 'cached', 'fail']);
    const s = await stats(kernel);
    expect(s).toEqual({
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requests: 6,
      errors: 1,
      aborted: 0,
      cacheHits: 1,
      fallbacks: 0,
      tokens: { input: 1810, output: 710, cacheRead: 2000, cacheWrite: 100 },
      tiers: { COMPLEX: 2, SIMPLE: 2 },
      models: [
        { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', requests: 1, tokens: { input: 1000, output: 500, cacheRead: 2000, cacheWrite: 100 }, cost: 0.011475 },
        { provider: 'ollama', model: 'qwen2.5-coder:7b', requests: 2, tokens: { input: 800, output: 200, cacheRead: 0, cacheWrite: 0 }, cost: 0 },
        { provider: 'openrouter', model: 'vendor/mystery', requests: 1, tokens: { input: 10, output: 10, cacheRead: 0, cacheWrite: 0 }, cost: null },
        { provider: 'broken', model: 'm', requests: 1, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: null },
      ],
      cost: {
        currency: 'USD',
        estimated: 0.011475,
        unpriced: ['openrouter:vendor/mystery', 'broken:m'],
        // Everything on Sonnet 4.5 ($3 in, $15 out), the cache hit's 50 + 20 tokens included.
        baseline: { model: 'anthropic:claude-sonnet-4-5-20250929', cost: 0.017505 },
        saving: 0.00603,
      },
    });
    expect(service!.snapshot()).toEqual(s);
  });

  it('counts an answer that fails mid-stream as an error, with the tokens its start reported', async () => {
    kernel = await testKernel({ plugins: [testSurface(), world(), 'stats'], server: { port: 0 } });
    await kernel.start();
    await traffic(kernel, ['midway']);
    const s = await stats(kernel);
    expect(s).toMatchObject({ requests: 1, errors: 1, aborted: 0, tokens: { input: 30 } });
  });

  it('leaves the error of a failed request as it was', async () => {
    const run = async (plugins: unknown[]) => {
      kernel = await testKernel({ plugins: [testSurface(), world(), ...(plugins as [])] });
      const res = await kernel.inject({ method: 'POST', url: '/test/messages', payload: request('fail'), headers: { 'x-request-id': 'req-same' } });
      await kernel.stop();
      kernel = undefined;
      return { status: res.statusCode, body: res.json() as unknown };
    };
    expect(await run(['stats'])).toEqual(await run([]));
  });

  it('compares with the baseline option, and takes price overrides and free providers from its options', async () => {
    kernel = await testKernel({
      plugins: [
        testSurface(),
        world(),
        ['stats', { baseline: 'anthropic:claude-opus-4-1', prices: { 'openrouter:vendor/mystery': { input: 1, output: 2 } }, free: [] }],
      ],
    });
    await traffic(kernel, ['complex', 'simple', 'mystery', 'cached']);
    const s = await stats(kernel);
    expect(s.models.map((m) => m.cost)).toEqual([0.011475, null, 0.00003]);
    expect(s.cost).toEqual({
      currency: 'USD',
      estimated: 0.011505,
      unpriced: ['ollama:qwen2.5-coder:7b'],
      baseline: { model: 'anthropic:claude-opus-4-1', cost: 0.074025 },
      saving: 0.06252,
    });
  });

  it('reports no baseline when no priced model was seen', async () => {
    kernel = await testKernel({ plugins: [testSurface(), world(), 'stats'] });
    await traffic(kernel, ['simple', 'mystery']);
    expect((await stats(kernel)).cost).toEqual({ currency: 'USD', estimated: 0, unpriced: ['openrouter:vendor/mystery'], baseline: null, saving: null });
  });

  it('needs a Lynkr key for its route when keys are configured', async () => {
    kernel = await testKernel({ plugins: ['stats'], keys: ['lk-stats-test-1'] });
    expect((await kernel.inject({ method: 'GET', url: '/v1/lynkr/stats' })).statusCode).toBe(401);
    expect((await kernel.inject({ method: 'GET', url: '/v1/lynkr/stats', headers: { 'x-lynkr-key': 'lk-stats-test-1' } })).json()).toMatchObject({ requests: 0 });
  });

  it('refuses a baseline that is not provider:model', async () => {
    await expect(testKernel({ plugins: [['stats', { baseline: 'opus' }]] })).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
  });
});

describe('prices', () => {
  it('ships a table with the common models', () => {
    const { currency, models } = loadPriceFile();
    expect(currency).toBe('USD');
    for (const m of ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'gpt-4o', 'gpt-4.1', 'gpt-5', 'o3']) expect(models[m]).toBeDefined();
    for (const p of Object.values(models)) expect(p.input >= 0 && p.output >= p.input).toBe(true);
  });

  it('matches model ids as providers spell them', () => {
    const table = new PriceTable(loadPriceFile().models, ['ollama']);
    const sonnet = table.find('anthropic', 'claude-sonnet-4-5');
    for (const id of ['claude-sonnet-4-5-20250929', 'anthropic/claude-sonnet-4.5', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5@20250929', 'databricks-claude-sonnet-4-5']) {
      expect([id, table.find('x', id)]).toEqual([id, sonnet]);
    }
    expect(table.find('openai', 'gpt-4.1-2025-04-14')).toEqual(table.find('openai', 'gpt-4.1'));
    expect(table.find('openai', 'gpt-4o-mini')).not.toEqual(table.find('openai', 'gpt-4o'));
    expect(table.find('openai', 'claude-3-5-sonnet-latest')).toEqual(sonnet);
    expect(table.find('ollama', 'anything')).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    expect(table.find('lmstudio', 'qwen')).toBeUndefined();
    expect(modelKeys('GPT-4o')).toEqual(['gpt-4o']);
  });

  it('prefers a provider-specific price', () => {
    const table = new PriceTable({ m: { input: 1, output: 1 }, 'azure:m': { input: 2, output: 2 } }, []);
    expect(table.find('azure', 'm')!.input).toBe(2);
    expect(table.find('other', 'm')!.input).toBe(1);
  });

  it('prices cache reads and writes at the input price when the table has none', () => {
    expect(costOf({ input: 1_000_000, output: 0, cacheRead: 1_000_000, cacheWrite: 1_000_000 }, { input: 2, output: 8 })).toBe(6);
  });
});

describe('counters', () => {
  it('keep at most MAX_MODELS models apart and count the rest together', () => {
    const counters = new Counters(new PriceTable({}, []), 'USD', undefined);
    for (let i = 0; i < MAX_MODELS + 10; i++) {
      counters.observe({ request: request('x'), decision: { provider: 'p', model: `m${i}`, reasons: [] }, stopped: false, usage: { input_tokens: 1, output_tokens: 1 }, error: undefined });
    }
    const s = counters.snapshot();
    expect(s.models).toHaveLength(MAX_MODELS + 1);
    expect(s.models.at(-1)).toMatchObject({ provider: 'other', model: 'other', requests: 10, cost: null });
    expect(s.requests).toBe(MAX_MODELS + 10);
  });

  it('count a client that went away as aborted, not as an error', () => {
    const counters = new Counters(new PriceTable({}, []), 'USD', undefined);
    counters.observe({ request: request('x'), decision: undefined, stopped: false, usage: { input_tokens: 0, output_tokens: 0 }, error: { code: 'LYNKR_ERR_CLIENT_ABORTED' } });
    expect(counters.snapshot()).toMatchObject({ requests: 1, errors: 0, aborted: 1, models: [{ provider: 'unknown', model: 'test-model' }] });
  });
});
