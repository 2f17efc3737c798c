import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin } from '../kernel/plugin/define.js';
import { createExchange } from '../kernel/pipeline/exchange.js';
import { LynkrError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ExchangeSummary, MessagesRequest, PluginContext } from '../kernel/index.js';
import { answer, echoProvider, iterate, memoryLogger, request, testKernel, testSurface } from './helpers/kernel.js';
import { messageToEvents } from '../kernel/ir/stream.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

/** An inline plugin whose setup is the given function. */
const plugin = (name: string, setup: (ctx: PluginContext) => void, dependsOn: string[] = []) =>
  definePlugin({ name, version: '1.0.0', kernel: '^1', dependsOn, setup })();

const post = (k: Kernel, body: unknown, headers: Record<string, string> = {}) =>
  k.inject({ method: 'POST', url: '/test/messages', payload: body as object, headers });

describe('preRoute', () => {
  it('runs in config order, with pre handlers first and post handlers last', async () => {
    const seen: string[] = [];
    const tag = (name: string, order?: 'pre' | 'post') =>
      plugin(name, (ctx) => {
        ctx.hooks.on('preRoute', (req) => {
          seen.push(name);
          return { ...req, metadata: { user_id: `${req.metadata?.user_id ?? ''}${name};` } };
        }, order ? { order } : undefined);
      });
    kernel = await testKernel({ plugins: [testSurface(), tag('a'), tag('b', 'post'), tag('c', 'pre'), tag('d'), echoProvider()] });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual(['c', 'a', 'd', 'b']);
    expect(kernel.stages().preRoute).toEqual(['c (pre)', 'a', 'd', 'b (post)']);
  });

  it('lets a handler answer the request and stop the pipeline', async () => {
    const calls: string[] = [];
    const observed: ExchangeSummary[] = [];
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('cache', (ctx) => ctx.hooks.on('preRoute', (req, ex) => ex.stop(answer(req, 'from cache')))),
        plugin('later', (ctx) => {
          ctx.hooks.on('preRoute', () => void calls.push('later preRoute'));
          ctx.hooks.on('route', () => void calls.push('route'));
          ctx.hooks.on('invoke', (call, next) => (calls.push('invoke'), next()));
          ctx.hooks.on('postResponse', (ev) => (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta' ? { ...ev, delta: { ...ev.delta, text: ev.delta.text.toUpperCase() } } : undefined));
          ctx.hooks.on('responseSent', (summary) => void observed.push(summary));
        }),
        echoProvider(),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(200);
    expect(res.json().message.content).toEqual([{ type: 'text', text: 'FROM CACHE' }]);
    expect(res.headers['x-lynkr-provider']).toBe('lynkr');
    expect(calls).toEqual([]);
    await kernel.stop();
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ stopped: true, decision: undefined, stopReason: 'end_turn', error: undefined });
  });

  it('fails the request with the plugin and stage named when a handler throws', async () => {
    kernel = await testKernel({
      plugins: [testSurface(), plugin('broken', (ctx) => ctx.hooks.on('preRoute', () => { throw new Error('boom'); })), echoProvider()],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({ type: 'api_error', code: 'LYNKR_ERR_HOOK_FAILED', message: 'plugin "broken" failed in preRoute: boom' });
  });

  it('keeps the status of a typed error a handler throws on purpose', async () => {
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('policy', (ctx) =>
          ctx.hooks.on('preRoute', async () => {
            throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'messages must not be empty', { status: 422 });
          }),
        ),
        echoProvider(),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('plugin "policy" (preRoute): messages must not be empty');
  });

  it('mixes synchronous and asynchronous handlers in order', async () => {
    const seen: string[] = [];
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('one', (ctx) => ctx.hooks.on('preRoute', () => void seen.push('one'))),
        plugin('two', (ctx) => ctx.hooks.on('preRoute', async (req) => (await Promise.resolve(), seen.push('two'), { ...req, model: 'changed' }))),
        plugin('three', (ctx) => ctx.hooks.on('preRoute', (req) => void seen.push(`three:${req.model}`))),
        echoProvider(),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(seen).toEqual(['one', 'two', 'three:changed']);
    expect(res.headers['x-lynkr-model']).toBe('changed');
  });

  it('removes a handler when its unsubscribe function is called', async () => {
    let count = 0;
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('once', (ctx) => {
          const off = ctx.hooks.on('preRoute', () => {
            count++;
            off();
          });
        }),
        echoProvider(),
      ],
    });
    await post(kernel, request('a'));
    await post(kernel, request('b'));
    expect(count).toBe(1);
  });
});

