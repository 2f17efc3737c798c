import { describe, expect, it } from '@jest/globals';
import { StreamError } from '../ir/stream.js';
import { createExchange } from '../pipeline/exchange.js';
import Fastify from 'fastify';
import pino from 'pino';
import { request } from 'undici';
import { answerHeaders, sendAnswer } from './answer.js';
import { errorFromStreamError, statusForErrorType } from './errors.js';

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

describe('sendAnswer', () => {
  it('writes each header once: the reply\'s, then the pipeline\'s, then the answer\'s own, a later one winning', async () => {
    const app = Fastify();
    app.post('/answer', (_request, reply) => {
      const ex = createExchange({ id: 'req_7', surface: 'test', log: pino({ level: 'silent' }), startedAt: performance.now() });
      reply.header('x-request-id', 'req_7');
      reply.header('x-ratelimit-remaining-requests', 'from-the-reply');
      reply.header('content-type', 'text/plain');
      reply.header('request-id', 'not-the-exchange');
      reply.header('set-cookie', ['a=1', 'b=2']);
      sendAnswer(reply, { ok: 'é' }, { 'x-lynkr-provider': 'p', 'x-ratelimit-remaining-requests': '7' }, ex, 0);
    });
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await request(`${origin}/answer`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const body = await res.body.json();
    await app.close();
    // undici gives a header sent twice as an array: only set-cookie, sent as two lines on purpose, may be one.
    expect(Object.entries(res.headers).filter(([name, value]) => Array.isArray(value) && name !== 'set-cookie')).toEqual([]);
    expect(res.headers).toMatchObject({
      'x-request-id': 'req_7',
      'x-lynkr-provider': 'p',
      'x-ratelimit-remaining-requests': '7',
      'request-id': 'req_7',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength('{"ok":"é"}')),
      'set-cookie': ['a=1', 'b=2'],
    });
    expect(Number(res.headers['x-lynkr-overhead-ms'])).toBeGreaterThanOrEqual(0);
    expect(body).toEqual({ ok: 'é' });
  });
});
