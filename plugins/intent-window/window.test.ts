import { describe, expect, it } from '@jest/globals';
import type { Message, RouteDecision } from '../../kernel/index.js';
import { createExchange } from '../../kernel/index.js';
import pino from 'pino';
import type { Scorer, TierTable } from '../router-tiers/refs.js';
import { createIntentWindow } from './refine.js';
import { pickByWindow, recentTurns } from './window.js';

describe('pickByWindow', () => {
  it('holds the worked example: ages 4..0 scoring 80, 5, 25, 3, 5 → the age-4 message wins with 19.2', () => {
    const pick = pickByWindow([80, 5, 25, 3, 5], 0.7)!;
    expect(pick.age).toBe(4);
    expect(pick.score).toBe(80);
    expect(pick.weighted).toBeCloseTo(19.208, 10);
    // The others weigh 5·0.7³ = 1.7, 25·0.7² = 12.25, 3·0.7 = 2.1 and 5.
  });

  it('lets the newer message win a tie, and the latest win when nothing older weighs more', () => {
    expect(pickByWindow([10, 7], 0.7)).toEqual({ age: 0, score: 7, weighted: 7 });
    expect(pickByWindow([0, 0, 0], 0.7)!.age).toBe(0);
    expect(pickByWindow([], 0.7)).toBeUndefined();
    expect(pickByWindow([50, 10], 1)).toEqual({ age: 1, score: 50, weighted: 50 });
  });
});

describe('recentTurns', () => {
  const typed = (m: Message) => (m.role === 'user' && typeof m.content === 'string' ? m.content : '');
  it('takes the last N typed user messages, oldest first, skipping tool results and assistant turns', () => {
    const messages: Message[] = [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] },
      { role: 'user', content: 'three' },
    ];
    expect(recentTurns(messages, 5, typed)).toEqual(['one', 'two', 'three']);
    expect(recentTurns(messages, 2, typed)).toEqual(['two', 'three']);
  });
});

describe('the route handler', () => {
  // A stub scorer that gives each text the score it names, and a table with the default bands.
  const scorer: Scorer = {
    score: (text) => ({ score: Number(text.split(' ')[1]), features: {} }),
    typedText: (m) => (typeof m.content === 'string' && m.role === 'user' ? m.content : ''),
    forExchange: () => scorer,
  };
  const tier = (name: string, minScore: number, model: string) => ({ name, minScore, targets: [{ provider: 'p', model }] });
  const tiers = [tier('SIMPLE', 0, 's'), tier('MEDIUM', 20, 'm'), tier('COMPLEX', 45, 'c'), tier('REASONING', 70, 'r')];
  const table = {
    tiers,
    get: (name: string) => tiers.find((t) => t.name === name)!,
    tierFor: (score: number) => [...tiers].reverse().find((t) => score >= t.minScore)!.name,
    forExchange: () => table,
  } as unknown as TierTable;
  const handler = createIntentWindow(scorer, table, { size: 5, decay: 0.7 });
  const ex = createExchange({ id: 'x', surface: 'test', log: pino({ level: 'silent' }) });
  const conversation = (...scores: number[]) => ({
    model: 'm',
    max_tokens: 1,
    messages: scores.flatMap((s, i): Message[] => [...(i ? [{ role: 'assistant' as const, content: 'ok' }] : []), { role: 'user', content: `scores ${s}` }]),
  });
  const decided = (score: number): RouteDecision => ({ provider: 'p', model: table.get(table.tierFor(score)).targets[0]!.model, tier: table.tierFor(score), score, reasons: ['tier'] });

  it('raises the score to the winner\'s weighted one, and the tier with it', () => {
    expect(handler(decided(5), conversation(80, 5, 25, 3, 5), ex)).toEqual({
      provider: 'p',
      model: 's',
      tier: 'SIMPLE',
      score: 19.2,
      reasons: ['tier', 'window: the message 4 back scored 80, × 0.7^4 = 19.2'],
    });
    expect(handler(decided(10), conversation(100, 10), ex)).toEqual({
      provider: 'p',
      model: 'r',
      tier: 'REASONING',
      score: 70,
      reasons: ['tier', 'window: the message 1 back scored 100, × 0.7^1 = 70 → REASONING'],
    });
  });

  it('leaves alone the latest message\'s own decision, side requests and decisions without a tier', () => {
    expect(handler(decided(60), conversation(30, 60), ex)).toBeUndefined();
    expect(handler({ ...decided(0), side: 'title' }, conversation(90, 0), ex)).toBeUndefined();
    expect(handler({ provider: 'p', model: 'x', reasons: [] }, conversation(90, 0), ex)).toBeUndefined();
    expect(handler(decided(0), conversation(0), ex)).toBeUndefined();
  });
});
