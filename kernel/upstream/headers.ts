/**
 * Upstream response headers: flattened, and the few worth passing to the
 * client picked out.
 */
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers a client may act on: when to retry, how much quota is left. The
 * upstream's request id is renamed `upstream-request-id`, since
 * `x-request-id` is Lynkr's own.
 */
const RATE_LIMIT = /^(?:x-ratelimit-|anthropic-ratelimit-)/;
const PASSED = new Set(['retry-after', 'retry-after-ms', 'x-should-retry']);
const REQUEST_ID = new Set(['request-id', 'x-request-id', 'x-amzn-requestid']);

/**
 * The headers of an upstream response worth passing to the client:
 * `retry-after` (and `retry-after-ms`, `x-should-retry`), rate-limit headers
 * (`x-ratelimit-*`, `anthropic-ratelimit-*`) and the upstream's request id
 * (`request-id`, `x-request-id`, AWS's `x-amzn-requestid`)
 * as `upstream-request-id`.
 * @public
 */
export function passThroughHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name] as string;
    if (REQUEST_ID.has(name)) out['upstream-request-id'] ??= value;
    else if (PASSED.has(name) || RATE_LIMIT.test(name)) out[name] = value;
  }
  return out;
}

/** Node-style headers (arrays for repeated names) as one string each. @internal */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Whether a response is Server-Sent Events (some servers ignore `stream: true` and answer JSON). @public */
export function isEventStream(headers: Readonly<Record<string, string>>): boolean {
  return headers['content-type']?.toLowerCase().includes('text/event-stream') === true;
}
