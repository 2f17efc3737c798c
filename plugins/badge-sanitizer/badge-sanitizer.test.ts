import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin } from '../../kernel/index.js';
import type { Kernel, Message, MessagesRequest, PluginContext } from '../../kernel/index.js';
import { echoProvider, request, testKernel, testSurface } from '../../test/helpers/kernel.js';
import { formatBadge } from '../badge/refs.js';
import { stripBadges } from './strip.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const BADGE = formatBadge({ provider: 'ollama', model: 'qwen2.5-coder:7b', tier: 'SIMPLE', score: 12 });

const history = (...messages: Message[]): MessagesRequest => ({ ...request('next'), messages: [...messages, { role: 'user', content: 'next' }] });
const user = (content: Message['content']): Message => ({ role: 'user', content });
const assistant = (content: Message['content']): Message => ({ role: 'assistant', content });
const strip = (req: MessagesRequest) => stripBadges(req)?.request.messages;

describe('stripBadges', () => {
  it('strips the badge from string content', () => {
    expect(strip(history(user('hi'), assistant(`${BADGE}Hello!`)))).toEqual([user('hi'), assistant('Hello!'), user('next')]);
  });

  it('drops the badge\'s own block from array content, keeping every other block as it was', () => {
    const thinking = { type: 'thinking', thinking: 'hmm', signature: 'sig' };
    const call = { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a.ts' } };
    const req = history(user('hi'), assistant([{ type: 'text', text: BADGE }, thinking, { type: 'text', text: 'Reading.' }, call]));
    expect(strip(req)![1]).toEqual(assistant([thinking, { type: 'text', text: 'Reading.' }, call]));
  });

  it('strips the badge from the start of a text block that carries the answer too (OpenAI-style history)', () => {
    const block = { type: 'text', text: `${BADGE}Hello!`, cache_control: { type: 'ephemeral' } };
    expect(strip(history(user('hi'), assistant([block])))![1]).toEqual(assistant([{ type: 'text', text: 'Hello!', cache_control: { type: 'ephemeral' } }]));
  });

  it('looks at the first text block, even behind a thinking block, and only there', () => {
    const thinking = { type: 'thinking', thinking: 'hmm', signature: 'sig' };
    expect(strip(history(user('hi'), assistant([thinking, { type: 'text', text: `${BADGE}Hi` }])))![1]).toEqual(assistant([thinking, { type: 'text', text: 'Hi' }]));
    const later = assistant([{ type: 'text', text: 'Here is what it printed:' }, { type: 'text', text: `${BADGE}quoted` }]);
    expect(stripBadges(history(user('hi'), later))).toBeUndefined();
  });

  it('strips every assistant turn of a long history', () => {
    const req = history(user('a'), assistant(`${BADGE}A`), user('b'), assistant([{ type: 'text', text: BADGE }, { type: 'text', text: 'B' }]), user('c'), assistant('C'));
    expect(stripBadges(req)).toMatchObject({ badges: 2, dropped: 0 });
    expect(strip(req)).toEqual([user('a'), assistant('A'), user('b'), assistant([{ type: 'text', text: 'B' }]), user('c'), assistant('C'), user('next')]);
  });

  it('never touches user or system text, even a quoted badge, nor assistant text that only mentions [Lynkr]', () => {
    const req = history(
      user(`${BADGE}why does my answer start with this?`),
      assistant('Lynkr adds *[Lynkr] …* badges when visible routing is on.'),
      user([{ type: 'text', text: BADGE }]),
      { role: 'system', content: BADGE },
      assistant(`Intro\n${BADGE}Hello`),
      assistant('*[Lynkr] not a badge* because text follows on its line'),
    );
    expect(stripBadges(req)).toBeUndefined();
  });

  it('returns nothing for a request without badges and never changes its input', () => {
    const clean = history(user('hi'), assistant('Hello'));
    expect(stripBadges(clean)).toBeUndefined();
    const badged = history(user('hi'), assistant([{ type: 'text', text: BADGE }, { type: 'text', text: 'Hello' }]));
    const before = structuredClone(badged);
    const out = stripBadges(badged)!;
    expect(badged).toEqual(before);
    expect(out.request).not.toBe(badged);
    expect(out.request.messages[0]).toBe(badged.messages[0]);
    expect(out.request.max_tokens).toBe(badged.max_tokens);
  });

  it('drops an assistant turn that held only a badge, and joins the user turns it separated', () => {
    let req = history(user('hi'), assistant(BADGE));
    expect(stripBadges(req)).toMatchObject({ badges: 1, dropped: 1 });
    expect(strip(req)).toEqual([user('hi\n\nnext')]);

    req = history(user([{ type: 'text', text: 'hi' }]), assistant([{ type: 'text', text: BADGE.trimEnd() }]));
    expect(strip(req)).toEqual([user([{ type: 'text', text: 'hi' }, { type: 'text', text: 'next' }])]);

    req = { ...request('x'), messages: [user('hi'), assistant('Hello'), user('more'), assistant(`${BADGE}  \n`)] };
    expect(strip(req)).toEqual([user('hi'), assistant('Hello'), user('more')]);
  });

  it('leaves user turns the client itself sent side by side as they are', () => {
    const req = history(user('a'), user('b'), assistant(`${BADGE}A`));
    expect(strip(req)).toEqual([user('a'), user('b'), assistant('A'), user('next')]);
  });
});

describe('badge-sanitizer plugin', () => {
  const plugin = (name: string, setup: (ctx: PluginContext) => void) => definePlugin({ name, version: '1.0.0', kernel: '^1', setup })();

  it('runs ahead of the preRoute stage, so every other plugin reads clean history', async () => {
    const seen: unknown[] = [];
    const reader = plugin('reader', (ctx) => ctx.hooks.on('preRoute', (req) => void seen.push(req.messages[1]?.content)));
    kernel = await testKernel({ plugins: [testSurface(), reader, 'badge-sanitizer', echoProvider()] });
    expect(kernel.stages().preRoute).toEqual(['badge-sanitizer (pre)', 'reader']);
    const res = await kernel.inject({ method: 'POST', url: '/test/messages', payload: history(user('hi'), assistant(`${BADGE}Hello`)) });
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual(['Hello']);
  });

  it('passes a request without badges through as the very same object', async () => {
    const seen: MessagesRequest[] = [];
    const before = plugin('before', (ctx) => ctx.hooks.on('preRoute', (req) => void seen.push(req), { order: 'pre' }));
    const after = plugin('after', (ctx) => ctx.hooks.on('preRoute', (req) => void seen.push(req)));
    kernel = await testKernel({ plugins: [testSurface(), 'badge-sanitizer', before, after, echoProvider()] });
    await kernel.inject({ method: 'POST', url: '/test/messages', payload: history(user('hi'), assistant('Hello')) });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
  });

  it('takes no options', async () => {
    await expect(testKernel({ plugins: [['badge-sanitizer', { strict: true }]] })).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
  });
});
