/**
 * The counters: what each finished exchange adds, and the snapshot with
 * costs worked out when asked (never on the request path).
 */
import type { ExchangeSummary, Usage } from '../../kernel/index.js';
import { costOf, weight, type Price, type PriceTable } from './prices.js';
import type { StatsModel, StatsSnapshot, StatsTokens } from './refs.js';

/** Distinct `provider:model` pairs kept apart; the rest are counted together, so memory stays bounded. */
export const MAX_MODELS = 256;

/** What the counters need of an exchange. */
export type Outcome = Pick<ExchangeSummary, 'request' | 'decision' | 'stopped' | 'usage'> & { error: { code: string } | undefined };

interface Bucket {
  provider: string;
  model: string;
  requests: number;
  tokens: StatsTokens;
  /** Looked up once: undefined until then, null when the model has no price. */
  price?: Price | null;
}

/** The bucket of every pair beyond {@link MAX_MODELS}: it has no price. */
const OTHER = '\0other';

const zero = (): StatsTokens => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/** A usage count, or 0 for anything that is not a finite positive number. */
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

function add(into: StatsTokens, usage: Usage): void {
  into.input += count(usage.input_tokens);
  into.output += count(usage.output_tokens);
  into.cacheRead += count(usage.cache_read_input_tokens);
  into.cacheWrite += count(usage.cache_creation_input_tokens);
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

export class Counters {
  readonly #since = new Date().toISOString();
  #requests = 0;
  #errors = 0;
  #aborted = 0;
  #cacheHits = 0;
  /** Answers that came from another target than the one routed to (plugins/resilience's fallback ladder). */
  #fallbacks = 0;
  readonly #tokens = zero();
  /** What cache hits stood for: priced only for the baseline, since no model was paid for them. */
  readonly #cacheHitTokens = zero();
  readonly #tiers = new Map<string, number>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly prices: PriceTable,
    private readonly currency: string,
    /** `provider:model` to compare against; the most expensive model seen when undefined. */
    private readonly baseline: { provider: string; model: string } | undefined,
  ) {}

  /** Count one finished exchange: a summary from responseSent, or a failure seen in invoke. */
  observe(summary: Outcome): void {
    this.#requests++;
    if (summary.error) {
      if (summary.error.code === 'LYNKR_ERR_CLIENT_ABORTED') this.#aborted++;
      else this.#errors++;
    }
    if (summary.stopped) {
      this.#cacheHits++;
      add(this.#cacheHitTokens, summary.usage);
      return;
    }
    add(this.#tokens, summary.usage);
    const decision = summary.decision;
    // Answered by a fallback: a fallback that failed too is an error, not a save.
    if (typeof decision?.fallback === 'string' && !summary.error) this.#fallbacks++;
    if (typeof decision?.tier === 'string' && decision.tier) this.#tiers.set(decision.tier, (this.#tiers.get(decision.tier) ?? 0) + 1);
    add(this.#bucket(decision?.provider ?? 'unknown', decision?.model ?? summary.request.model).tokens, summary.usage);
  }

  #bucket(provider: string, model: string): Bucket {
    const key = `${provider}:${model}`;
    let bucket = this.#buckets.get(key) ?? (this.#buckets.size >= MAX_MODELS ? this.#buckets.get(OTHER) : undefined);
    if (!bucket) {
      const overflow = this.#buckets.size >= MAX_MODELS;
      bucket = overflow ? { provider: 'other', model: 'other', requests: 0, tokens: zero(), price: null } : { provider, model, requests: 0, tokens: zero() };
      this.#buckets.set(overflow ? OTHER : key, bucket);
    }
    bucket.requests++;
    return bucket;
  }

  #priceOf(bucket: Bucket): Price | null {
    if (bucket.price === undefined) bucket.price = this.prices.find(bucket.provider, bucket.model) ?? null;
    return bucket.price;
  }

  snapshot(): StatsSnapshot {
    const models: StatsModel[] = [];
    const unpriced: string[] = [];
    let estimated = 0;
    let strongest: { model: string; price: Price } | undefined;
    for (const bucket of this.#buckets.values()) {
      const price = this.#priceOf(bucket);
      const cost = price ? costOf(bucket.tokens, price) : null;
      if (cost === null) unpriced.push(`${bucket.provider}:${bucket.model}`);
      else estimated += cost;
      if (price && weight(price) > 0 && (!strongest || weight(price) > weight(strongest.price))) strongest = { model: `${bucket.provider}:${bucket.model}`, price };
      models.push({ provider: bucket.provider, model: bucket.model, requests: bucket.requests, tokens: { ...bucket.tokens }, cost: cost === null ? null : round(cost) });
    }

    let base = strongest;
    if (this.baseline) {
      const price = this.prices.find(this.baseline.provider, this.baseline.model);
      base = price ? { model: `${this.baseline.provider}:${this.baseline.model}`, price } : undefined;
    }
    let baseline: StatsSnapshot['cost']['baseline'] = null;
    if (base) {
      let cost = costOf(this.#cacheHitTokens, base.price);
      for (const bucket of this.#buckets.values()) cost += costOf(bucket.tokens, base.price);
      baseline = { model: base.model, cost: round(cost) };
    }

    return {
      since: this.#since,
      requests: this.#requests,
      errors: this.#errors,
      aborted: this.#aborted,
      cacheHits: this.#cacheHits,
      fallbacks: this.#fallbacks,
      tokens: { ...this.#tokens },
      tiers: Object.fromEntries(this.#tiers),
      models,
      cost: {
        currency: this.currency,
        estimated: round(estimated),
        unpriced,
        baseline,
        saving: baseline ? round(baseline.cost - estimated) : null,
      },
    };
  }
}
