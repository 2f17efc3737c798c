/**
 * A body over server.bodyLimit gets 413 in the client's own error format on
 * every API surface, whether its size is announced (content-length) or only
 * found while reading (chunked), and with or without a Lynkr key.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kernel } from '../../kernel/kernel.js';
import { echoProvider, testKernel } from '../helpers/kernel.js';

const LIMIT = 4096;
const KEY = 'lk-body-limit-0001';

let kernel: Kernel;
let url: string;
beforeAll(async () => {
  kernel = await testKernel({ server: { port: 0, bodyLimit: LIMIT }, keys: [KEY], plugins: ['api-anthropic', 'api-openai', echoProvider()] });
  ({ url } = await kernel.start());
});
afterAll(() => kernel.stop());

const big = 'x'.repeat(LIMIT * 2);
const bodies: Record<string, unknown> = {
  '/v1/messages': { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: big }] },
  '/v1/messages/count_tokens': { model: 'm', messages: [{ role: 'user', content: big }] },
  '/v1/chat/completions': { model: 'm', messages: [{ role: 'user', content: big }] },
  '/v1/responses': { model: 'm', input: big },
};
const anthropic = (path: string) => path.startsWith('/v1/messages');

function expectTooLarge(path: string, status: number, body: unknown): void {
  expect(status).toBe(413);
  if (anthropic(path)) {
    expect(body).toMatchObject({ type: 'error', error: { type: 'request_too_large', message: 'request body is too large (server.bodyLimit)' } });
  } else {
    expect(body).toEqual({ error: { type: 'request_too_large', code: 'LYNKR_ERR_REQUEST_TOO_LARGE', param: null, message: 'request body is too large (server.bodyLimit)' } });
  }
}

describe('a body over server.bodyLimit', () => {
  it.each(Object.keys(bodies))('%s: 413 in the client\'s format (content-length)', async (path) => {
    const res = await kernel.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', 'x-api-key': KEY }, payload: JSON.stringify(bodies[path]) });
    expectTooLarge(path, res.statusCode, res.json());
  });

  it.each(Object.keys(bodies))('%s: 413 in the client\'s format (chunked, no content-length)', async (path) => {
    const bytes = new TextEncoder().encode(JSON.stringify(bodies[path]));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1024) controller.enqueue(bytes.slice(at, at + 1024));
        controller.close();
      },
    });
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expectTooLarge(path, res.status, await res.json());
  });

  it('is refused for a caller without a key with 401 first: an unauthenticated client learns nothing about the limit', async () => {
    const res = await kernel.inject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(bodies['/v1/messages']) });
    expect(res.statusCode).toBe(401);
  });

  it('leaves a body under the limit alone', async () => {
    const res = await kernel.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      payload: { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.statusCode).toBe(200);
  });
});
