/**
 * What router-tiers shares with other plugins: the scorer and the tier table,
 * as service refs, and the types of the fields it puts on a RouteDecision.
 * This is the one file of router-tiers another plugin may import.
 */
import { createServiceRef, type Exchange, type Message, type RouteDecision } from '../../kernel/index.js';

/** The tiers, cheapest first. @public */
export const TIERS = ['SIMPLE', 'MEDIUM', 'COMPLEX', 'REASONING'] as const;

/** @public */
export type TierName = (typeof TIERS)[number];

/** What a forced turn was forced to, and why. @public */
export interface ForcedTier {
  tier: 'SIMPLE' | 'REASONING';
  /** The rule that matched: `greeting`, `acknowledgement`, `think hard`, `security audit`, ... */
  rule: string;
}

/** The score of what a user typed in one message. @public */
export interface ScoreResult {
  /** 0-100. A forced SIMPLE turn scores 0 and a forced REASONING turn 100. */
  score: number;
  /** Points each feature contributed (only those that contributed), e.g. `{ refactor: 20, scope: 14 }`. */
  features: Readonly<Record<string, number>>;
  /** Set when a force rule decided the tier regardless of the features. */
  forced?: ForcedTier;
}

/**
 * The complexity scorer. Deterministic: the same text always gets the same
 * result, so plugins that score the same message agree.
 * @public
 */
export interface Scorer {
  /** Score what a user typed (envelopes already removed: pass `typedText(message)`). */
  score(text: string): ScoreResult;
  /**
   * What the user typed in one message: its text without `<system-reminder>`
   * and similar envelope blocks, tool results, images or Lynkr badges. Empty
   * when the user typed nothing (a tool-result message, a reminder only).
   */
  typedText(message: Message): string;
  /** The scorer that routed `ex`: a team that overrides router-tiers' options has its own weights. */
  forExchange(ex: Exchange): Scorer;
}

/** @public */
export const scorerRef = createServiceRef<Scorer>({ id: 'router-tiers.scorer' });

/** One `provider:model` a tier may route to. @public */
export interface TierTarget {
  provider: string;
  model: string;
}

/** A tier as resolved from the config. @public */
export interface ResolvedTier {
  name: TierName;
  /** Where it routes, in order of preference: its own entries, or the tier it borrows from. */
  targets: readonly TierTarget[];
  /** Set when the tier was not configured and uses another tier's entries. */
  borrowedFrom?: TierName;
  /** The lowest score of its band (SIMPLE's is 0). */
  minScore: number;
}

/**
 * The tier table: every tier, cheapest first, with its targets and its
 * score band. The tier fallback and bandit plugins read it.
 * @public
 */
export interface TierTable {
  /** All four tiers in order, SIMPLE first; unconfigured ones borrow. */
  readonly tiers: readonly ResolvedTier[];
  get(name: TierName): ResolvedTier;
  /** The tier whose band holds `score`. */
  tierFor(score: number): TierName;
  /** The table that routed `ex`: a team that overrides router-tiers' options has its own. */
  forExchange(ex: Exchange): TierTable;
}

/** @public */
export const tiersRef = createServiceRef<TierTable>({ id: 'router-tiers.tiers' });

/** Claude Code's background calls, which go to SIMPLE and never move a session pin. @public */
export type SideRequestKind = 'probe' | 'suggestion' | 'title' | 'summary' | 'compaction' | 'helper';

/**
 * A decision router-tiers made or refined. `score` and `side` are extra
 * fields of the RouteDecision; the API plugins show tier, score and reasons
 * as `x-lynkr-tier`, `x-lynkr-score` and `x-lynkr-route-reason`.
 * @public
 */
export interface TierDecision extends RouteDecision {
  tier: TierName;
  /** The score that chose the tier (absent for side requests, which are not scored). */
  score?: number;
  /** Set for a client's background call. */
  side?: SideRequestKind;
}

/** A conversation's session pin: the model that serves it. @public */
export interface SessionPin extends TierTarget {
  tier: TierName;
}

/**
 * Session affinity as the route stage sees it. A plugin that refines the
 * decision (a bandit) reads it to leave a pinned conversation alone:
 * router-tiers' `post` handler would put the pinned model back anyway.
 * @public
 */
export interface Affinity {
  /**
   * The pin of `ex`'s conversation, whose read router-tiers' `pre` handler
   * started; undefined when pins are off, for side requests other than
   * compaction, and for decisions router-tiers did not propose. Never
   * rejects: a failing store reads as no pin. The `post` handler applies a
   * pin only while its target is in the tier table.
   */
  pinOf(ex: Exchange): Promise<SessionPin | undefined> | undefined;
}

/** @public */
export const affinityRef = createServiceRef<Affinity>({ id: 'router-tiers.affinity' });
