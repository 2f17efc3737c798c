/**
 * What the stats plugin shares: the service that reads its counters, and the
 * shape of what it reports (also the body of `GET /v1/lynkr/stats`).
 */
import { createServiceRef } from '../../kernel/index.js';

/** Token counts, as Anthropic reports them: `input` excludes cached input. @public */
export interface StatsTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One `provider:model` that answered. @public */
export interface StatsModel {
  provider: string;
  model: string;
  requests: number;
  tokens: StatsTokens;
  /** Estimated cost in `cost.currency`, or null when the model has no price. */
  cost: number | null;
}

/** @public */
export interface StatsSnapshot {
  /** When these counters started (the process's start): ISO 8601. */
  since: string;
  /** Exchanges that finished: answered, failed mid-way, or abandoned by the client. */
  requests: number;
  /** Exchanges that failed after the pipeline started answering (client aborts excluded). */
  errors: number;
  /** Exchanges the client abandoned before the end. */
  aborted: number;
  /** Exchanges answered in preRoute (a cache or another plugin answered; no model was called). */
  cacheHits: number;
  /** Exchanges answered by another target than the one routed to, after a failure (plugins/resilience). */
  fallbacks: number;
  /** Tokens models processed (cache hits excluded). */
  tokens: StatsTokens;
  /** Routed exchanges per tier, for decisions that name one. */
  tiers: Record<string, number>;
  /** Per `provider:model`, in the order first seen. */
  models: StatsModel[];
  cost: {
    currency: string;
    /** The estimated cost of every priced model's tokens. */
    estimated: number;
    /** `provider:model` of models without a price: counted as costing nothing. */
    unpriced: string[];
    /**
     * What the same tokens would have cost on one model (the `baseline`
     * option, else the most expensive model seen), cache hits included; null
     * when no priced model is known.
     */
    baseline: { model: string; cost: number } | null;
    /** `baseline.cost - estimated`, or null without a baseline. */
    saving: number | null;
  };
}

/** @public */
export interface StatsService {
  /** The counters now. Per process and in memory: they start at zero with each Lynkr process. */
  snapshot(): StatsSnapshot;
}

/** The stats plugin's counters. @public */
export const statsRef = createServiceRef<StatsService>({ id: 'stats.counters' });