describe('route', () => {
  it('refines one decision through every handler', async () => {
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('tiers', (ctx) => ctx.hooks.on('route', (d) => ({ ...d, provider: 'echo', model: 'small', tier: 'SIMPLE', reasons: [...d.reasons, 'short prompt'] }))),
        plugin('intent', (ctx) => ctx.hooks.on('route', async (d) => ({ ...d, model: 'medium', tier: 'MEDIUM', reasons: [...d.reasons, 'earlier turn was hard'] }))),
        plugin('echo-provider-only', (ctx) => ctx.providers.register(echoAdapter())),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.json().decision).toEqual({ provider: 'echo', model: 'medium', tier: 'MEDIUM', reasons: ['short prompt', 'earlier turn was hard'] });
    expect(res.headers).toMatchObject({ 'x-lynkr-model': 'medium', 'x-lynkr-tier': 'MEDIUM', 'x-lynkr-route-reason': 'short prompt; earlier turn was hard' });
  });

  it('refuses a request no handler routed, and one routed to an unknown provider', async () => {
    kernel = await testKernel({ plugins: [testSurface()] });
    let res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('LYNKR_ERR_ROUTE_NO_PROVIDER');
    await kernel.stop();

    kernel = await testKernel({ plugins: [testSurface(), plugin('r', (ctx) => ctx.hooks.on('route', (d) => ({ ...d, provider: 'nowhere' })))] });
    res = await post(kernel, request('hi'));
    expect(res.json().error).toMatchObject({ code: 'LYNKR_ERR_ROUTE_UNKNOWN_PROVIDER', message: expect.stringContaining('"nowhere"') });
  });
});

function echoAdapter(id = 'echo') {
  return {
    id,
    wire: 'test',
    async invoke({ request: req, decision }: { request: MessagesRequest; decision: { model: string } }) {
      return { events: iterate(messageToEvents(answer(req, `${id}:${decision.model}`, decision.model))), headers: { 'x-upstream': id } };
    },
  };
}

describe('invoke', () => {
  it('wraps the provider call like an onion and may change the decision (a fallback)', async () => {
    const order: string[] = [];
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('outer', (ctx) =>
          ctx.hooks.on('invoke', async (call, next) => {
            order.push('outer in');
            const result = await next();
            order.push('outer out');
            return result;
          }),
        ),
        plugin('fallback', (ctx) =>
          ctx.hooks.on('invoke', async (call, next) => {
            order.push('fallback in');
            try {
              return await next();
            } catch {
              order.push('fallback retry');
              return next({ ...call, decision: { ...call.decision, provider: 'backup', model: 'backup-model' } });
            }
          }),
        ),
        plugin('providers', (ctx) => {
          ctx.providers.register({ id: 'primary', wire: 'test', invoke: async () => { throw new LynkrError('LYNKR_ERR_UPSTREAM_UNREACHABLE', 'primary is down'); } });
          ctx.providers.register(echoAdapter('backup'));
          ctx.hooks.on('route', (d) => ({ ...d, provider: 'primary' }));
        }),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(200);
    expect(order).toEqual(['outer in', 'fallback in', 'fallback retry', 'outer out']);
    expect(res.json().message.content[0].text).toBe('backup:backup-model');
    expect(res.headers).toMatchObject({ 'x-lynkr-provider': 'backup', 'x-lynkr-model': 'backup-model', 'x-upstream': 'backup' });
  });

  it('sends the provider\'s headers beside the decision\'s, the decision winning a name both give', async () => {
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('providers', (ctx) => {
          ctx.providers.register({
            id: 'p',
            wire: 'test',
            invoke: async ({ request: req }: { request: MessagesRequest }) => ({
              events: iterate(messageToEvents(answer(req, 'ok', 'm'))),
              headers: { 'x-lynkr-model': 'from-the-provider', 'retry-after': '3' },
            }),
          });
          ctx.hooks.on('route', (d) => ({ ...d, provider: 'p', model: 'm', reasons: ['test'] }));
        }),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'x-lynkr-provider': 'p', 'x-lynkr-model': 'm', 'x-lynkr-route-reason': 'test', 'retry-after': '3' });
  });

  it('passes a provider error through with its own status', async () => {
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('providers', (ctx) => {
          ctx.providers.register({
            id: 'limited',
            wire: 'test',
            invoke: async () => {
              throw new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'rate limited upstream', { status: 429, headers: { 'retry-after': '7' } });
            },
          });
          ctx.hooks.on('route', (d) => ({ ...d, provider: 'limited' }));
        }),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json().error).toMatchObject({ type: 'rate_limit_error', code: 'LYNKR_ERR_UPSTREAM_HTTP' });
  });
});

