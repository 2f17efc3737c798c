/**
 * router-tiers and intent-window together on a realistic Claude Code
 * request (test/routing/claude-code-session.json): 24 tools, reminders, a
 * mid-conversation system message, 40 messages of tool calls.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin, type Capabilities, type Kernel, type MessagesRequest } from '../../kernel/index.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { answer, iterate, testKernel, testSurface } from '../helpers/kernel.js';

const session = JSON.parse(readFileSync(new URL('./claude-code-session.json', import.meta.url), 'utf8')) as { headers: Record<string, string>; request: MessagesRequest };
const { request: full, headers } = session;

const caps = (contextWindow: number): Capabilities => ({ tools: true, vision: true, thinking: true, maxOutputTokens: 8192, contextWindow });
const providers = definePlugin({
  name: 'fake-providers',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    for (const id of ['local', 'cloud']) {
      ctx.providers.register({
        id,
        wire: 'test',
        capabilities: (model) => caps(model === 'tiny' ? 16_000 : 200_000),
        invoke: async ({ request: req }) => ({ events: iterate(messageToEvents(answer(req, 'ok'))) }),
      });
    }
  },
});
const TIERS = { simple: 'local:small', medium: 'local:medium', complex: 'cloud:sonnet', reasoning: 'cloud:opus' };

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

/** The text the user typed in message `i` of the session. */
const typedAt = (i: number): string => {
  const content = full.messages[i]!.content;
  return typeof content === 'string' ? content : (content.findLast((b) => b.type === 'text') as { text: string }).text;
};
/** The session with the typed text of message `i` replaced. */
const withTyped = (i: number, text: string): MessagesRequest => ({ ...full, messages: full.messages.map((m, k) => (k === i ? { role: 'user', content: text } : m)) });

const route = async (body: MessagesRequest, h: Record<string, string> = headers) =>
  (await kernel!.inject({ method: 'POST', url: '/test/messages', payload: body as unknown as object, headers: h })).json().decision;

describe('a Claude Code session through router-tiers and intent-window', () => {
  it('scores what the user typed, whatever surrounds it, and lets the window weigh the earlier turn', async () => {
    kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-tiers', { ...TIERS, affinity: { enabled: false } }], 'intent-window'] });
    // The latest typed turn asks for a doc note; the double-charge investigation one typed turn back still weighs in.
    expect(await route(full)).toEqual({
      provider: 'cloud',
      model: 'sonnet',
      tier: 'COMPLEX',
      score: 46.2,
      reasons: ['tier MEDIUM: score 41 (build 16, risk 16, length 4.9)', 'window: the message 1 back scored 66, × 0.7^1 = 46.2 → COMPLEX'],
    });
    // The same texts alone score the same: 24 tools, reminders and 40 messages of history add nothing.
    const alone = (text: string) => route({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: text }] }, {});
    expect((await alone(typedAt(37))).score).toBe(41);
    expect((await alone(typedAt(0))).score).toBe(66);
  });

  it('keeps the pinned model while the tool exchange goes on', async () => {
    kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-tiers', TIERS], 'intent-window'] });
    // The conversation's first typed turn: the investigation, routed on its own merits and pinned.
    const opening = await route({ ...full, messages: full.messages.slice(0, 2) });
    expect(opening).toMatchObject({ provider: 'cloud', model: 'sonnet', tier: 'COMPLEX' });
    for (const end of [4, 10, 20, 36, 38, 40]) {
      const decision = await route({ ...full, messages: full.messages.slice(0, end) });
      expect(decision).toMatchObject({ provider: 'cloud', model: 'sonnet', tier: 'COMPLEX' });
      expect(decision.reasons.at(-1)).toBe(`pinned to cloud:sonnet (COMPLEX): ${end === 38 ? 'conversation stays' : 'tool exchange in progress'}`);
    }
    // Background calls of the same session go to SIMPLE and leave the pin where it is.
    const suggestion = { ...full, messages: [...full.messages.slice(0, 37), { role: 'user' as const, content: '[SUGGESTION MODE: Suggest what the user might naturally type next into Claude Code.]' }] };
    expect(await route(suggestion)).toMatchObject({ model: 'small', side: 'suggestion' });
    expect(await route(full)).toMatchObject({ model: 'sonnet' });
  });

  it('moves a conversation off a model whose context it outgrew', async () => {
    kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-tiers', { simple: 'local:tiny', complex: 'cloud:sonnet' }]] });
    const decision = await route(withTyped(37, 'thanks'));
    expect(decision).toMatchObject({ provider: 'cloud', model: 'sonnet', tier: 'MEDIUM' });
    expect(decision.reasons.at(-1)).toMatch(/^guard: local:tiny cannot take it \(~\d+ tokens \+ 8192 output exceed its 16000-token context\) → cloud:sonnet$/);
  });

  it('routes each team with its own tier table and weights, the intent window included', async () => {
    kernel = await testKernel({
      keys: ['k-default-key'],
      teams: {
        research: { keys: ['k-research-key'], options: { 'router-tiers': { complex: 'cloud:opus' } } },
        heavy: { keys: ['k-heavy-team'], options: { 'router-tiers': { weights: { debug: 60 } } } },
      },
      plugins: [testSurface(), providers(), ['router-tiers', { ...TIERS, affinity: { enabled: false } }], 'intent-window'],
    });
    // "ok" is SIMPLE on its own; the window lifts it to COMPLEX, whose model differs per team.
    const body = { ...full, messages: [...full.messages.slice(0, 37), { role: 'user' as const, content: 'ok' }] };
    expect(await route(body, { ...headers, 'x-api-key': 'k-default-key' })).toMatchObject({ tier: 'COMPLEX', model: 'sonnet', score: 46.2 });
    expect(await route(body, { ...headers, 'x-api-key': 'k-research-key' })).toMatchObject({ tier: 'COMPLEX', model: 'opus', score: 46.2 });
    // The window rescored the investigation with the team's weights: 30 more points for debugging, × 0.7.
    expect(await route(body, { ...headers, 'x-api-key': 'k-heavy-team' })).toMatchObject({ score: 67.2 });
  });
});
