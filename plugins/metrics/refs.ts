/**
 * What the metrics plugin shares: a recorder other plugins report to, for
 * what only they can see (a retry, a fallback, a circuit breaker's state).
 * Resolve it with `ctx.services.tryResolve(metricsRef)` in `ready()` (or on
 * first use): metrics is optional, and may be set up after the caller.
 */
import { createServiceRef } from '../../kernel/index.js';

/** Where a request went: a provider id and the model id sent to it. @public */
export interface MetricsTarget {
  provider: string;
  model: string;
}

/** A circuit breaker's state, as the gauge reports it: closed 0, half-open 1, open 2. @public */
export type BreakerState = 'closed' | 'half-open' | 'open';

/** @public */
export interface MetricsService {
  /** One more attempt at the same target after a failed one: `lynkr_retries_total`. */
  retry(options: MetricsTarget): void;
  /** A request moved from one target to another after a failure: `lynkr_fallbacks_total`. */
  fallback(options: { from: MetricsTarget; to: MetricsTarget }): void;
  /** A breaker changed state: `lynkr_circuit_breaker_state`. */
  breaker(options: MetricsTarget & { state: BreakerState }): void;
}

/** The metrics plugin's recorder. @public */
export const metricsRef = createServiceRef<MetricsService>({ id: 'metrics.recorder' });
