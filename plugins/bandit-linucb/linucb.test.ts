import { describe, expect, it } from '@jest/globals';
import type { Exchange } from '../../kernel/index.js';
import { TIERS, type ResolvedTier, type TierName, type TierTable, type TierTarget } from '../router-tiers/refs.js';
import { admissible, armsOf, PRIOR_LEVEL, priorOf, tierFor, type Arm } from './arms.js';
import { contextVector, DIM } from './features.js';
import { estimate, inverseOf, invert, observe, shermanMorrison, untrained } from './linucb.js';
import { choose, rngFor, type Candidate } from './policy.js';
import { PriceTable } from '../../kernel/index.js';
import { costOf, rewardOf, ToolCalls } from './reward.js';

/** A tier table as router-tiers resolves one: a missing tier borrows the nearest configured one above, else below. */
function table(entries: Partial<Record<TierName, string[]>>, bands = { medium: 20, complex: 45, reasoning: 70 }): TierTable {
  const mins = [0, bands.medium, bands.complex, bands.reasoning];
  const own = TIERS.map((t) => (entries[t] ?? []).map((e): TierTarget => ({ provider: e.slice(0, e.indexOf(':')), model: e.slice(e.indexOf(':') + 1) })));
  const tiers: ResolvedTier[] = TIERS.map((name, i) => {
    if (own[i]!.length) return { name, targets: own[i]!, minScore: mins[i]! };
    let from = own.findIndex((t, j) => j > i && t.length > 0);
    if (from === -1) from = own.findLastIndex((t, j) => j < i && t.length > 0);
    return { name, targets: own[from]!, borrowedFrom: TIERS[from]!, minScore: mins[i]! };
  });
  const self: TierTable = {
    tiers,
    get: (name) => tiers.find((t) => t.name === name)!,
    tierFor: (score) => {
      for (let i = tiers.length - 1; i > 0; i--) if (score >= tiers[i]!.minScore) return tiers[i]!.name;
      return 'SIMPLE';
    },
    forExchange: (_ex: Exchange) => self,
  };
  return self;
}

const FOUR = { SIMPLE: ['local:small'], MEDIUM: ['local:medium'], COMPLEX: ['cloud:sonnet', 'cloud:gpt'], REASONING: ['cloud:opus'] };

/** A context with only the score set. */
const at = (score: number) => contextVector({ score, tokens: 5000, tools: true, toolExchange: false, risk: 0, stream: true, client: 'claude-code' });

function random(seed: number) {
  const rng = rngFor(seed);
  return () => rng() * 2 - 1;
}

describe('LinUCB algebra', () => {
  it('keeps A⁻¹ by Sherman–Morrison equal to the direct inverse', () => {
    const r = random(7);
    let stats = untrained(DIM, 2);
    for (let i = 0; i < 300; i++) {
      const x = Float64Array.from({ length: DIM }, r);
      stats = observe(stats, x, (r() + 1) / 2, i % 3 === 0 ? 2 : 1, 2, `r${i}`);
      if (i % 37 !== 0) continue;
      const direct = inverseOf(stats.A, DIM, 2)!;
      for (let k = 0; k < DIM * DIM; k++) expect(stats.Ainv[k]).toBeCloseTo(direct[k]!, 9);
    }
  });

  it('is a rank-one update of the inverse', () => {
    const r = random(3);
    const m = Float64Array.from({ length: DIM * DIM }, () => 0);
    for (let i = 0; i < DIM; i++) for (let k = 0; k < DIM; k++) m[i * DIM + k] = (i === k ? 3 : 0) + 0.1 * (i + k);
    const x = Float64Array.from({ length: DIM }, r);
    const updated = Float64Array.from(m);
    for (let i = 0; i < DIM; i++) for (let k = 0; k < DIM; k++) updated[i * DIM + k]! += 0.5 * x[i]! * x[k]!;
    const sm = shermanMorrison(invert(m, DIM)!, x, 0.5, DIM);
    const direct = invert(updated, DIM)!;
    for (let k = 0; k < DIM * DIM; k++) expect(sm[k]).toBeCloseTo(direct[k]!, 10);
  });

  it('refuses a singular matrix', () => {
    expect(invert(new Float64Array(4), 2)).toBeUndefined();
  });

  it('learns a linear reward and narrows its confidence', () => {
    const r = random(11);
    const theta = Float64Array.from({ length: DIM }, (_, i) => (i % 2 ? 0.3 : -0.2));
    let stats = untrained(DIM, 1);
    const prior = 0;
    const x = Float64Array.from({ length: DIM }, r);
    const z = new Float64Array(DIM);
    const before = estimate(stats, prior, x, z).width;
    for (let i = 0; i < 500; i++) {
      const xi = Float64Array.from({ length: DIM }, r);
      stats = observe(stats, xi, theta.reduce((s, t, k) => s + t * xi[k]!, 0), 1, 1, '');
    }
    const after = estimate(stats, prior, x, z);
    expect(after.mean).toBeCloseTo(theta.reduce((s, t, k) => s + t * x[k]!, 0), 1);
    expect(after.width).toBeLessThan(before / 5);
  });
});

