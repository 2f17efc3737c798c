import { describe, expect, it } from '@jest/globals';
import { LynkrError } from '../../kernel/index.js';
import { renderAnthropicError } from './errors.js';

describe('renderAnthropicError', () => {
  it('keeps the status, names the type Anthropic uses for it, and sets request-id', () => {
    const out = renderAnthropicError(new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'max_tokens: Expected integer'), { id: 'req_1' });
    expect(out).toEqual({
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Expected integer' }, request_id: 'req_1' },
      headers: { 'request-id': 'req_1' },
    });
  });

  it.each([
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('maps status %i to %s', (status, type) => {
    const out = renderAnthropicError(new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'x', { status }), { id: 'r' });
    expect(out.status).toBe(status);
    expect(out.body.error.type).toBe(type);
  });

  it('keeps retry-after and the rate-limit headers, with the exchange id as request-id', () => {
    const error = new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'slow down', {
      status: 429,
      headers: { 'retry-after': '30', 'anthropic-ratelimit-requests-remaining': '0', 'request-id': 'req_up' },
    });
    expect(renderAnthropicError(error, { id: 'req_1' }).headers).toEqual({ 'request-id': 'req_1', 'retry-after': '30', 'anthropic-ratelimit-requests-remaining': '0' });
  });
});
