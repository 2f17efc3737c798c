import type { Exchange } from '../../kernel/index.js';

/**
 * Milliseconds spent in Lynkr itself when the headers go out: the time since
 * the request arrived, less the time the kernel spent waiting on providers
 * (`timings.upstreamMs`, up to their response) and the time this surface
 * spent waiting on the answer's events before the headers (the upstream's
 * time to the first event, or to the whole answer without streaming).
 */
export function overheadMs(ex: Exchange, eventWaitMs: number): string {
  const ms = performance.now() - ex.startedAt - ex.timings.upstreamMs - eventWaitMs;
  return Math.max(0, ms).toFixed(2);
}

/**
 * Headers of every answer: the pipeline's (`x-lynkr-provider`,
 * `x-lynkr-model`, the upstream's pass-through headers), then Lynkr's
 * `request-id` (the exchange id, replacing an upstream's so that one id
 * finds the request in Lynkr's logs) and `x-lynkr-overhead-ms`.
 */
export function answerHeaders(pipelineHeaders: Record<string, string>, ex: Exchange, eventWaitMs: number): Record<string, string> {
  return { ...pipelineHeaders, 'request-id': ex.id, 'x-lynkr-overhead-ms': overheadMs(ex, eventWaitMs) };
}
