/**
 * Load shedding: how late the event loop runs its timers. A loop that lags
 * delays every stream Lynkr is writing, so past a threshold new requests are
 * refused rather than slowing down the ones in flight.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Where the lag comes from: the event loop's delay histogram, or a test's numbers. */
export interface DelaySource {
  start(): void;
  stop(): void;
  /** The mean lag in ms since the previous read, then start over. */
  read(): number;
}

/**
 * node:perf_hooks' event-loop delay histogram, measured as
 * @fastify/under-pressure does: the mean time between the histogram's timer
 * ticks, less the tick interval itself.
 */
export function eventLoopDelay(resolutionMs = 10): DelaySource {
  let histogram: IntervalHistogram | undefined;
  return {
    start() {
      histogram ??= monitorEventLoopDelay({ resolution: resolutionMs });
      histogram.enable();
    },
    stop() {
      histogram?.disable();
    },
    read() {
      if (!histogram || histogram.count === 0) return 0;
      const lag = Math.max(0, histogram.mean / 1e6 - resolutionMs);
      histogram.reset();
      return lag;
    },
  };
}

/**
 * The lag, read from its source at most once per `sampleMs`, when a request
 * asks: no timer of its own, and an idle Lynkr does no work. One meter per
 * kernel, shared by the plugin's team variants.
 */
export class LagMeter {
  #users = 0;
  #readAt = Number.NEGATIVE_INFINITY;
  #lag = 0;

  constructor(
    private readonly source: DelaySource,
    private readonly sampleMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (this.#users++ === 0) this.source.start();
  }

  stop(): void {
    if (this.#users > 0 && --this.#users === 0) this.source.stop();
  }

  /** The lag of the last sample, in ms. */
  lagMs(): number {
    const t = this.now();
    if (t - this.#readAt >= this.sampleMs) {
      this.#readAt = t;
      this.#lag = this.source.read();
    }
    return this.#lag;
  }
}
