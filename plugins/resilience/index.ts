import {
  LynkrError,
  definePlugin,
  toLynkrError,
  type Exchange,
  type InvokeCall,
  type InvokeNext,
  type InvokeResult,
  type MessagesRequest,
  type ProviderRegistry,
  type ResolvedDecision,
} from '../../kernel/index.js';
import { metricsRef, type MetricsService } from '../metrics/refs.js';
import { tiersRef } from '../router-tiers/refs.js';
import { Breakers } from './breaker.js';
import { backoffMs, classify, isProviderFault, retryAfterMs } from './classify.js';
import { fallbackCandidates, keyOf, type Candidate } from './ladder.js';
import { ResilienceOptions, type RetrySettings } from './options.js';
import { circuitsRef } from './refs.js';

/**
 * Retries, circuit breakers and the fallback ladder, around the provider
 * call (invoke stage). Everything happens before the first byte reaches the
 * client: a provider's invoke resolves with the answer's first event, so a
 * failure after it is the stream's, and is never retried.
 */
export default definePlugin({
  name: 'resilience',
  version: '1.0.0',
  kernel: '^1',
  description: 'retries with backoff, a circuit breaker per provider:model, and the fallback ladder',
  options: ResilienceOptions,
  setup(ctx, options) {
    // Metrics is optional and may be set up after this plugin: looked up at ready.
    let metrics: MetricsService | undefined;
    const breakers = new Breakers(options.breaker, undefined, (key, state) => {
      ctx.log.info({ circuit: key, state }, `circuit ${key} ${state}`);
      metrics?.breaker({ ...targetOf(key), state });
    });
    ctx.services.provide(circuitsRef, () => ({ state: (provider, model) => breakers.state(`${provider}:${model}`) }));
    const retryFor = (provider: string): RetrySettings => ({ ...options.retry, ...options.providers[provider] });

    /**
     * The common case first: the primary's circuit is closed and its first
     * attempt succeeds, for the cost of one promise reaction. The first
     * failure hands over to the ladder, which goes on from there.
     */
    const firstAttempt = (call: InvokeCall, next: InvokeNext): Promise<InvokeResult> => {
      const started = performance.now();
      const key = keyOf(call.decision);
      if (breakers.state(key) !== 'closed') return recover(call, next, started, undefined);
      return next().then(
        (result) => {
          breakers.success(key);
          return result;
        },
        (error: unknown) => recover(call, next, started, { error }),
      );
    };

    /** Retries, then the fallback ladder. `failed`: the primary's first attempt, already made (its circuit was closed), and how it failed. */
    const recover = async (call: InvokeCall, next: InvokeNext, started: number, failed: { error: unknown } | undefined): Promise<InvokeResult> => {
      const ex = call.exchange;
      const deadline = started + options.budgetMs;
      const primary = call.decision;
      let ladder: Candidate[] | undefined;
      let last: LynkrError | undefined;
      let firstFailure: string | undefined;
      let given = failed;

      for (let i = 0; ; i++) {
        const target: Candidate | undefined = i === 0 ? { provider: primary.provider, model: primary.model } : (ladder ??= fallbacks(primary, call.request, ex, ctx.providers))[i - 1];
        if (!target) break;
        const key = keyOf(target);
        if (!(i === 0 && given) && !breakers.acquire(key)) {
          last ??= circuitOpen(key, breakers.remainingMs(key));
          firstFailure ??= `${key} circuit open`;
          ex.log.debug({ target: key }, 'circuit open: skipped');
          continue;
        }
        if (i > 0) metrics?.fallback({ from: { provider: primary.provider, model: primary.model }, to: target });
        const decision: ResolvedDecision =
          i === 0
            ? primary
            : {
                ...primary,
                provider: target.provider,
                model: target.model,
                ...(target.tier && { tier: target.tier }),
                fallback: `${keyOf(primary)} -> ${key} (${firstFailure ?? 'failed'})`,
                reasons: [...primary.reasons, `fallback: ${firstFailure ?? 'failed'}`],
              };
        const settings = retryFor(target.provider);
        for (let attempt = 1; ; attempt++) {
          try {
            if (given) {
              const { error } = given;
              given = undefined;
              throw error;
            }
            const result = await next(i === 0 && attempt === 1 ? undefined : { ...call, decision: attempt > 1 ? { ...decision, attempts: attempt } : decision });
            breakers.success(key);
            return result;
          } catch (caught) {
            const error = toLynkrError(caught);
            const verdict = ex.aborted ? 'final' : classify(error);
            if (isProviderFault(error) && !ex.aborted) breakers.failure(key);
            else breakers.release(key);
            if (verdict === 'final') throw error;
            last = error;
            firstFailure ??= `${key} ${describe(error)}`;
            if (verdict === 'fallback' || attempt >= settings.attempts || breakers.state(key) !== 'closed') break;
            const after = retryAfterMs(error);
            if (after !== undefined && after > settings.maxRetryAfterMs) break;
            const wait = Math.max(after ?? 0, backoffMs(attempt, settings.baseDelayMs, settings.maxDelayMs));
            if (performance.now() + wait > deadline) break;
            ex.log.debug({ target: key, attempt, waitMs: wait, error: error.message }, 'retrying');
            await sleep(wait, ex);
            metrics?.retry(target);
          }
        }
        if (!options.fallback.enabled || performance.now() >= deadline) break;
      }
      throw last ?? new LynkrError('LYNKR_ERR_INTERNAL', 'resilience: no provider was tried');
    };

    ctx.hooks.on('invoke', firstAttempt, { order: 'pre' });

    /** The fallback candidates that are registered and can take the request. */
    function fallbacks(primary: ResolvedDecision, request: MessagesRequest, ex: Exchange, providers: ProviderRegistry): Candidate[] {
      if (!options.fallback.enabled) return [];
      const table = ctx.services.tryResolve(tiersRef);
      const images = hasImages(request);
      return fallbackCandidates(primary, ex, table, options.fallback.ladder, options.fallback.targets).filter((c) => {
        const adapter = providers.get(c.provider);
        if (!adapter) return false;
        // A fallback must not turn a failure into a worse one: a model that cannot see the images would answer blind.
        return !images || adapter.capabilities?.(c.model).vision !== false;
      });
    }

    return {
      ready() {
        metrics = ctx.services.tryResolve(metricsRef);
      },
    };
  },
});

