import { definePlugin, toLynkrError, Type, type Exchange, type ResolvedConfig } from '../../kernel/index.js';
import { MetricsRecorder, newTrack, type Track } from './recorder.js';
import { metricsRef } from './refs.js';

/** This plugin's note on an exchange (see Track). */
const TRACK = Symbol('metrics.track');

const trackOf = (ex: Exchange): Track | undefined => ex.state.get(TRACK) as Track | undefined;

/** One registry per kernel: a team variant of the plugin records into its kernel's. */
const recorderOf = new WeakMap<ResolvedConfig, MetricsRecorder>();

/**
 * Prometheus metrics at `GET /metrics`: requests by surface, provider,
 * model, tier and status; latency, time to first byte and Lynkr's own
 * overhead; tokens; streams open; and what resilience plugins report
 * through `metricsRef` (retries, fallbacks, breaker states). In memory,
 * per process.
 */
export default definePlugin({
  name: 'metrics',
  version: '1.0.0',
  kernel: '^1',
  description: 'Prometheus metrics: GET /metrics',
  options: Type.Object(
    {
      process: Type.Boolean({
        default: false,
        description: "Also export Node's process metrics (process_cpu_seconds_total, nodejs_heap_size_used_bytes, event-loop lag, ...).",
      }),
      maxLabelValues: Type.Integer({
        minimum: 1,
        default: 100,
        description: 'Distinct values kept per label (provider, model, tier); the rest are reported as "other", so that the number of series stays bounded.',
      }),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    let recorder = recorderOf.get(ctx.config);
    const owner = !recorder;
    if (!recorder) {
      recorder = new MetricsRecorder(options.maxLabelValues);
      recorderOf.set(ctx.config, recorder);
    }
    const metrics = recorder;

    ctx.hooks.on('preRoute', (request, ex) => void ex.state.set(TRACK, newTrack(request.stream === true)), { order: 'pre' });

    // The outermost invoke handler (when listed before other 'pre' ones, such as resilience's): it hands back next()'s
    // own promise and only watches it. A provider's answer fixes Lynkr's overhead (what the x-lynkr-overhead-ms header
    // reports); a failure before the first event never reaches responseSent (the client gets an HTTP error instead), so
    // it is counted here. Inside a retrying handler, each failed attempt is counted so, and the answer that follows too.
    ctx.hooks.on(
      'invoke',
      (call, next) => {
        const result = next();
        const ex = call.exchange;
        result.then(
          () => {
            const track = trackOf(ex);
            if (!track) return;
            track.overheadMs = performance.now() - ex.startedAt - ex.timings.upstreamMs;
            // The provider answered: the stream is open until responseSent says it ended.
            if (track.stream && !track.open) {
              track.open = true;
              metrics.streamOpened(ex.surface);
            }
          },
          (error: unknown) => metrics.failed(ex, ex.decision ?? call.decision, toLynkrError(error)),
        );
        return result;
      },
      { order: 'pre' },
    );

    // No postResponse handler: one would put every answer on the event path, and an Anthropic upstream's answer could
    // no longer reach an Anthropic client as its bytes (docs/architecture.md, "Verbatim answers"). What the plugin
    // reads of the answer, responseSent's summary has: its first event's time, its usage, how it failed.
    ctx.hooks.on('responseSent', (summary, ex) => {
      const track = trackOf(ex);
      if (track?.open) metrics.streamClosed(ex.surface);
      metrics.finished(summary, ex, track);
    });

    ctx.services.provide(metricsRef, () => metrics);
    // The same auth rule as every plugin route: a Lynkr key when keys are configured (Prometheus: bearer_token).
    ctx.http.route({
      method: 'GET',
      url: '/metrics',
      handler: async (_req, reply) => reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(await metrics.scrape()),
    });

    return {
      ready() {
        // An event-loop monitor and a GC observer: started once the server runs, not at setup.
        if (owner && options.process) metrics.collectProcess();
      },
    };
  },
});
