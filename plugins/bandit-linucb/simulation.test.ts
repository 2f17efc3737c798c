/**
 * The policy on simulated environments, over many seeds: the building blocks
 * the route handler uses (admission, prior, bound, update), without a kernel,
 * so that a claim about "most runs" is checked on many runs. The end-to-end
 * run through a kernel is in bandit-linucb.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { TIERS, type ResolvedTier, type TierTable } from '../router-tiers/refs.js';
import { admissible, armsOf, priorOf } from './arms.js';
import { contextVector, DIM } from './features.js';
import { observe, untrained, type ArmStats } from './linucb.js';
import { BanditOptions } from './options.js';
import { choose, rngFor, type Candidate } from './policy.js';

const ENTRIES = ['local:small', 'local:medium', 'cloud:sonnet', 'cloud:opus'];
const tiers: ResolvedTier[] = TIERS.map((name, i) => ({
  name,
  targets: [{ provider: ENTRIES[i]!.split(':')[0]!, model: ENTRIES[i]!.split(':')[1]! }],
  minScore: [0, 20, 45, 70][i]!,
}));
const table = { tiers, get: (n: string) => tiers.find((t) => t.name === n)! } as unknown as TierTable;
const arms = armsOf(table);
const MEDIUM = 1;
const proposed = arms.byKey.get('local:medium')!;

// The defaults, as the option schema gives them.
const defaults = { alpha: 0.5, epsilon: 0.02, maxTierShift: 1, weight: 16, margin: 0.15 };

/** One run: MEDIUM turns (the tier router proposes local:medium), rewards 1 with each model's chance of success, else 0. */
function run(seed: number, succeeds: Record<string, number>, rounds = 300) {
  const rng = rngFor(seed);
  const env = rngFor(seed * 7919);
  const stats = new Map<string, ArmStats>();
  const z = new Float64Array(DIM);
  const served: string[] = [];
  let explored = 0;
  for (let i = 0; i < rounds; i++) {
    const x = contextVector({ score: 20 + env() * 24, tokens: 2000 + env() * 40_000, tools: true, toolExchange: false, risk: 0, stream: true, client: 'claude-code' });
    const candidates: Candidate[] = arms.list
      .filter((arm) => admissible(arm, MEDIUM, defaults.maxTierShift, false))
      .map((arm) => ({ arm, stats: stats.get(arm.key) ?? untrained(DIM, defaults.weight), prior: defaults.weight * priorOf(arm, proposed, MEDIUM, defaults.margin) }));
    const c = choose(candidates, candidates.findIndex((k) => k.arm === proposed), x, defaults, rng, z);
    const arm = candidates[c.chosen]!.arm;
    served.push(arm.key);
    if (c.explored) explored++;
    const reward = env() < succeeds[arm.key]! ? 1 : 0;
    stats.set(arm.key, observe(stats.get(arm.key) ?? untrained(DIM, defaults.weight), x, reward, 1, defaults.weight, ''));
  }
  const share = (arm: string) => served.slice(-100).filter((a) => a === arm).length / 100;
  return { served, explored, share };
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('the bandit on simulated environments (40 seeds, 300 rounds each)', () => {
  it('uses the defaults the options give', () => {
    const props = BanditOptions.properties;
    const of = (schema: unknown) => (schema as { default: unknown }).default;
    expect([of(props.alpha), of(props.epsilon), of(props.maxTierShift), of(props.prior.properties.weight), of(props.prior.properties.margin)]).toEqual([
      defaults.alpha,
      defaults.epsilon,
      defaults.maxTierShift,
      defaults.weight,
      defaults.margin,
    ]);
  });

  it('moves the traffic to the model that succeeds more', () => {
    const runs = SEEDS.map((seed) => run(seed, { 'local:medium': 0.35, 'cloud:sonnet': 0.9, 'local:small': 0.5 }));
    // In nearly every run, the last hundred rounds go mostly to the model that succeeds.
    expect(runs.filter((r) => r.share('cloud:sonnet') > 0.8).length).toBeGreaterThanOrEqual(34);
    for (const r of runs) expect(r.served).not.toContain('cloud:opus');
  });

  it('keeps the tier router\'s choice when it serves about as well as the others', () => {
    for (const env of [
      { 'local:medium': 0.95, 'cloud:sonnet': 0.95, 'local:small': 0.95 },
      { 'local:medium': 0.9, 'cloud:sonnet': 0.95, 'local:small': 0.6 },
    ]) {
      const runs = SEEDS.map((seed) => run(seed, env));
      expect(runs.filter((r) => r.share('local:medium') > 0.8).length).toBeGreaterThanOrEqual(36);
    }
  });

  it('explores within its bound: ε picks stay near ε·(K−1)/K of the rounds', () => {
    const runs = SEEDS.map((seed) => run(seed, { 'local:medium': 0.9, 'cloud:sonnet': 0.9, 'local:small': 0.9 }));
    const mean = runs.reduce((s, r) => s + r.explored, 0) / runs.length;
    // 0.02 × 2/3 × 300 = 4 per run.
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(6);
    // Off the proposal, all causes together (ε, and the bound of the arms it has not tried): a small share.
    const off = runs.reduce((s, r) => s + r.served.filter((a) => a !== 'local:medium').length, 0) / (runs.length * 300);
    expect(off).toBeLessThan(0.05);
  });
});
