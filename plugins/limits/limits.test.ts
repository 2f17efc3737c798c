import { afterEach, describe, expect, it } from '@jest/globals';
import type { LightMyRequestResponse } from 'fastify';
import { definePlugin, messageToEvents, type Kernel, type LynkrConfig, type MessagesRequest, type StreamEvent } from '../../kernel/index.js';
import { answer, echoProvider, memoryLogger, testKernel } from '../../test/helpers/kernel.js';
import limits from './index.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const KEY_A = 'lk-alice-000000001';
const KEY_B = 'lk-bob-00000000002';
const KEY_R1 = 'lk-research-000001';
const KEY_R2 = 'lk-research-000002';

async function boot(options: Parameters<typeof limits>[0], extra: Partial<LynkrConfig> = {}, provider = echoProvider()): Promise<Kernel> {
  kernel = await testKernel({
    keys: [KEY_A, KEY_B],
    teams: { research: { keys: [KEY_R1, KEY_R2] } },
    plugins: ['api-anthropic', 'api-openai', provider, limits(options)],
    ...extra,
  });
  return kernel;
}

const messages = (k: Kernel, key: string | undefined, extra: Record<string, unknown> = {}) =>
  k.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { 'content-type': 'application/json', ...(key && { 'x-api-key': key }) },
    payload: { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], ...extra },
  });

const chat = (k: Kernel, key: string) =>
  k.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
  });

const responses = (k: Kernel, key: string) =>
  k.inject({
    method: 'POST',
    url: '/v1/responses',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: { model: 'm', input: 'hi', stream: false },
  });

/** responseSent observers run on the turn after an answer ends: let them (and the store's promises) finish. */
const observersRan = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

function expectRefused(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.json()).toMatchObject({ type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'overloaded_error' } });
  expect(res.json().error.message).toContain(code === 'LYNKR_ERR_SERVER_OVERLOADED' ? 'overloaded' : 'limit');
}

describe('limits: requests per minute', () => {
  it('refuses a key past its budget with 429 and retry-after, in each client\'s format; other keys keep theirs', async () => {
    const k = await boot({ requestsPerMinute: 2 });
    expect((await messages(k, KEY_A)).statusCode).toBe(200);
    expect((await messages(k, KEY_A)).statusCode).toBe(200);
    const refused = await messages(k, KEY_A);
    expectRefused(refused, 429, 'LYNKR_ERR_LIMIT_REQUESTS');
    expect(refused.json().error.message).toMatch(/^rate limit: key k_[0-9a-f]{12} sent its 2 requests per minute \(limits\.requestsPerMinute\); retry in \d+ s$/);
    expect(refused.headers['request-id']).toBe(refused.headers['x-request-id']);

    const openai = await chat(k, KEY_A);
    expect(openai.statusCode).toBe(429);
    expect(openai.headers['retry-after']).toBeDefined();
    expect(openai.json()).toEqual({ error: { message: expect.stringContaining('rate limit'), type: 'rate_limit_error', param: null, code: 'LYNKR_ERR_LIMIT_REQUESTS' } });

    expect((await messages(k, KEY_B)).statusCode).toBe(200);
    // The key never appears in what the refused client reads.
    expect(refused.body).not.toContain(KEY_A);
  });

  it('counts a team together with scope: team, and applies the team\'s own limits', async () => {
    const k = await boot({ requestsPerMinute: 100, teams: { research: { requestsPerMinute: 1, scope: 'team' } } });
    expect((await messages(k, KEY_R1)).statusCode).toBe(200);
    const refused = await messages(k, KEY_R2);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.message).toContain('team research sent its 1 requests per minute');
    // The default team runs on the plugin's own limits.
    for (let i = 0; i < 3; i++) expect((await messages(k, KEY_A)).statusCode).toBe(200);
  });

  it('works through the kernel\'s team overlays too (teams.<name>.options.limits)', async () => {
    const k = await boot({}, { teams: { research: { keys: [KEY_R1, KEY_R2], options: { limits: { requestsPerMinute: 1 } } } } });
    expect((await messages(k, KEY_R1)).statusCode).toBe(200);
    expect((await messages(k, KEY_R1)).statusCode).toBe(429);
    expect((await messages(k, KEY_R2)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await messages(k, KEY_A)).statusCode).toBe(200);
  });

  it('counts everyone as one caller when no keys are configured', async () => {
    const k = await boot({ requestsPerMinute: 1 }, { keys: [], teams: {} });
    expect((await messages(k, undefined)).statusCode).toBe(200);
    const refused = await messages(k, undefined);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.message).toContain('this Lynkr (no keys configured)');
  });

  it('refuses to boot with limits for a team the config does not have', async () => {
    await expect(boot({ teams: { ghosts: { requestsPerMinute: 1 } } })).rejects.toMatchObject({
      code: 'LYNKR_ERR_PLUGIN_OPTIONS',
      message: expect.stringContaining('teams.ghosts: the config has no team "ghosts"'),
    });
  });

  it('does nothing with its defaults, and nothing when disabled', async () => {
    const k = await boot({});
    expect(k.stages().preRoute).not.toContain('limits (pre)');
    await k.stop();
    const off = await boot({ enabled: false, requestsPerMinute: 1 });
    for (let i = 0; i < 3; i++) expect((await messages(off, KEY_A)).statusCode).toBe(200);
  });
});