/** `provider:model` split at the first colon. */
function targetOf(key: string): { provider: string; model: string } {
  const at = key.indexOf(':');
  return { provider: key.slice(0, at), model: key.slice(at + 1) };
}

function describe(error: LynkrError): string {
  const status = error.detail?.upstreamStatus;
  return typeof status === 'number' ? `answered ${status}` : error.code.replace('LYNKR_ERR_UPSTREAM_', '').toLowerCase().replace(/_/g, ' ');
}

function circuitOpen(key: string, remainingMs: number): LynkrError {
  const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
  return new LynkrError('LYNKR_ERR_UPSTREAM_CIRCUIT_OPEN', `${key} is failing; its circuit is open for ${seconds} s more`, {
    headers: { 'retry-after': String(seconds) },
    detail: { target: key },
  });
}

function hasImages(request: MessagesRequest): boolean {
  return request.messages.some((m) => Array.isArray(m.content) && m.content.some((b) => b.type === 'image'));
}

/** Wait, unless the client leaves first. */
function sleep(ms: number, ex: Exchange): Promise<void> {
  if (ex.aborted) return Promise.reject(new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client went away'));
  return new Promise((resolve, reject) => {
    const off = ex.onAbort((reason) => {
      clearTimeout(timer);
      reject(toLynkrError(reason, 'LYNKR_ERR_CLIENT_ABORTED'));
    });
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
  });
}