describe('arms', () => {
  it('are exactly the targets the tier table names', () => {
    const arms = armsOf(table(FOUR));
    expect(arms.list.map((a) => a.key)).toEqual(['local:small', 'local:medium', 'cloud:sonnet', 'cloud:gpt', 'cloud:opus']);
    expect(arms.byKey.get('cloud:sonnet')!.tiers).toEqual([2]);
    const borrowed = armsOf(table({ SIMPLE: ['local:small'], COMPLEX: ['cloud:sonnet'] }));
    expect(borrowed.list.map((a) => [a.key, a.tiers])).toEqual([
      ['local:small', [0]],
      ['cloud:sonnet', [1, 2, 3]],
    ]);
  });

  const BANDS = { medium: 20, complex: 45, reasoning: 70 };
  const shapes: Array<[string, Partial<Record<TierName, string[]>>, { medium: number; complex: number; reasoning: number }]> = [
    ['four tiers, two targets in COMPLEX', FOUR, BANDS],
    ['odd bands', FOUR, { medium: 5, complex: 90, reasoning: 95 }],
    ['SIMPLE and COMPLEX only (MEDIUM and REASONING borrow)', { SIMPLE: ['local:small'], COMPLEX: ['cloud:sonnet', 'cloud:opus'] }, BANDS],
    ['one tier', { MEDIUM: ['cloud:sonnet'] }, BANDS],
    ['a model in two tiers', { SIMPLE: ['local:small'], MEDIUM: ['local:small', 'local:medium'], COMPLEX: ['cloud:sonnet'], REASONING: ['cloud:opus', 'cloud:sonnet'] }, BANDS],
    ['a model first in two tiers apart', { SIMPLE: ['cloud:sonnet'], MEDIUM: ['local:medium'], COMPLEX: ['cloud:sonnet'] }, BANDS],
  ];

  it.each(shapes)('untrained, agree with the tier router at every score (%s)', (_name, entries, bands) => {
    const t = table(entries, bands);
    const arms = armsOf(t);
    const z = new Float64Array(DIM);
    for (let score = 0; score <= 100; score += 0.5) {
      const tier = t.tierFor(score);
      const target = t.get(tier).targets[0]!;
      const proposed = arms.byKey.get(`${target.provider}:${target.model}`)!;
      const rank = TIERS.indexOf(tier);
      const candidates: Candidate[] = arms.list.map((arm) => ({ arm, stats: untrained(DIM, 4), prior: 4 * priorOf(arm, proposed, rank, 0.1) }));
      const choice = choose(candidates, candidates.findIndex((c) => c.arm === proposed), at(score), { alpha: 1, epsilon: 0 }, Math.random, z);
      expect([score, candidates[choice.chosen]!.arm.key]).toEqual([score, proposed.key]);
      // Outright, not through the tie-break: every other arm starts lower.
      if (candidates.length > 1) expect(choice.ucb[choice.chosen]! - Math.max(...choice.ucb.filter((_, i) => i !== choice.chosen))).toBeGreaterThan(0.04);
    }
  });

  it('start lower the further they are from the proposal', () => {
    const arms = armsOf(table(FOUR));
    const [small, medium, sonnet, gpt, opus] = arms.list as [Arm, Arm, Arm, Arm, Arm];
    expect(priorOf(sonnet, sonnet, 2, 0.1)).toBe(PRIOR_LEVEL);
    expect(priorOf(gpt, sonnet, 2, 0.1)).toBeCloseTo(PRIOR_LEVEL - 0.05, 12);
    expect(priorOf(medium, sonnet, 2, 0.1)).toBeCloseTo(PRIOR_LEVEL - 0.1, 12);
    expect(priorOf(opus, sonnet, 2, 0.1)).toBeCloseTo(PRIOR_LEVEL - 0.1, 12);
    expect(priorOf(small, sonnet, 2, 0.1)).toBeCloseTo(PRIOR_LEVEL - 0.2, 12);
  });

  it('move at most maxTierShift tiers, and never down for a turn that must not go down', () => {
    const arms = armsOf(table(FOUR));
    const names = (rank: number, shift: number, noDown: boolean) =>
      arms.list
        .filter((a) => admissible(a, rank, shift, noDown))
        .map((a) => a.key)
        .sort();
    expect(names(1, 0, false)).toEqual(['local:medium']);
    expect(names(1, 1, false)).toEqual(['cloud:gpt', 'cloud:sonnet', 'local:medium', 'local:small']);
    expect(names(1, 1, true)).toEqual(['cloud:gpt', 'cloud:sonnet', 'local:medium']);
    expect(names(3, 3, true)).toEqual(['cloud:opus']);
    expect(names(0, 2, false)).toEqual(['cloud:gpt', 'cloud:sonnet', 'local:medium', 'local:small']);
    const sonnet = arms.byKey.get('cloud:sonnet') as Arm;
    expect(tierFor(sonnet, 1)).toBe('COMPLEX');
  });
});

