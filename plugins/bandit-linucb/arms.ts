/**
 * The arms: exactly the `provider:model` targets the tier table names, each
 * with the tiers that list it, and the prior that makes an untrained bandit
 * agree with the tier router.
 */
import { TIERS, type TierName, type TierTable } from '../router-tiers/refs.js';

export interface Arm {
  /** `provider:model`. */
  readonly key: string;
  readonly provider: string;
  readonly model: string;
  /** Ranks (SIMPLE 0) of the tiers that list it, ascending. */
  readonly tiers: readonly number[];
}

export interface ArmSet {
  readonly list: readonly Arm[];
  readonly byKey: ReadonlyMap<string, Arm>;
}

export const armKey = (provider: string, model: string): string => `${provider}:${model}`;

/** The key of an arm's statistics for turns proposed at a tier: what a model does on SIMPLE turns says little about COMPLEX ones. */
export const statsKey = (tier: TierName, arm: string): string => `${tier}|${arm}`;

/** The arms of a tier table: every target it names, once, in the table's order. */
export function armsOf(table: TierTable): ArmSet {
  const byKey = new Map<string, Arm>();
  for (const tier of table.tiers) {
    for (const target of tier.targets) {
      const key = armKey(target.provider, target.model);
      if (!byKey.has(key)) byKey.set(key, { key, provider: target.provider, model: target.model, tiers: tiersOf(table, key) });
    }
  }
  return { list: [...byKey.values()], byKey };
}

function tiersOf(table: TierTable, key: string): number[] {
  const out: number[] = [];
  table.tiers.forEach((tier, t) => {
    if (tier.targets.some((x) => armKey(x.provider, x.model) === key)) out.push(t);
  });
  return out;
}

/** Where an untrained arm's reward estimate sits: a coin flip on a reward in [0, 1]. */
export const PRIOR_LEVEL = 0.5;

/**
 * The prior estimate of `arm` on a turn the tier router proposed to send to
 * `proposed` at tier `rank`: the proposal at PRIOR_LEVEL, another target of
 * the same tier `margin / 2` below, a model of another tier `margin` below
 * per tier of distance. Untrained, the bandit therefore agrees with the
 * tier router; it takes about `weight` observations to overturn that.
 */
export function priorOf(arm: Arm, proposed: Arm, rank: number, margin: number): number {
  if (arm === proposed) return PRIOR_LEVEL;
  const away = distance(arm, rank);
  return PRIOR_LEVEL - (away === 0 ? margin / 2 : margin * away);
}

/** How far (in tiers) an arm is from `rank`: 0 when a tier at that rank lists it. */
export function distance(arm: Arm, rank: number): number {
  let best: number = TIERS.length;
  for (const t of arm.tiers) best = Math.min(best, Math.abs(t - rank));
  return best;
}

/**
 * Whether the bandit may move a decision proposed at tier `rank` to `arm`:
 * at most `maxShift` tiers away, and never to a model only lower tiers list
 * when the turn must not go down (a risky turn, or one forced to REASONING).
 */
export function admissible(arm: Arm, rank: number, maxShift: number, noDown: boolean): boolean {
  if (distance(arm, rank) > maxShift) return false;
  return !(noDown && arm.tiers.at(-1)! < rank);
}

/** The tier a decision moved to `arm` carries: the proposed one when it lists the arm, else the arm's nearest (upwards on a tie). */
export function tierFor(arm: Arm, rank: number): TierName {
  let best = arm.tiers[0]!;
  for (const t of arm.tiers) if (Math.abs(t - rank) < Math.abs(best - rank) || (Math.abs(t - rank) === Math.abs(best - rank) && t > best)) best = t;
  return TIERS[best]!;
}
