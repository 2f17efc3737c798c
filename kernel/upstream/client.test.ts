import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { LynkrError } from '../errors.js';
import { pause, sendJson, startFake, streamFrames, type FakeServer } from '../../test/fakes/index.js';
import { UpstreamClient } from './client.js';
import { passThroughHeaders, isEventStream } from './headers.js';
import { upstreamBodyError, upstreamHttpError } from './errors.js';

let client: UpstreamClient;
let fake: FakeServer | undefined;
afterEach(async () => {
  await client?.close();
  await fake?.close();
  fake = undefined;
});

const fresh = () => (client = new UpstreamClient());

async function rejection(p: Promise<unknown>): Promise<LynkrError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(LynkrError);
    return error as LynkrError;
  }
  throw new Error('expected a rejection');
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of body) text += Buffer.from(chunk).toString('utf8');
  return text;
}

describe('UpstreamClient', () => {
  it('sends the request and reuses one keep-alive connection', async () => {
    const ports = new Set<number>();
    const agents: string[][] = [];
    fake = await startFake((req, res) => {
      ports.add(res.socket?.remotePort ?? 0);
      const raw = res.req.rawHeaders;
      agents.push(raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'user-agent'));
      sendJson(res, 200, { got: req.json }, { 'x-request-id': 'up_1', 'x-ratelimit-remaining-requests': '9', 'set-cookie': 'a=b' });
    });
    fresh();
    for (const n of [1, 2]) {
      const res = await client.fetch({ url: `${fake.url}/v1/x?q=1`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ got: { n } });
      expect(passThroughHeaders(res.headers)).toEqual({ 'upstream-request-id': 'up_1', 'x-ratelimit-remaining-requests': '9' });
      // undici hands the socket back to its pool a turn after the body ends.
      await new Promise((r) => setImmediate(r));
    }
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/v1/x?q=1'], ['POST', '/v1/x?q=1']]);
    expect(fake.requests[0]!.headers['user-agent']).toMatch(/^lynkr\//);
    expect(ports.size).toBe(1);
    // A provider's own user-agent replaces Lynkr's: one header, not two.
    const own = await client.fetch({ url: `${fake.url}/v1/x`, headers: { 'content-type': 'application/json', 'user-agent': 'vendor-sdk/1.0' }, body: '{"n":3}' });
    await own.json();
    expect(agents).toEqual([[expect.stringMatching(/^lynkr\//)], [expect.stringMatching(/^lynkr\//)], ['vendor-sdk/1.0']]);
  });

  it('keeps the connection after a released stream whose end comes later', async () => {
    const ports = new Set<number>();
    fake = await startFake(async (_req, res, ctx) => {
      ports.add(res.socket?.remotePort ?? 0);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\ndata: [DONE]\n\n');
      await pause(30, ctx.signal);
      res.end();
    });
    fresh();
    for (let i = 0; i < 2; i++) {
      const res = await client.fetch({ url: fake.url });
      for await (const chunk of res.body) {
        if (Buffer.from(chunk).toString().includes('[DONE]')) {
          res.release();
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(ports.size).toBe(1);
  });

  it('maps a refused connection to UNREACHABLE', async () => {
    const closed = await startFake(() => undefined);
    await closed.close();
    fresh();
    const err = await rejection(client.fetch({ url: `${closed.url}/v1/chat/completions`, label: 'local' }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_UNREACHABLE', status: 502 });
    expect(err.message).toMatch(/^upstream "local" \(http:\/\/127\.0\.0\.1:\d+\) is unreachable: .*ECONNREFUSED/);
  });

  it('fires the first-byte timeout while the upstream says nothing', async () => {
    fake = await startFake(async (_req, res, ctx) => {
      await pause(5_000, ctx.signal);
      res.end();
    });
    fresh();
    const err = await rejection(client.fetch({ url: fake.url, label: 'slow', timeouts: { firstByteMs: 50 } }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_TIMEOUT', status: 504, detail: { timeout: 'firstByte', ms: 50 } });
    expect(err.message).toBe('upstream "slow" sent no response within 50 ms (timeouts.firstByteMs)');
  });

  it('counts the first-byte timeout to the first piece of body, not to the headers', async () => {
    fake = await startFake(async (_req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      await pause(5_000, ctx.signal);
      res.end();
    });
    fresh();
    const res = await client.fetch({ url: fake.url, timeouts: { firstByteMs: 50, idleMs: 10_000 } });
    const err = await rejection(drain(res.body));
    expect(err.detail).toEqual({ timeout: 'firstByte', ms: 50 });
  });

  it('fires the idle timeout between two pieces, and closes the socket', async () => {
    let closed!: Promise<unknown>;
    fake = await startFake(async (_req, res, ctx) => {
      closed = once(res, 'close');
      await streamFrames(res, ['data: 1\n\n', 'data: 2\n\n'], { signal: ctx.signal, chunkDelayMs: 5_000 });
    });
    fresh();
    const res = await client.fetch({ url: fake.url, timeouts: { idleMs: 50 } });
    const err = await rejection(drain(res.body));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_TIMEOUT', detail: { timeout: 'idle', ms: 50 } });
    await closed;
  });

  it('does not count a slow reader against the idle timeout', async () => {
    fake = await startFake(async (_req, res, ctx) => {
      await streamFrames(res, ['a', 'b', 'c'], { signal: ctx.signal });
    });
    fresh();
    const res = await client.fetch({ url: fake.url, timeouts: { idleMs: 30 } });
    let text = '';
    for await (const chunk of res.body) {
      text += Buffer.from(chunk).toString();
      await new Promise((r) => setTimeout(r, 80));
    }
    expect(text).toBe('abc');
  });

  it('maps a body cut halfway to DISCONNECTED', async () => {
    fake = await startFake(async (_req, res, ctx) => {
      await streamFrames(res, ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'], { signal: ctx.signal, dieAfter: 1 });
    });
    fresh();
    const res = await client.fetch({ url: fake.url, label: 'cut' });
    const err = await rejection(drain(res.body));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', status: 502 });
  });

  it('aborts the upstream request when the exchange signal aborts, with the exchange\'s reason', async () => {
    let closed!: Promise<unknown>;
    fake = await startFake(async (_req, res, ctx) => {
      closed = once(res, 'close');
      await streamFrames(res, ['data: 1\n\n', 'data: 2\n\n'], { signal: ctx.signal, chunkDelayMs: 5_000 });
    });
    fresh();
    const abort = new AbortController();
    const res = await client.fetch({ url: fake.url, signal: abort.signal });
    const it = res.body[Symbol.asyncIterator]();
    await it.next();
    const reason = new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client closed the connection');
    const pending = it.next();
    abort.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    await closed;
  });

  it('refuses to start when the exchange is already aborted', async () => {
    fresh();
    const abort = new AbortController();
    abort.abort();
    const err = await rejection(client.fetch({ url: 'http://127.0.0.1:9', signal: abort.signal }));
    expect(err.code).toBe('LYNKR_ERR_CLIENT_ABORTED');
  });

  it('reads an error status into UPSTREAM_HTTP with the upstream message and headers', async () => {
    fake = await startFake((_req, res) =>
      sendJson(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }, { 'retry-after': '7', 'request-id': 'req_9' }),
    );
    fresh();
    const err = await rejection(client.fetch({ url: fake.url, label: 'anthropic' }));
    expect(err).toMatchObject({
      code: 'LYNKR_ERR_UPSTREAM_HTTP',
      status: 429,
      message: 'upstream "anthropic" answered 429: slow down',
      headers: { 'retry-after': '7', 'upstream-request-id': 'req_9' },
      detail: { upstream: 'anthropic', upstreamStatus: 429, upstreamType: 'rate_limit_error' },
    });
  });

  it('reads a whole body in pieces as UTF-8, a character split between two pieces included', async () => {
    const text = 'héllo wörld ✓ '.repeat(2000);
    const bytes = Buffer.from(text, 'utf8');
    fake = await startFake(async (_req, res, ctx) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      // Cut inside the two-byte "é": the decoder must not see half a character.
      res.write(bytes.subarray(0, 2));
      await pause(10, ctx.signal);
      res.end(bytes.subarray(2));
    });
    fresh();
    const res = await client.fetch({ url: fake.url });
    expect(await res.text()).toBe(text);
  });

  it('pauses the upstream for a slow reader and gives every byte once it reads on', async () => {
    const piece = Buffer.alloc(64 * 1024, 'x');
    const pieces = 400; // 25 MB: more than loopback socket buffers hold, a hundred times what Lynkr queues before it pauses
    let sentAll = false;
    fake = await startFake(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < pieces; i++) if (!res.write(piece)) await once(res, 'drain');
      sentAll = true;
      res.end();
    });
    fresh();
    const res = await client.fetch({ url: fake.url });
    const it = res.body[Symbol.asyncIterator]();
    let read = (await it.next()).value!.byteLength;
    // The reader holds back: the upstream cannot finish, since Lynkr stops reading the socket at 256 KB queued.
    await new Promise((r) => setTimeout(r, 150));
    expect(sentAll).toBe(false);
    for (let step = await it.next(); !step.done; step = await it.next()) read += step.value.byteLength;
    expect(read).toBe(pieces * piece.byteLength);
    expect(sentAll).toBe(true);
  });

  it('a reader that leaves while a read waits: the read ends, and the upstream request is aborted', async () => {
    let closed!: Promise<unknown>;
    fake = await startFake(async (_req, res, ctx) => {
      closed = once(res, 'close');
      await streamFrames(res, ['data: 1\n\n', 'data: 2\n\n'], { signal: ctx.signal, chunkDelayMs: 5_000 });
    });
    fresh();
    const res = await client.fetch({ url: fake.url });
    const it = res.body[Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value!).toString()).toBe('data: 1\n\n');
    const waiting = it.next();
    await it.return!();
    expect(await waiting).toEqual({ done: true, value: undefined });
    await closed;
  });

  it('gives what has arrived at once, in one buffer, and the bytes of a whole body as they came', async () => {
    fake = await startFake(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Three HTTP chunks in one write: one network read, three pieces of body.
      res.write('data: 1\n\n');
      res.write('data: 2\n\n');
      res.end('data: 3\n\n');
    });
    fresh();
    const res = await client.fetch({ url: fake.url });
    const it = res.body[Symbol.asyncIterator]();
    let text = Buffer.from((await it.next()).value!).toString();
    for (let more = res.takeArrived(); more; more = res.takeArrived()) text += more.toString();
    for (let step = await it.next(); !step.done; step = await it.next()) text += Buffer.from(step.value).toString();
    expect(text).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');

    const bytes = Buffer.from([0xff, 0x00, 0xe9, 0x41]);
    await fake.close();
    fake = await startFake((_req, res) => void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes));
    const whole = await client.fetch({ url: fake.url });
    expect((await whole.bytes()).equals(bytes)).toBe(true);
  });

  it('hands a body out once', async () => {
    fake = await startFake((req, res) => sendJson(res, 200, { ok: true }));
    fresh();
    const res = await client.fetch({ url: fake.url });
    expect(await res.json()).toEqual({ ok: true });
    expect((await rejection(res.text())).code).toBe('LYNKR_ERR_INTERNAL');
    expect(() => res.body[Symbol.asyncIterator]()).toThrow(/read once/);
  });

  it('closes its pools and refuses later requests', async () => {
    fresh();
    await client.close();
    expect((await rejection(client.fetch({ url: 'http://127.0.0.1:9' }))).code).toBe('LYNKR_ERR_SHUTTING_DOWN');
  });
});

describe('upstreamHttpError', () => {
  it.each([
    [400, 400],
    [401, 401],
    [404, 404],
    [429, 429],
    [529, 529],
    [500, 502],
    [503, 502],
    [301, 502],
  ])('answers the client %i as %i', (upstream, client) => {
    const err = upstreamHttpError('x', upstream, {}, '{"error":{"message":"m"}}');
    expect(err.status).toBe(client);
    expect(err.detail).toMatchObject({ upstreamStatus: upstream });
    expect(err.message).toBe(`upstream "x" answered ${upstream}: m`);
  });

  it.each([
    ['{"error":{"message":"openai style","type":"invalid_request_error"}}', 'openai style'],
    ['{"error":"ollama style"}', 'ollama style'],
    ['{"error_code":"BAD","message":"databricks style"}', 'databricks style'],
    ['{"detail":"fastapi style"}', 'fastapi style'],
    ['plain text', 'plain text'],
    ['', 'no message'],
  ])('finds the message in %s', (body, message) => {
    expect(upstreamHttpError('x', 400, {}, body).message).toBe(`upstream "x" answered 400: ${message}`);
  });

  it('reads a status from an in-stream error code', () => {
    expect(upstreamBodyError('x', { error: { message: 'busy', code: 429 } }).status).toBe(429);
    expect(upstreamBodyError('x', { error: { message: 'odd', code: 'server_error' } }).status).toBe(502);
  });

  it('knows an event stream', () => {
    expect(isEventStream({ 'content-type': 'text/event-stream; charset=utf-8' })).toBe(true);
    expect(isEventStream({ 'content-type': 'application/json' })).toBe(false);
  });
});