describe('the policy', () => {
  const arms = armsOf(table(FOUR)).list;
  const candidates: Candidate[] = arms.slice(0, 3).map((arm) => ({ arm, stats: untrained(DIM, 4), prior: 4 * priorOf(arm, arms[0]!, 0, 0.1) }));

  it('logs the probability of what it chose', () => {
    const z = new Float64Array(DIM);
    const rng = rngFor(1);
    let explored = 0;
    for (let i = 0; i < 2000; i++) {
      const c = choose(candidates, 0, at(10), { alpha: 0.25, epsilon: 0.3 }, rng, z);
      if (c.chosen === c.greedy) expect(c.propensity).toBeCloseTo(1 - 0.3 + 0.1, 12);
      else {
        explored++;
        expect(c.explored).toBe(true);
        expect(c.propensity).toBeCloseTo(0.1, 12);
      }
    }
    // ε·(K−1)/K of the picks go elsewhere: 0.2 of 2000.
    expect(explored).toBeGreaterThan(300);
    expect(explored).toBeLessThan(500);
    expect(choose(candidates.slice(0, 1), 0, at(10), { alpha: 0.25, epsilon: 0.3 }, rng, z).propensity).toBe(1);
  });

  it('is reproducible with a seed', () => {
    const z = new Float64Array(DIM);
    const run = () => {
      const rng = rngFor(42);
      return Array.from({ length: 50 }, () => choose(candidates, 0, at(10), { alpha: 0.25, epsilon: 0.5 }, rng, z).chosen);
    };
    expect(run()).toEqual(run());
  });
});

describe('rewards', () => {
  const weights = { latency: 0.15, cost: 0.25, toolCalls: 0.5 };
  const scales = { latencyMs: 5000, cost: 0.05 };

  it('take latency, cost and tool calls off a success', () => {
    expect(rewardOf({ latencyMs: 0, cost: 0, toolValidity: 1 }, weights, scales)).toBe(1);
    expect(rewardOf({ latencyMs: 5000, cost: undefined, toolValidity: 1 }, weights, scales)).toBeCloseTo(1 - 0.075, 12);
    expect(rewardOf({ latencyMs: 0, cost: 0.05, toolValidity: 1 }, weights, scales)).toBeCloseTo(1 - 0.125, 12);
    expect(rewardOf({ latencyMs: 0, cost: 0, toolValidity: 0.5 }, weights, scales)).toBeCloseTo(0.75, 12);
    expect(rewardOf({ latencyMs: 1e9, cost: 1e9, toolValidity: 0 }, { latency: 1, cost: 1, toolCalls: 1 }, scales)).toBe(0);
  });

  it('price models as the price table names them', () => {
    const prices = new PriceTable({ 'claude-sonnet-4-5': { input: 3, output: 15 }, 'openrouter:vendor/x': { input: 1, output: 1 } }, ['ollama']);
    expect(prices.find('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual({ input: 3, output: 15 });
    expect(prices.find('ollama', 'anything')).toMatchObject({ input: 0, output: 0 });
    expect(prices.find('openrouter', 'vendor/x')).toEqual({ input: 1, output: 1 });
    expect(prices.find('openai', 'vendor/x')).toBeUndefined();
    expect(costOf({ input_tokens: 1_000_000, output_tokens: 100_000, cache_read_input_tokens: 1_000_000 }, { input: 3, output: 15, cacheRead: 0.3 })).toBeCloseTo(3 + 1.5 + 0.3, 12);
  });

  it('check tool calls: an offered tool, and input that parses as an object', () => {
    const calls = new ToolCalls(() => new Set(['Bash']));
    const call = (index: number, name: string, json: string) => {
      calls.see({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: `t${index}`, name, input: {} } });
      calls.see({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(0, 3) } });
      calls.see({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(3) } });
      calls.see({ type: 'content_block_stop', index });
    };
    expect(calls.validity).toBe(1);
    call(0, 'Bash', '{"command":"ls"}');
    call(1, 'Bash', '{"command":');
    call(2, 'Shell', '{"command":"ls"}');
    call(3, 'Bash', '[1,2]');
    expect([calls.calls, calls.valid]).toEqual([4, 1]);
  });
});
