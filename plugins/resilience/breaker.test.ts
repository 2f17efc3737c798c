import { describe, expect, it } from '@jest/globals';
import { LynkrError } from '../../kernel/index.js';
import { Breakers, type CircuitState } from './breaker.js';
import { backoffMs, classify, isProviderFault, retryAfterMs } from './classify.js';

describe('Breakers', () => {
  const make = () => {
    let now = 0;
    const changes: Array<[string, CircuitState]> = [];
    const b = new Breakers({ enabled: true, failures: 2, cooldownMs: 1000 }, () => now, (k, s) => changes.push([k, s]));
    return { b, changes, advance: (ms: number) => void (now += ms) };
  };

  it('opens at the threshold, lets one probe through after the cooldown, and closes on its success', () => {
    const { b, changes, advance } = make();
    b.failure('p:m');
    expect(b.acquire('p:m')).toBe(true);
    b.failure('p:m');
    expect(b.state('p:m')).toBe('open');
    expect(b.acquire('p:m')).toBe(false);
    advance(999);
    expect(b.acquire('p:m')).toBe(false);
    advance(1);
    expect(b.state('p:m')).toBe('half-open');
    expect(b.acquire('p:m')).toBe(true);
    // The probe is out: nobody else goes through meanwhile.
    expect(b.acquire('p:m')).toBe(false);
    b.success('p:m');
    expect(b.state('p:m')).toBe('closed');
    expect(changes).toEqual([
      ['p:m', 'open'],
      ['p:m', 'half-open'],
      ['p:m', 'closed'],
    ]);
  });

  it('re-opens when the probe fails, for a whole new cooldown', () => {
    const { b, advance } = make();
    b.failure('p:m');
    b.failure('p:m');
    advance(1000);
    expect(b.acquire('p:m')).toBe(true);
    b.failure('p:m');
    expect(b.state('p:m')).toBe('open');
    expect(b.remainingMs('p:m')).toBe(1000);
  });

  it('a success resets the count of consecutive failures', () => {
    const { b } = make();
    b.failure('p:m');
    b.success('p:m');
    b.failure('p:m');
    expect(b.state('p:m')).toBe('closed');
  });

  it('a probe that ends without a verdict frees the way for the next one', () => {
    const { b, advance } = make();
    b.failure('p:m');
    b.failure('p:m');
    advance(1000);
    expect(b.acquire('p:m')).toBe(true);
    b.release('p:m');
    expect(b.acquire('p:m')).toBe(true);
  });
});

const http = (status: number, headers: Record<string, string> = {}) =>
  new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', `answered ${status}`, { headers, detail: { upstreamStatus: status } });

describe('classify', () => {
  it('retries transient statuses and connection failures, falls back on provider-specific ones, stops on the rest', () => {
    for (const s of [429, 500, 502, 503, 504, 529]) expect(classify(http(s))).toBe('retry');
    for (const s of [401, 403, 404]) expect(classify(http(s))).toBe('fallback');
    for (const s of [400, 422]) expect(classify(http(s))).toBe('final');
    expect(classify(new LynkrError('LYNKR_ERR_UPSTREAM_UNREACHABLE', 'refused'))).toBe('retry');
    expect(classify(new LynkrError('LYNKR_ERR_UPSTREAM_TIMEOUT', 't', { detail: { timeout: 'connect' } }))).toBe('retry');
    expect(classify(new LynkrError('LYNKR_ERR_UPSTREAM_TIMEOUT', 't', { detail: { timeout: 'firstByte' } }))).toBe('fallback');
    expect(classify(new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'gone'))).toBe('final');
  });

  it('counts only health failures against the breaker', () => {
    expect(isProviderFault(http(503))).toBe(true);
    expect(isProviderFault(http(401))).toBe(false);
    expect(isProviderFault(http(400))).toBe(false);
  });
});

describe('retryAfterMs and backoffMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMs(http(429, { 'retry-after-ms': '1500' }))).toBe(1500);
    expect(retryAfterMs(http(429, { 'retry-after': '7' }))).toBe(7000);
    expect(retryAfterMs(http(429, { 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
    expect(retryAfterMs(http(429, { 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(http(429))).toBeUndefined();
  });

  it('doubles the ceiling per attempt up to the maximum, with full jitter', () => {
    expect(backoffMs(1, 100, 1000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 1000, () => 1)).toBe(400);
    expect(backoffMs(6, 100, 1000, () => 1)).toBe(1000);
    expect(backoffMs(3, 100, 1000, () => 0.5)).toBe(200);
    expect(backoffMs(3, 100, 1000, () => 0)).toBe(0);
  });
});
