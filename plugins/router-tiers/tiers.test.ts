import { describe, expect, it } from '@jest/globals';
import { buildTierTable, describeTable, parseTarget } from './tiers.js';
import type { TierTable } from './refs.js';

const bands = { medium: 20, complex: 45, reasoning: 70 };
const build = (entries: Parameters<typeof buildTierTable>[0]['entries']) => {
  const table: TierTable = buildTierTable({ entries, bands }, () => table);
  return table;
};
const targets = (table: TierTable) => Object.fromEntries(table.tiers.map((t) => [t.name, t.targets.map((x) => `${x.provider}:${x.model}`).join(',') + (t.borrowedFrom ? ` <${t.borrowedFrom}` : '')]));

describe('tier table', () => {
  it('splits entries at the first colon', () => {
    expect(parseTarget('ollama:qwen2.5-coder:7b')).toEqual({ provider: 'ollama', model: 'qwen2.5-coder:7b' });
    expect(parseTarget('bedrock:us.anthropic.claude-sonnet-4-5-v1:0')).toEqual({ provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-v1:0' });
  });

  it('keeps several entries per tier in order', () => {
    expect(build({ SIMPLE: ['ollama:a', 'lmstudio:b'], REASONING: 'anthropic:opus' }).get('SIMPLE').targets).toEqual([
      { provider: 'ollama', model: 'a' },
      { provider: 'lmstudio', model: 'b' },
    ]);
  });

  it.each([
    [{ SIMPLE: 'p:s' }, { SIMPLE: 'p:s', MEDIUM: 'p:s <SIMPLE', COMPLEX: 'p:s <SIMPLE', REASONING: 'p:s <SIMPLE' }],
    [{ REASONING: 'p:r' }, { SIMPLE: 'p:r <REASONING', MEDIUM: 'p:r <REASONING', COMPLEX: 'p:r <REASONING', REASONING: 'p:r' }],
    [{ SIMPLE: 'p:s', COMPLEX: 'p:c' }, { SIMPLE: 'p:s', MEDIUM: 'p:c <COMPLEX', COMPLEX: 'p:c', REASONING: 'p:c <COMPLEX' }],
    [{ MEDIUM: 'p:m', REASONING: 'p:r' }, { SIMPLE: 'p:m <MEDIUM', MEDIUM: 'p:m', COMPLEX: 'p:r <REASONING', REASONING: 'p:r' }],
  ])('fills missing tiers from the nearest configured one above, else below: %j', (entries, expected) => {
    expect(targets(build(entries))).toEqual(expected);
  });

  it('maps scores to bands, inclusive of each floor', () => {
    const table = build({ SIMPLE: 'p:s' });
    expect([0, 19.9, 20, 44, 45, 69.9, 70, 100].map((s) => table.tierFor(s))).toEqual(['SIMPLE', 'SIMPLE', 'MEDIUM', 'MEDIUM', 'COMPLEX', 'COMPLEX', 'REASONING', 'REASONING']);
    expect(table.tiers.map((t) => t.minScore)).toEqual([0, 20, 45, 70]);
  });

  it('refuses an empty table and bands that do not rise', () => {
    expect(() => build({})).toThrow('no tier is configured');
    expect(() => buildTierTable({ entries: { SIMPLE: 'p:s' }, bands: { medium: 50, complex: 50, reasoning: 70 } }, () => build({ SIMPLE: 'p:s' }))).toThrow(
      'bands must rise: medium (50) < complex (50) < reasoning (70)',
    );
  });

  it('describes itself in one line', () => {
    expect(describeTable(build({ SIMPLE: 'ollama:llama3.2', COMPLEX: 'anthropic:sonnet' }))).toBe(
      'SIMPLE ollama:llama3.2 (0+) | MEDIUM → COMPLEX (20+) | COMPLEX anthropic:sonnet (45+) | REASONING → COMPLEX (70+)',
    );
  });
});
