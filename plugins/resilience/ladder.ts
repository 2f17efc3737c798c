/**
 * Where a request goes when its provider:model fails: the other entries of
 * its tier, then the tiers above it (a stronger model), then, with
 * `up-then-down`, the tiers below (an answer beats none), then the
 * configured fallback targets. Each once, the failed one excluded.
 */
import type { Exchange, ResolvedDecision } from '../../kernel/index.js';
import type { TierName, TierTable } from '../router-tiers/refs.js';

export interface Candidate {
  provider: string;
  model: string;
  /** The tier it belongs to, when it came from the tier table. */
  tier?: TierName;
}

export const keyOf = (c: { provider: string; model: string }): string => `${c.provider}:${c.model}`;

export function fallbackCandidates(
  decision: ResolvedDecision,
  ex: Exchange,
  table: TierTable | undefined,
  ladder: 'up' | 'up-then-down' | 'none',
  targets: readonly string[],
): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set([keyOf(decision)]);
  const add = (c: Candidate) => {
    const key = keyOf(c);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  const tiers = table?.forExchange(ex).tiers;
  const at = tiers?.findIndex((t) => t.name === decision.tier) ?? -1;
  if (tiers && at >= 0 && ladder !== 'none') {
    const order = [at, ...range(at + 1, tiers.length), ...(ladder === 'up-then-down' ? range(at - 1, -1) : [])];
    for (const i of order) {
      const tier = tiers[i]!;
      for (const t of tier.targets) add({ provider: t.provider, model: t.model, tier: tier.name });
    }
  }
  for (const t of targets) {
    const colon = t.indexOf(':');
    add({ provider: t.slice(0, colon), model: t.slice(colon + 1) });
  }
  return out;
}

/** from → to, exclusive of `to`, either direction. */
function range(from: number, to: number): number[] {
  const out: number[] = [];
  if (from < to) for (let i = from; i < to; i++) out.push(i);
  else for (let i = from; i > to; i--) out.push(i);
  return out;
}
