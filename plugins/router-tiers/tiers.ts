import { LynkrError, type Exchange } from '../../kernel/index.js';
import { TIERS, type ResolvedTier, type TierName, type TierTable, type TierTarget } from './refs.js';

/** `provider:model` split at the first colon, so `ollama:qwen2.5-coder:7b` keeps its tag. */
export function parseTarget(entry: string): TierTarget {
  const at = entry.indexOf(':');
  return { provider: entry.slice(0, at).trim(), model: entry.slice(at + 1).trim() };
}

export const formatTarget = (t: TierTarget): string => `${t.provider}:${t.model}`;

/** What the options say about tiers: entries per tier (any subset) and the band floors. */
export interface TierConfig {
  entries: Partial<Record<TierName, string | readonly string[]>>;
  bands: { medium: number; complex: number; reasoning: number };
}

/**
 * Resolve the configured tiers into a full table. A missing tier borrows
 * the nearest configured tier above it (a harder tier can always do an
 * easier tier's work), else the nearest below: configuring any one tier
 * routes every request, and routing is never silently off.
 */
export function buildTierTable(config: TierConfig, forExchange: (ex: Exchange) => TierTable): TierTable {
  const { medium, complex, reasoning } = config.bands;
  if (!(medium < complex && complex < reasoning)) {
    throw new LynkrError(
      'LYNKR_ERR_PLUGIN_OPTIONS',
      `bands must rise: medium (${medium}) < complex (${complex}) < reasoning (${reasoning})`,
    );
  }
  const own = TIERS.map((name) => {
    const value = config.entries[name];
    return value === undefined ? [] : (typeof value === 'string' ? [value] : value).map(parseTarget);
  });
  if (own.every((targets) => targets.length === 0)) {
    throw new LynkrError(
      'LYNKR_ERR_PLUGIN_OPTIONS',
      'no tier is configured: give at least one of simple, medium, complex, reasoning as "provider:model" (or set TIER_SIMPLE..TIER_REASONING)',
    );
  }
  const mins = [0, medium, complex, reasoning];
  const tiers: ResolvedTier[] = TIERS.map((name, i) => {
    if (own[i]!.length) return Object.freeze({ name, targets: Object.freeze(own[i]!), minScore: mins[i]! });
    const from = lender(own, i);
    return Object.freeze({ name, targets: Object.freeze(own[from]!), borrowedFrom: TIERS[from]!, minScore: mins[i]! });
  });
  const byName = new Map(tiers.map((t) => [t.name, t]));
  return Object.freeze({
    tiers: Object.freeze(tiers),
    get: (name: TierName) => byName.get(name)!,
    tierFor(score: number): TierName {
      for (let i = tiers.length - 1; i > 0; i--) if (score >= tiers[i]!.minScore) return tiers[i]!.name;
      return 'SIMPLE';
    },
    forExchange,
  });
}

/** The nearest configured tier above `i`, else below (the caller made sure one is configured). */
function lender(own: ReadonlyArray<readonly TierTarget[]>, i: number): number {
  const above = own.findIndex((targets, j) => j > i && targets.length > 0);
  return above !== -1 ? above : own.findLastIndex((targets, j) => j < i && targets.length > 0);
}

/** Position of a tier, SIMPLE = 0. */
export const rank = (tier: TierName): number => TIERS.indexOf(tier);

/** Whether `provider:model` is one of the table's targets. */
export function inTable(table: TierTable, provider: string, model: string): boolean {
  return table.tiers.some((t) => t.targets.some((x) => x.provider === provider && x.model === model));
}

/** One line per tier for the boot log: `SIMPLE ollama:llama3.2 | MEDIUM → COMPLEX | ...`. */
export function describeTable(table: TierTable): string {
  return table.tiers
    .map((t) => `${t.name} ${t.borrowedFrom ? `→ ${t.borrowedFrom}` : t.targets.map(formatTarget).join(', ')} (${t.minScore}+)`)
    .join(' | ');
}
