/**
 * The metrics themselves, on a registry of their own: never prom-client's
 * global one, so that two kernels in one process (tests, an embedding)
 * count apart and never refuse to register a name twice.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type Exchange, type ExchangeSummary, type LynkrError, type RouteDecision, type Usage } from '../../kernel/index.js';
import { LabelCap } from './labels.js';
import type { BreakerState, MetricsService, MetricsTarget } from './refs.js';

/**
 * What the plugin notes about one exchange as it goes, in `ex.state`: set
 * in preRoute, filled in by invoke, read in responseSent.
 */
export interface Track {
  /** The client asked for a stream. */
  readonly stream: boolean;
  /** Lynkr's own milliseconds up to the provider's answer; -1 until the provider answered. */
  overheadMs: number;
  /** Counted in `lynkr_streams_open`. */
  open: boolean;
}

export function newTrack(stream: boolean): Track {
  return { stream, overheadMs: -1, open: false };
}

/** Whole LLM calls: from tens of milliseconds (a cache, a small local model) to minutes (long agentic turns). */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
const TTFB_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60];
/** Lynkr's own time is meant to stay under a millisecond or two. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The provider label of an answer a preRoute plugin gave (a cache): as the `x-lynkr-provider` header says. */
const LYNKR = 'lynkr';
const NO_TIER = 'none';

/** A usage count, or 0 for anything that is not a finite positive number. */
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

type RequestLabel = 'surface' | 'provider' | 'model' | 'tier' | 'status';
type RouteLabel = 'surface' | 'provider' | 'model';

export class MetricsRecorder implements MetricsService {
  readonly registry = new Registry();
  readonly #requests: Counter<RequestLabel>;
  readonly #duration: Histogram<RouteLabel>;
  readonly #ttfb: Histogram<RouteLabel>;
  readonly #overhead: Histogram<'surface'>;
  readonly #tokens: Counter<'provider' | 'model' | 'type'>;
  readonly #retries: Counter<'provider' | 'model'>;
  readonly #fallbacks: Counter<'from_provider' | 'from_model' | 'to_provider' | 'to_model'>;
  readonly #breakers: Gauge<'provider' | 'model'>;
  /** Streams open per surface: plain numbers on the request path, read into the gauge when scraped. */
  readonly #open = new Map<string, number>();
  readonly #providers: LabelCap;
  readonly #models: LabelCap;
  readonly #tiers: LabelCap;
  #process = false;

