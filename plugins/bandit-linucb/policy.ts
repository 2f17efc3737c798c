/**
 * The choice among admitted arms: the highest upper confidence bound, and
 * with probability ε a uniform pick, with the probability of what was
 * chosen (its propensity) so that the log supports off-policy evaluation.
 */
import type { Arm } from './arms.js';
import { estimate, type ArmStats } from './linucb.js';

export interface Candidate {
  readonly arm: Arm;
  readonly stats: ArmStats;
  /** λ·θ₀ on the bias: the prior estimate times the prior's weight. */
  readonly prior: number;
}

export interface Choice {
  /** Index of the chosen candidate. */
  chosen: number;
  /** Index of the candidate with the highest bound. */
  greedy: number;
  /** P(chosen) under the policy: 1 − ε + ε/K for the greedy arm, ε/K for another. */
  propensity: number;
  /** The ε-uniform pick chose another arm than the greedy one. */
  explored: boolean;
  /** Each candidate's upper confidence bound, by index. */
  ucb: number[];
}

/** Bounds this close count as equal, so that rounding never moves a tie away from the proposal. */
const TIE = 1e-9;

/**
 * Choose among `candidates` (at least one) in context `x`. `proposed` is the
 * index of the tier router's choice (or -1 when it is not a candidate): it
 * wins ties. `z` is scratch space of the context's length.
 */
export function choose(
  candidates: readonly Candidate[],
  proposed: number,
  x: Float64Array,
  settings: { alpha: number; epsilon: number },
  rng: () => number,
  z: Float64Array,
): Choice {
  const ucb: number[] = [];
  let greedy = -1;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const { mean, width } = estimate(c.stats, c.prior, x, z);
    const u = mean + settings.alpha * width;
    ucb.push(u);
    if (greedy === -1 || u > ucb[greedy]! + TIE || (i === proposed && u >= ucb[greedy]! - TIE)) greedy = i;
  }
  const k = candidates.length;
  const { epsilon } = settings;
  let chosen = greedy;
  if (k > 1 && epsilon > 0 && rng() < epsilon) chosen = Math.min(k - 1, Math.floor(rng() * k));
  const explored = chosen !== greedy;
  const propensity = k === 1 ? 1 : (chosen === greedy ? 1 - epsilon : 0) + epsilon / k;
  return { chosen, greedy, propensity, explored, ucb };
}

/** A seeded generator (mulberry32) for reproducible exploration; Math.random otherwise. */
export function rngFor(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
