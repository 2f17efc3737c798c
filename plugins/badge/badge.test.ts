import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { definePlugin } from '../../kernel/index.js';
import type { Kernel, MessagesResponse, PluginContext, ResolvedDecision, StreamEvent } from '../../kernel/index.js';
import { createExchange, setDecision } from '../../kernel/pipeline/exchange.js';
import { checkGrammar, collectMessage, messageToEvents } from '../../kernel/ir/stream.js';
import { answer, echoProvider, iterate, request, testKernel, testSurface } from '../../test/helpers/kernel.js';
import { injectBadge } from './inject.js';
import { BADGE_PATTERN, formatBadge, stripBadge } from './refs.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const plugin = (name: string, setup: (ctx: PluginContext) => void) => definePlugin({ name, version: '1.0.0', kernel: '^1', setup })();

/** A route handler that decides like a tier router would. */
const tiers = (extra: Record<string, unknown>) =>
  plugin('tiers', (ctx) => ctx.hooks.on('route', (d) => ({ ...d, provider: 'echo', model: 'qwen2.5-coder:7b', ...extra, reasons: [...d.reasons, 'tiers'] })));

const post = async (k: Kernel, body: unknown) => (await k.inject({ method: 'POST', url: '/test/messages', payload: body as object })).json();

/** An answer with every kind of block, so index shifts show on each. */
const rich: MessagesResponse = {
  ...answer(request('hi'), ''),
  content: [
    { type: 'thinking', thinking: 'let me see', signature: 'sig==' },
    { type: 'text', text: 'Reading the file.' },
    { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a.ts' } },
  ],
  stop_reason: 'tool_use',
};

function exchange(decision?: Partial<ResolvedDecision>) {
  const ex = createExchange({ id: 'r1', surface: 'test', log: pino({ level: 'silent' }) });
  if (decision) setDecision(ex, { provider: 'ollama', model: 'llama3.2', reasons: [], ...decision });
  return ex;
}

/** Run events through the transform the way the pipeline does: keep, replace or expand. */
function transform(events: StreamEvent[], ex = exchange({ tier: 'SIMPLE', score: 12 }), format?: string): StreamEvent[] {
  const handler = injectBadge(format);
  return events.flatMap((ev) => {
    const out = handler(ev, ex);
    if (out === undefined) return [ev];
    if (out === null) return [];
    return Array.isArray(out) ? out : [out as StreamEvent];
  });
}

describe('formatBadge', () => {
  const where = { provider: 'ollama', model: 'qwen2.5-coder:7b' };

  it('shows what the decision knows, in four documented forms', () => {
    expect(formatBadge({ ...where, tier: 'SIMPLE', score: 23 })).toBe('*[Lynkr] SIMPLE → qwen2.5-coder:7b (ollama) · score 23*\n\n');
    expect(formatBadge({ ...where, tier: 'SIMPLE' })).toBe('*[Lynkr] SIMPLE → qwen2.5-coder:7b (ollama)*\n\n');
    expect(formatBadge({ ...where, score: 23 })).toBe('*[Lynkr] qwen2.5-coder:7b (ollama) · score 23*\n\n');
    expect(formatBadge(where)).toBe('*[Lynkr] qwen2.5-coder:7b (ollama)*\n\n');
  });

  it('shows a score as an integer or with two decimals, and leaves out one that is not a score', () => {
    expect(formatBadge({ ...where, score: 41.666 })).toContain('· score 41.67*');
    expect(formatBadge({ ...where, score: 0.5 })).toContain('· score 0.5*');
    expect(formatBadge({ ...where, score: '73' })).toContain('· score 73*');
    for (const score of [Number.NaN, Infinity, null, {}, '', true]) expect(formatBadge({ ...where, score })).toBe('*[Lynkr] qwen2.5-coder:7b (ollama)*\n\n');
  });

  it('fills a custom format, with — for what is not known', () => {
    expect(formatBadge({ ...where, score: 7 }, '{model} via {provider} [{tier}] {score}')).toBe('*[Lynkr] qwen2.5-coder:7b via ollama [—] 7*\n\n');
    expect(formatBadge(where, '   ')).toBe('*[Lynkr] qwen2.5-coder:7b (ollama)*\n\n');
  });

  it('keeps the badge one line without asterisks whatever the values hold, so it is always recognised again', () => {
    const badges = [
      formatBadge({ provider: 'we*ird', model: 'a\nb\r\nc', tier: '**', score: 'x*y' }),
      formatBadge({ provider: 'p', model: 'm'.repeat(5000) }),
      formatBadge({ provider: '', model: '' }),
      formatBadge(where, 'bold *{model}*\nnext line'),
    ];
    for (const badge of badges) {
      expect(badge).toMatch(BADGE_PATTERN);
      expect(badge.split('\n')).toHaveLength(3);
      expect(stripBadge(`${badge}The answer.`)).toBe('The answer.');
    }
    expect(badges[0]).toBe('*[Lynkr] a b c (we ird) · score x y*\n\n');
    expect(badges[1]!.length).toBeLessThan(1020);
    expect(badges[2]).toBe('*[Lynkr] — (—)*\n\n');
  });
});

describe('stripBadge', () => {
  const badge = formatBadge({ provider: 'ollama', model: 'llama3.2', tier: 'SIMPLE', score: 5 });

  it('removes the badge and its blank line, and nothing else', () => {
    expect(stripBadge(`${badge}Hello`)).toBe('Hello');
    expect(stripBadge(`${badge}\nHello`)).toBe('\nHello');
    expect(stripBadge(badge)).toBe('');
    expect(stripBadge(badge.replace(/\n/g, '\r\n') + 'Hello')).toBe('Hello');
  });

  it('recognises the badge alone in its block when a client trimmed the blank line', () => {
    expect(stripBadge(badge.trimEnd())).toBe('');
  });

  it('does not match text that merely looks like a badge', () => {
    for (const text of [
      `Hello ${badge}`,
      `Intro\n${badge}Hello`,
      '[Lynkr] said SIMPLE → x',
      '*[Lynkr] no closing asterisk\n\nHello',
      '*[Lynkr] closed* but text follows on the line',
      '*[Lynkr] one newline only*\nHello',
      '*[Lynkr]* empty',
      '*[Lynkr] two\nlines*\n\nHello',
      '**[Lynkr] bold**\n\nHello',
      ` ${badge}`,
    ]) {
      expect(stripBadge(text)).toBeUndefined();
    }
  });
});

describe('injectBadge (the stream transform)', () => {
  it('adds the badge as block 0 right after message_start and moves every block up one index', () => {
    const out = transform(messageToEvents(rich));
    expect(checkGrammar(out)).toEqual([]);
    expect(out.slice(0, 4)).toEqual([
      expect.objectContaining({ type: 'message_start' }),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '*[Lynkr] SIMPLE → llama3.2 (ollama) · score 12*\n\n' } },
      { type: 'content_block_stop', index: 0 },
    ]);
    const indices = out.flatMap((ev) => ('index' in ev ? [`${ev.type}:${ev.index}`] : []));
    expect(indices).toEqual([
      'content_block_start:0', 'content_block_delta:0', 'content_block_stop:0',
      'content_block_start:1', 'content_block_delta:1', 'content_block_delta:1', 'content_block_stop:1',
      'content_block_start:2', 'content_block_delta:2', 'content_block_stop:2',
      'content_block_start:3', 'content_block_delta:3', 'content_block_stop:3',
    ]);
  });

  it('gives a whole answer the badge as its first text block, the rest unchanged', async () => {
    const message = await collectMessage(iterate(transform(messageToEvents(rich))));
    expect(message.content).toEqual([{ type: 'text', text: '*[Lynkr] SIMPLE → llama3.2 (ollama) · score 12*\n\n' }, ...rich.content]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('keeps the grammar of a live stream with pings and many deltas, and of an empty answer', () => {
    const live: StreamEvent[] = [
      messageToEvents(rich)[0]!,
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ];
    expect(checkGrammar(transform(live))).toEqual([]);
    expect(checkGrammar(transform(messageToEvents({ ...rich, content: [] })))).toEqual([]);
  });

  it('adds nothing to a stream that fails before it starts, or to an answer nothing routed', () => {
    const failed: StreamEvent[] = [{ type: 'error', error: { type: 'overloaded_error', message: 'busy' } }];
    expect(transform(failed)).toEqual(failed);
    const events = messageToEvents(rich);
    expect(transform(events, exchange())).toEqual(events);
  });

  it('uses the custom format', () => {
    const out = transform(messageToEvents(rich), exchange({ tier: 'COMPLEX' }), '{tier}: {model}');
    expect(out[2]).toMatchObject({ delta: { text: '*[Lynkr] COMPLEX: llama3.2*\n\n' } });
  });
});

describe('badge plugin', () => {
  it('answers with the badge first, from the decision actually used', async () => {
    kernel = await testKernel({ plugins: [testSurface(), ['badge', { enabled: true }], tiers({ tier: 'SIMPLE', score: 18 }), echoProvider()] });
    const { message } = await post(kernel, request('hi'));
    expect(message.content).toEqual([
      { type: 'text', text: '*[Lynkr] SIMPLE → qwen2.5-coder:7b (echo) · score 18*\n\n' },
      { type: 'text', text: 'echo: hi' },
    ]);
  });

  it('shows what is known when no tier router decided', async () => {
    kernel = await testKernel({ plugins: [testSurface(), ['badge', { enabled: true }], echoProvider()] });
    expect((await post(kernel, request('hi'))).message.content[0]).toEqual({ type: 'text', text: '*[Lynkr] test-model (echo)*\n\n' });
  });

  it('runs last on the response path, so no other transform rewrites the badge', async () => {
    const shout = plugin('shout', (ctx) =>
      ctx.hooks.on('postResponse', (ev) => (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta' ? { ...ev, delta: { ...ev.delta, text: ev.delta.text.toUpperCase() } } : undefined)),
    );
    kernel = await testKernel({ plugins: [testSurface(), ['badge', { enabled: true }], shout, echoProvider()] });
    expect(kernel.stages().postResponse).toEqual(['shout', 'badge (post)']);
    const { message } = await post(kernel, request('hi'));
    expect(message.content.map((b: { text: string }) => b.text)).toEqual(['*[Lynkr] test-model (echo)*\n\n', 'ECHO: HI']);
  });

  it('adds no badge to an answer a preRoute plugin gave', async () => {
    const cache = plugin('cache', (ctx) => ctx.hooks.on('preRoute', (req, ex) => ex.stop(answer(req, 'cached'))));
    kernel = await testKernel({ plugins: [testSurface(), ['badge', { enabled: true }], cache, echoProvider()] });
    expect((await post(kernel, request('hi'))).message.content).toEqual([{ type: 'text', text: 'cached' }]);
  });

  it('registers nothing when disabled, and follows LYNKR_VISIBLE_ROUTING when not told', async () => {
    const saved = process.env.LYNKR_VISIBLE_ROUTING;
    try {
      delete process.env.LYNKR_VISIBLE_ROUTING;
      kernel = await testKernel({ plugins: ['badge'] });
      expect(kernel.stages().postResponse).toEqual([]);
      await kernel.stop();

      process.env.LYNKR_VISIBLE_ROUTING = 'true';
      kernel = await testKernel({ plugins: ['badge'] });
      expect(kernel.stages().postResponse).toEqual(['badge (post)']);
      await kernel.stop();

      kernel = await testKernel({ plugins: [['badge', { enabled: false }]] });
      expect(kernel.stages().postResponse).toEqual([]);
      await kernel.stop();

      process.env.LYNKR_VISIBLE_ROUTING = '1';
      kernel = await testKernel({ plugins: ['badge'] });
      expect(kernel.stages().postResponse).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.LYNKR_VISIBLE_ROUTING;
      else process.env.LYNKR_VISIBLE_ROUTING = saved;
    }
  });

  it('can be on for one team only, and off for another', async () => {
    kernel = await testKernel({
      plugins: [testSurface(), ['badge', { enabled: false }], echoProvider()],
      keys: ['default-key-0001'],
      teams: { visible: { keys: ['visible-key-001'], options: { badge: { enabled: true, format: '{model}' } } } },
    });
    const first = async (key: string) =>
      (await kernel!.inject({ method: 'POST', url: '/test/messages', payload: request('hi'), headers: { 'x-api-key': key } })).json().message.content[0].text;
    expect(await first('visible-key-001')).toBe('*[Lynkr] test-model*\n\n');
    expect(await first('default-key-0001')).toBe('echo: hi');
  });

  it('refuses at boot a format that could not be recognised again, or an unknown placeholder', async () => {
    for (const format of ['**{model}**', '{model}\n{provider}', '{modle}', '{model']) {
      await expect(testKernel({ plugins: [['badge', { enabled: true, format }]] })).rejects.toMatchObject({
        code: 'LYNKR_ERR_PLUGIN_OPTIONS',
        message: expect.stringContaining('plugins[0].format: Expected a value matching'),
      });
    }
  });
});