  constructor(maxLabelValues: number) {
    this.#providers = new LabelCap(maxLabelValues);
    this.#models = new LabelCap(maxLabelValues);
    this.#tiers = new LabelCap(maxLabelValues);
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'lynkr_requests_total',
      help: 'Exchanges that went through the pipeline, by how they ended: status is the HTTP status of the answer, or the one its error stands for when it failed after streaming began (499: the client went away).',
      labelNames: ['surface', 'provider', 'model', 'tier', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'lynkr_request_duration_seconds',
      help: 'From the request arriving to the end of the answer.',
      labelNames: ['surface', 'provider', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#ttfb = new Histogram({
      name: 'lynkr_time_to_first_byte_seconds',
      help: 'Streaming answers: from the request arriving to the first event (or the first bytes of an answer passed through) going out to the client.',
      labelNames: ['surface', 'provider', 'model'],
      buckets: TTFB_BUCKETS,
      registers,
    });
    this.#overhead = new Histogram({
      name: 'lynkr_overhead_seconds',
      help: "Lynkr's own time in an answer: up to the provider's answer, less the time spent waiting on providers (the x-lynkr-overhead-ms header).",
      labelNames: ['surface'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.#tokens = new Counter({
      name: 'lynkr_tokens_total',
      help: 'Tokens models processed, as their providers reported them: input (uncached), output, cache_read and cache_write (input read from and written to a prompt cache).',
      labelNames: ['provider', 'model', 'type'],
      registers,
    });
    this.#retries = new Counter({ name: 'lynkr_retries_total', help: 'Attempts made again at the same target after a failure.', labelNames: ['provider', 'model'], registers });
    this.#fallbacks = new Counter({
      name: 'lynkr_fallbacks_total',
      help: 'Requests moved to another target after a failure.',
      labelNames: ['from_provider', 'from_model', 'to_provider', 'to_model'],
      registers,
    });
    this.#breakers = new Gauge({ name: 'lynkr_circuit_breaker_state', help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open.', labelNames: ['provider', 'model'], registers });
    const open = this.#open;
    new Gauge({
      name: 'lynkr_streams_open',
      help: "Streaming answers from providers in progress: from the provider's answer to the end of the stream (or the client leaving).",
      labelNames: ['surface'],
      registers,
      collect() {
        for (const [surface, n] of open) this.set({ surface }, n);
      },
    });
  }

  /** Node's process metrics (`process_*`, `nodejs_*`) on this registry; once. */
  collectProcess(): void {
    if (this.#process) return;
    this.#process = true;
    collectDefaultMetrics({ register: this.registry });
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  streamOpened(surface: string): void {
    this.#open.set(surface, (this.#open.get(surface) ?? 0) + 1);
  }

  streamClosed(surface: string): void {
    this.#open.set(surface, Math.max(0, (this.#open.get(surface) ?? 0) - 1));
  }

  /** An exchange whose answer ended, failed or was abandoned: what responseSent reports. */
  finished(summary: ExchangeSummary, ex: Exchange, track: Track | undefined): void {
    const { provider, model } = this.#target(summary.decision, summary.stopped);
    const route = { surface: ex.surface, provider, model };
    this.#requests.inc({ ...route, tier: this.#tier(summary.decision), status: String(statusOf(summary)) });
    this.#duration.observe(route, summary.durationMs / 1000);
    const first = summary.firstEventMs;
    if (track?.stream && first !== undefined) this.#ttfb.observe(route, first / 1000);
    // A preRoute answer waited on no provider: all of its time to the first event is Lynkr's.
    const overhead = track && (track.overheadMs >= 0 ? track.overheadMs : summary.stopped && first !== undefined ? first : -1);
    if (overhead !== undefined && overhead >= 0) this.#overhead.observe({ surface: ex.surface }, overhead / 1000);
    // An answer from a preRoute plugin cost no model anything.
    if (!summary.stopped) this.#addTokens(provider, model, summary.usage);
  }

  /** An exchange that failed before its first event, which never reaches responseSent. */
  failed(ex: Exchange, decision: RouteDecision | undefined, error: LynkrError): void {
    const { provider, model } = this.#target(decision, false);
    const route = { surface: ex.surface, provider, model };
    this.#requests.inc({ ...route, tier: this.#tier(decision), status: String(error.status) });
    this.#duration.observe(route, (performance.now() - ex.startedAt) / 1000);
  }

  retry(options: MetricsTarget): void {
    this.#retries.inc(this.#labels(options));
  }

  fallback(options: { from: MetricsTarget; to: MetricsTarget }): void {
    const from = this.#labels(options.from);
    const to = this.#labels(options.to);
    this.#fallbacks.inc({ from_provider: from.provider, from_model: from.model, to_provider: to.provider, to_model: to.model });
  }

  breaker(options: MetricsTarget & { state: BreakerState }): void {
    const value = BREAKER_VALUES[options.state];
    if (value === undefined) throw new TypeError(`metrics: unknown breaker state ${JSON.stringify(options.state)} (closed, half-open or open)`);
    this.#breakers.set(this.#labels(options), value);
  }

  #labels(target: MetricsTarget): { provider: string; model: string } {
    return { provider: this.#providers.of(target?.provider), model: this.#models.of(target?.model) };
  }

  #target(decision: RouteDecision | undefined, stopped: boolean): { provider: string; model: string } {
    if (stopped) return { provider: LYNKR, model: this.#models.of(undefined) };
    return { provider: this.#providers.of(decision?.provider), model: this.#models.of(decision?.model) };
  }

  #tier(decision: RouteDecision | undefined): string {
    return decision?.tier ? this.#tiers.of(decision.tier) : NO_TIER;
  }

  #addTokens(provider: string, model: string, usage: Usage): void {
    const add = (type: string, value: unknown): void => {
      const n = count(value);
      if (n > 0) this.#tokens.inc({ provider, model, type }, n);
    };
    add('input', usage.input_tokens);
    add('output', usage.output_tokens);
    add('cache_read', usage.cache_read_input_tokens);
    add('cache_write', usage.cache_creation_input_tokens);
  }
}

/**
 * The status an exchange ended with: its error's (an `error` event the
 * answer carried stands for its type's status, 529 for `overloaded_error`;
 * 499 for a client that went away; 502 for an answer that ended before
 * `message_stop`), else 200.
 */
export function statusOf(summary: Pick<ExchangeSummary, 'error'>): number {
  return summary.error ? summary.error.status : 200;
}