describe('postResponse and responseSent', () => {
  it('transforms events lazily: replace, expand and drop', async () => {
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('shout', (ctx) =>
          ctx.hooks.on('postResponse', (ev) =>
            ev.type === 'content_block_delta' && ev.delta.type === 'text_delta' ? { ...ev, delta: { ...ev.delta, text: ev.delta.text.toUpperCase() } } : undefined,
          ),
        ),
        plugin('badge', (ctx) =>
          ctx.hooks.on('postResponse', async (ev) =>
            ev.type === 'content_block_delta' ? [ev, { ...ev, delta: { type: 'text_delta', text: ' [echo]' } }] : ev.type === 'ping' ? null : undefined,
          ),
        ),
        echoProvider(),
      ],
    });
    const res = await post(kernel, request('hi'));
    expect(res.json().message.content).toEqual([{ type: 'text', text: 'ECHO: HI [echo]' }]);
  });

  it('shows the decision actually used to the response path', async () => {
    const seen: Array<string | undefined> = [];
    kernel = await testKernel({
      plugins: [
        testSurface(),
        plugin('fallback', (ctx) => ctx.hooks.on('invoke', (call, next) => next({ ...call, decision: { ...call.decision, model: 'fallback-model', tier: 'COMPLEX' } }))),
        plugin('badge', (ctx) => ctx.hooks.on('postResponse', (ev, ex) => void (ev.type === 'message_start' && seen.push(`${ex.decision?.provider}/${ex.decision?.model}/${ex.decision?.tier}`)))),
        echoProvider(),
      ],
    });
    await post(kernel, request('hi'));
    expect(seen).toEqual(['echo/fallback-model/COMPLEX']);
  });

  it('fails the request naming the plugin when a transform throws', async () => {
    kernel = await testKernel({
      plugins: [testSurface(), plugin('bad-transform', (ctx) => ctx.hooks.on('postResponse', () => { throw new TypeError('nope'); })), echoProvider()],
    });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toMatchObject({ code: 'LYNKR_ERR_HOOK_FAILED', message: 'plugin "bad-transform" failed in postResponse: nope' });
  });

  it('isolates observers: one that throws is logged and the others still run', async () => {
    const { log, lines } = memoryLogger();
    const observed: ExchangeSummary[] = [];
    kernel = await testKernel(
      {
        plugins: [
          testSurface(),
          plugin('sync-thrower', (ctx) => ctx.hooks.on('responseSent', () => { throw new Error('stats broke'); })),
          plugin('async-thrower', (ctx) => ctx.hooks.on('responseSent', async () => { throw new Error('stats broke later'); })),
          plugin('stats', (ctx) => ctx.hooks.on('responseSent', (s) => void observed.push(s))),
          echoProvider(),
        ],
      },
      { logger: log },
    );
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(200);
    await kernel.stop();
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ stopped: false, usage: { input_tokens: 3, output_tokens: 2 }, stopReason: 'end_turn', error: undefined });
    expect(observed[0]!.decision).toMatchObject({ provider: 'echo', model: 'test-model' });
    const warnings = lines().filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toEqual([
      'plugin "sync-thrower" failed in responseSent: stats broke',
      'plugin "async-thrower" failed in responseSent: stats broke later',
    ]);
  });
});

