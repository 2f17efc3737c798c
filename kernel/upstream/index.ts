/**
 * Shared upstream HTTP: the client every provider plugin calls its upstream
 * with, the error mapping, and the response headers passed to clients.
 */
export { DEFAULT_UPSTREAM_TIMEOUTS, UpstreamClient } from './client.js';
export type { UpstreamRequest, UpstreamResponse, UpstreamTimeouts } from './client.js';
export { MAX_ERROR_BODY, parseUpstreamJson, upstreamBodyError, upstreamHttpError } from './errors.js';
export type { UpstreamTimeoutKind } from './errors.js';
export { isEventStream, passThroughHeaders } from './headers.js';
export { prefetch } from './stream.js';