describe('limits: tokens per minute', () => {
  it('refuses new requests once the answers of the window used the budget', async () => {
    // The echo provider's answers report 3 input and 2 output tokens.
    const k = await boot({ tokensPerMinute: 6 });
    expect((await messages(k, KEY_A)).statusCode).toBe(200);
    await observersRan();
    expect((await messages(k, KEY_A)).statusCode).toBe(200);
    await observersRan();
    const refused = await messages(k, KEY_A);
    expectRefused(refused, 429, 'LYNKR_ERR_LIMIT_TOKENS');
    expect(refused.json().error.message).toContain('used its 6 tokens per minute (limits.tokensPerMinute)');
    expect((await messages(k, KEY_B)).statusCode).toBe(200);
  });
});

/** A provider whose answers wait until the test opens the gate, reporting each call as it starts. */
function gated() {
  const waiting: Array<() => void> = [];
  let called: (() => void) | undefined;
  const plugin = definePlugin({
    name: 'gated',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.providers.register({
        id: 'gated',
        wire: 'test',
        async invoke({ request }) {
          const gate = new Promise<void>((resolve) => waiting.push(resolve));
          called?.();
          return { events: held(request, gate) };
        },
      });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'gated' }));
    },
  })();
  return {
    plugin,
    /** Resolves when the provider has been called once more. */
    nextCall: () => new Promise<void>((resolve) => (called = resolve)),
    open: () => waiting.splice(0).forEach((go) => go()),
  };
}

async function* held(request: MessagesRequest, gate: Promise<void>): AsyncGenerator<StreamEvent> {
  const events = messageToEvents(answer(request, 'slow'));
  yield events[0]!;
  await gate;
  yield* events.slice(1);
}

describe('limits: concurrent streams', () => {
  it('refuses a key a further answer while its limit is in flight, and frees the slot when one ends', async () => {
    const gate = gated();
    const k = await boot({ concurrentStreams: 1 }, {}, gate.plugin);
    const called = gate.nextCall();
    const first = messages(k, KEY_A, { stream: true });
    await called;
    const refused = await messages(k, KEY_A, { stream: true });
    expectRefused(refused, 429, 'LYNKR_ERR_LIMIT_CONCURRENCY');
    expect(refused.json().error.message).toContain('already has 1 answer(s) in flight (limits.concurrentStreams)');
    // Another key is not affected.
    const other = gate.nextCall();
    const second = messages(k, KEY_B, { stream: true });
    await other;
    gate.open();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    await observersRan();
    const again = gate.nextCall();
    const third = messages(k, KEY_A);
    await again;
    gate.open();
    expect((await third).statusCode).toBe(200);
  });

  it('frees the slot of a call that failed', async () => {
    const failing = definePlugin({
      name: 'failing',
      version: '1.0.0',
      kernel: '^1',
      setup(ctx) {
        ctx.providers.register({
          id: 'failing',
          wire: 'test',
          invoke: () => Promise.reject(new Error('upstream down')),
        });
        ctx.hooks.on('route', (d) => ({ ...d, provider: 'failing' }));
      },
    })();
    const k = await boot({ concurrentStreams: 1 }, {}, failing);
    expect((await messages(k, KEY_A)).statusCode).toBe(500);
    expect((await messages(k, KEY_A)).statusCode).toBe(500);
  });
});

/** Keep the event loop busy: every timer, the lag monitor's included, fires this late. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('limits: load shedding', () => {
  it('answers 529 to Anthropic clients and 503 to OpenAI clients while the event loop lags, with retry-after', async () => {
    const logs = memoryLogger('info');
    kernel = await testKernel(
      { server: { port: 0 }, plugins: ['api-anthropic', 'api-openai', echoProvider(), limits({ loadShedding: { enabled: true, eventLoopDelayMs: 1, sampleIntervalMs: 60_000, retryAfterSeconds: 7 } })] },
      { logger: logs.log },
    );
    const k = kernel;
    await k.start();
    // The monitor's first tick only sets its clock: let it tick before the stall it must see.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A lag far above the threshold: one 300 ms stall against a 1 ms limit.
    block(300);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const anthropic = await messages(k, undefined);
    expect(anthropic.statusCode).toBe(529);
    expect(anthropic.headers['retry-after']).toBe('7');
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: expect.stringContaining('Lynkr is overloaded') } });
    const chatRes = await k.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, payload: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } });
    expect(chatRes.statusCode).toBe(503);
    expect(chatRes.headers['retry-after']).toBe('7');
    expect(chatRes.json()).toMatchObject({ error: { type: 'server_error', code: 'LYNKR_ERR_SERVER_OVERLOADED' } });
    const resp = await k.inject({ method: 'POST', url: '/v1/responses', headers: { 'content-type': 'application/json' }, payload: { model: 'm', input: 'hi', stream: false } });
    expect(resp.statusCode).toBe(503);
    expect(resp.json()).toMatchObject({ error: { code: 'LYNKR_ERR_SERVER_OVERLOADED' } });
    // Health checks are not shed: a load balancer must still see the instance.
    expect((await k.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    // One warning when shedding starts, not an error line per refused request.
    const lines = logs.lines();
    expect(lines.filter((l) => l.level === 40 && String(l.msg).includes('refusing new requests'))).toHaveLength(1);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it('sheds nothing with the threshold at 0 (the default)', async () => {
    const k = await boot({}, { server: { port: 0 } });
    await k.start();
    block(100);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await messages(k, KEY_A)).statusCode).toBe(200);
  });
});

describe('limits: responses surface', () => {
  it('refuses on /v1/responses in OpenAI\'s format', async () => {
    const k = await boot({ requestsPerMinute: 1 });
    expect((await responses(k, KEY_A)).statusCode).toBe(200);
    const refused = await responses(k, KEY_A);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'LYNKR_ERR_LIMIT_REQUESTS' } });
    expect(refused.headers['retry-after']).toBeDefined();
  });
});