describe('what responseSent hears of an answer that failed', () => {
  /** A provider whose answer starts, then carries the upstream's failure as an `error` event (Anthropic's mid-stream "overloaded"). */
  const failsMidway = () =>
    plugin('fails-midway', (ctx) => {
      ctx.providers.register({
        id: 'echo',
        wire: 'test',
        invoke: async ({ request: req }) => {
          const [start] = messageToEvents(answer(req, 'never finished'));
          return { events: iterate([start!, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]) };
        },
      });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'echo' }));
    });

  it('an error event in a collected answer: the upstream failure with its status, not a client that left', async () => {
    const observed: ExchangeSummary[] = [];
    kernel = await testKernel({ plugins: [testSurface(), failsMidway(), plugin('observer', (ctx) => ctx.hooks.on('responseSent', (s) => void observed.push(s)))] });
    const res = await post(kernel, request('hi'));
    expect(res.statusCode).toBe(500);
    await kernel.stop();
    expect(observed).toHaveLength(1);
    expect(observed[0]!.error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 529, message: 'Overloaded' });
  });

  it('events that end before message_stop: a truncated answer, not a complete one', async () => {
    const observed: ExchangeSummary[] = [];
    const truncating = plugin('truncating', (ctx) => {
      ctx.providers.register({
        id: 'echo',
        wire: 'test',
        invoke: async ({ request: req }) => ({ events: iterate(messageToEvents(answer(req, 'half')).filter((ev) => ev.type !== 'message_stop')) }),
      });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'echo' }));
    });
    kernel = await testKernel({ plugins: [testSurface(), truncating, plugin('observer', (ctx) => ctx.hooks.on('responseSent', (s) => void observed.push(s)))] });
    expect((await post(kernel, request('hi'))).statusCode).toBe(500);
    await kernel.stop();
    expect(observed[0]!.error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', status: 502 });
  });

  it('a complete answer: no error, and when its first event reached the surface', async () => {
    const observed: ExchangeSummary[] = [];
    kernel = await testKernel({ plugins: [testSurface(), echoProvider(), plugin('observer', (ctx) => ctx.hooks.on('responseSent', (s) => void observed.push(s)))] });
    expect((await post(kernel, request('hi'))).statusCode).toBe(200);
    await kernel.stop();
    const [summary] = observed;
    expect(summary!.error).toBeUndefined();
    expect(summary!.firstEventMs).toBeGreaterThanOrEqual(0);
    expect(summary!.firstEventMs).toBeLessThanOrEqual(summary!.durationMs);
  });
});

describe('toolExec', () => {
  it('runs every guard before the first executor that owns the tool', async () => {
    const seen: string[] = [];
    let exec!: PluginContext['pipeline'];
    kernel = await testKernel({
      plugins: [
        plugin('workspace', (ctx) => {
          exec = ctx.pipeline;
          ctx.hooks.on('toolExec', { owns: (c) => c.name === 'Read', execute: (c) => (seen.push(`read ${String(c.input.path)}`), { content: 'file text' }) });
        }),
        plugin('git-policy', (ctx) =>
          ctx.hooks.on('toolExec', { guard: (c) => (seen.push(`guard ${c.name}`), c.name === 'Bash' && String(c.input.command).includes('push --force') ? { deny: 'force push is not allowed' } : undefined) }),
        ),
        plugin('mcp', (ctx) => ctx.hooks.on('toolExec', { owns: (c) => c.name.startsWith('mcp__'), execute: async () => ({ content: [{ type: 'text', text: 'mcp' }] }) })),
      ],
    });
    const ex = createExchange({ id: 'r1', surface: 'test', log: kernel.log });
    expect(await exec.execTool({ id: 't1', name: 'Read', input: { path: 'a.ts' } }, ex)).toEqual({ status: 'done', result: { content: 'file text' }, plugin: 'workspace' });
    expect(await exec.execTool({ id: 't2', name: 'Bash', input: { command: 'git push --force' } }, ex)).toEqual({ status: 'denied', reason: 'force push is not allowed', plugin: 'git-policy' });
    expect(await exec.execTool({ id: 't3', name: 'mcp__fs__list', input: {} }, ex)).toMatchObject({ status: 'done', plugin: 'mcp' });
    expect(await exec.execTool({ id: 't4', name: 'Unknown', input: {} }, ex)).toEqual({ status: 'unhandled' });
    expect(seen).toEqual(['guard Read', 'read a.ts', 'guard Bash', 'guard mcp__fs__list', 'guard Unknown']);
  });
});
