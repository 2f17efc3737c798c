/**
 * Which failures another call may fix. Only failures before the first byte
 * reach here (a provider's invoke resolves with its first event), so a retry
 * never repeats what the client has already seen.
 */
import type { LynkrError } from '../../kernel/index.js';

/** Statuses worth another call: rate limited, the upstream's own fault, overloaded. */
const TRANSIENT_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

export type Verdict =
  /** Another call to the same provider:model may succeed. */
  | 'retry'
  /** This provider:model is failing: another may answer. */
  | 'fallback'
  /** The request itself is wrong, or the client left: nobody else would do better. */
  | 'final';

export function classify(error: LynkrError): Verdict {
  switch (error.code) {
    case 'LYNKR_ERR_UPSTREAM_UNREACHABLE':
      return 'retry';
    case 'LYNKR_ERR_UPSTREAM_TIMEOUT':
      // A connect timeout is cheap to retry; a first-byte timeout already waited long: try someone else.
      return error.detail?.timeout === 'connect' ? 'retry' : 'fallback';
    case 'LYNKR_ERR_UPSTREAM_DISCONNECTED':
    case 'LYNKR_ERR_UPSTREAM_PROTOCOL':
    case 'LYNKR_ERR_UPSTREAM_CIRCUIT_OPEN':
      return 'fallback';
    case 'LYNKR_ERR_UPSTREAM_HTTP': {
      const status = upstreamStatus(error);
      if (TRANSIENT_STATUS.has(status)) return 'retry';
      // Another provider has its own credentials, limits and context window.
      if (status === 401 || status === 403 || status === 404 || status === 413) return 'fallback';
      return 'final';
    }
    default:
      return 'final';
  }
}

export function upstreamStatus(error: LynkrError): number {
  const s = error.detail?.upstreamStatus;
  return typeof s === 'number' ? s : error.status;
}

/** Whether a failure says something about the provider's health (what the breaker counts). */
export function isProviderFault(error: LynkrError): boolean {
  const verdict = classify(error);
  if (verdict === 'final') return false;
  const status = upstreamStatus(error);
  // Credentials and unknown models are configuration, not health.
  return !(error.code === 'LYNKR_ERR_UPSTREAM_HTTP' && (status === 401 || status === 403 || status === 404 || status === 413));
}

/** The upstream's retry-after in milliseconds (`retry-after-ms`, seconds, or an HTTP date), if it sent one. */
export function retryAfterMs(error: LynkrError, now = Date.now()): number | undefined {
  const headers = error.headers ?? {};
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter: a random wait in [0, min(max, base·2^(attempt-1))]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}
