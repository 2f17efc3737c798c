import { describe, expect, it } from '@jest/globals';
import { StreamError } from '../ir/stream.js';
import { createExchange } from '../pipeline/exchange.js';
import pino from 'pino';
import { answerHeaders, errorFromStreamError, statusForErrorType } from './answer.js';

describe('errorFromStreamError', () => {
  it('gives an overloaded stream 529 and an unknown failure 500', () => {
    expect(errorFromStreamError(new StreamError({ type: 'overloaded_error', message: 'Overloaded' }))).toMatchObject({ status: 529, message: 'Overloaded' });
    expect(errorFromStreamError(new StreamError({ type: 'rate_limit_error', message: 'x' })).status).toBe(429);
    expect(errorFromStreamError(new StreamError({ type: 'api_error', message: 'x' })).status).toBe(500);
    expect(errorFromStreamError(new StreamError({ type: 'something_new', message: 'x' })).status).toBe(500);
  });
});

describe('answerHeaders', () => {
  it('adds the request id and Lynkr\'s own time, excluding the upstream\'s', () => {
    const ex = createExchange({ id: 'req_9', surface: 'test', log: pino({ level: 'silent' }), startedAt: performance.now() - 100_000 });
    (ex.timings as { upstreamMs: number }).upstreamMs = 30_000;
    const headers = answerHeaders({ 'x-lynkr-provider': 'p', 'upstream-request-id': 'up_1' }, ex, 15_000);
    expect(headers).toMatchObject({ 'x-lynkr-provider': 'p', 'upstream-request-id': 'up_1', 'request-id': 'req_9' });
    const overhead = Number(headers['x-lynkr-overhead-ms']);
    // 100 s since arrival, less 30 s upstream and 15 s waiting for events: 55 s, plus the moment this test took.
    expect(overhead).toBeGreaterThanOrEqual(55_000);
    expect(overhead).toBeLessThan(56_000);
  });

  it('maps Anthropic error types to their statuses', () => {
    expect([statusForErrorType('invalid_request_error'), statusForErrorType('overloaded_error'), statusForErrorType('new_kind')]).toEqual([400, 529, 500]);
  });
});
