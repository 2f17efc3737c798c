/**
 * What bandit-linucb shares: the field it puts on a route decision, and a
 * read-only view of what its arms have learned. The one file of this plugin
 * another plugin may import.
 */
import { createServiceRef } from '../../kernel/index.js';

/**
 * `decision.bandit`, on every decision the bandit made: what it chose and
 * with which probability, for off-policy evaluation from the logs.
 * @public
 */
export interface BanditChoice {
  /** `provider:model`. */
  arm: string;
  /** P(this arm) under the policy when it chose: 1 − ε + ε/K for the best bound, ε/K for an ε pick, 1 when K = 1. */
  propensity: number;
  /** The ε-uniform pick chose another arm than the best bound. */
  explored: boolean;
  /** K: how many arms were admitted. */
  arms: number;
}

/**
 * What the bandit knows of one arm on the turns proposed at one tier (an
 * arm has separate statistics per proposed tier).
 * @public
 */
export interface BanditArm {
  /** `provider:model`. */
  arm: string;
  /** The tier the tier router proposed for the turns counted here. */
  tier: string;
  /** Observations applied in this process's view (answers, failed attempts and ratings). */
  updates: number;
}

/** @public */
export interface BanditService {
  /** Every arm and tier seen so far. */
  arms(): BanditArm[];
  /** Resolves when every queued update has been applied and written to the store. */
  settled(): Promise<void>;
}

/** @public */
export const banditRef = createServiceRef<BanditService>({ id: 'bandit-linucb.bandit' });
