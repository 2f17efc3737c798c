import { describe, expect, it } from '@jest/globals';
import type { Capabilities, MessagesRequest } from '../../kernel/index.js';
import { candidates, guard, misfit, needsOf } from './guards.js';
import { buildTierTable } from './tiers.js';
import type { TierTable, TierTarget } from './refs.js';

const table: TierTable = buildTierTable(
  { entries: { SIMPLE: ['a:s1', 'b:s2'], MEDIUM: 'a:m', COMPLEX: 'c:c', REASONING: ['c:r', 'a:s1'] }, bands: { medium: 20, complex: 45, reasoning: 70 } },
  () => table,
);
const caps = (contextWindow: number, vision = false, tools = true): Capabilities => ({ tools, vision, thinking: false, maxOutputTokens: 8192, contextWindow });
const request = (text: string, extra: Partial<MessagesRequest> = {}): MessagesRequest => ({ model: 'm', max_tokens: 1000, messages: [{ role: 'user', content: text }], ...extra });

describe('needsOf', () => {
  it('estimates tokens from every string, counting images by the image and not by their base64', () => {
    const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: 'A'.repeat(1_000_000) } };
    const needs = needsOf({
      model: 'm',
      max_tokens: 500,
      system: 'x'.repeat(350),
      tools: [{ name: 'T', description: 'y'.repeat(345), input_schema: {} }],
      messages: [
        { role: 'user', content: [image, { type: 'text', text: 'z'.repeat(700) }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'i', name: 'Read', input: { file_path: '/a' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'i', content: [{ type: 'text', text: 'w'.repeat(700) }, image] }] },
      ],
    });
    // system 350; the tool's keys and strings 4+1 + 11+345 + 12; the text 700; the tool call "Read" + "file_path" + "/a"; the result 700.
    const chars = 350 + (4 + 1 + 11 + 345 + 12) + 700 + (4 + 9 + 2) + 700;
    expect(needs).toEqual({ tokens: Math.ceil(chars / 3.5) + 2 * 1600, vision: true, tools: true, maxTokens: 500 });
  });

  it('needs no tool support when tools are present but switched off', () => {
    expect(needsOf(request('hi', { tools: [{ name: 'T' }], tool_choice: { type: 'none' } })).tools).toBe(false);
  });
});

describe('misfit', () => {
  const needs = { tokens: 10_000, vision: false, tools: false, maxTokens: 32_000 };
  it('reserves the output the model can actually produce', () => {
    expect(misfit(caps(18_191), needs)).toBe('~10000 tokens + 8192 output exceed its 18191-token context');
    expect(misfit(caps(18_192), needs)).toBeUndefined();
  });
  it('checks vision and tools', () => {
    expect(misfit(caps(200_000), { ...needs, vision: true })).toBe('images need vision');
    expect(misfit(caps(200_000, true, false), { ...needs, tools: true })).toBe('tools need tool support');
  });
});

describe('guard', () => {
  const ids = (list: Array<{ target: TierTarget }>) => list.map((c) => `${c.target.provider}:${c.target.model}`);

  it('tries the rest of the tier, then the tiers above, then those below, each target once', () => {
    expect(ids(candidates(table, { target: { provider: 'a', model: 'm' }, tier: 'MEDIUM' }))).toEqual(['a:m', 'c:c', 'c:r', 'a:s1', 'b:s2']);
    expect(ids(candidates(table, { target: { provider: 'a', model: 's1' }, tier: 'SIMPLE' }))).toEqual(['a:s1', 'b:s2', 'a:m', 'c:c', 'c:r']);
  });

  it('keeps a target that fits, or whose provider does not describe it, without estimating anything', () => {
    let estimated = 0;
    const needs = () => (estimated++, needsOf(request('hi')));
    const current = { target: { provider: 'a', model: 'm' }, tier: 'MEDIUM' as const };
    expect(guard(table, current, needs, () => undefined)).toEqual({ chosen: current });
    expect(estimated).toBe(0);
    expect(guard(table, current, needs, () => caps(100_000))).toEqual({ chosen: current });
  });

  it('moves to the first candidate that fits', () => {
    const window: Record<string, number> = { 'a:m': 8_000, 'c:c': 12_000, 'c:r': 200_000 };
    const result = guard(table, { target: { provider: 'a', model: 'm' }, tier: 'MEDIUM' }, () => needsOf(request('x '.repeat(20_000))), (t) => caps(window[`${t.provider}:${t.model}`] ?? 4_000));
    expect(result.chosen).toEqual({ target: { provider: 'c', model: 'r' }, tier: 'REASONING' });
    expect(result.note).toBe('guard: a:m cannot take it (~11429 tokens + 1000 output exceed its 8000-token context) → c:r');
  });

  it('falls back to the largest context that can otherwise take the request when nothing fits', () => {
    const window: Record<string, number> = { 'a:m': 8_000, 'c:c': 16_000 };
    const result = guard(table, { target: { provider: 'a', model: 'm' }, tier: 'MEDIUM' }, () => needsOf(request('x '.repeat(200_000))), (t) => caps(window[`${t.provider}:${t.model}`] ?? 4_000));
    expect(result.chosen.target).toEqual({ provider: 'c', model: 'c' });
    expect(result.note).toMatch(/^guard: no configured model fits \(.*\); best effort c:c$/);
  });
});
