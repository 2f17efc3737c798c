/**
 * What both provider plugins must do alike when the upstream misbehaves or
 * the client goes away: the same error codes, statuses and headers, no
 * hung sockets, no leaked credentials.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import type http from 'node:http';
import { LynkrError } from '../../kernel/errors.js';
import { checkGrammar } from '../../kernel/ir/stream.js';
import type { StreamEvent } from '../../kernel/ir/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { PluginInstance } from '../../kernel/plugin/define.js';
import type { UpstreamTimeouts } from '../../kernel/upstream/index.js';
import { anthropicProvider } from '../../plugins/provider-anthropic/index.js';
import { openaiCompatibleProvider } from '../../plugins/provider-openai-compatible/index.js';
import { sseFrame, startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI, type RawReply } from '../fakes/index.js';
import { testKernel, testSurface } from '../helpers/kernel.js';
import { errorEvent, exchange, failure, routeTo, run, userRequest } from './helpers.js';

interface Setup {
  apiKey?: string;
  timeouts?: Partial<UpstreamTimeouts>;
}

/** One provider plugin and its fake, behind one interface so each test runs against both. */
interface Subject {
  name: string;
  provider: string;
  start(): Promise<FakeOpenAI | FakeAnthropic>;
  plugin(url: string, setup: Setup): PluginInstance;
  /** The header that carries the configured key, and its value for `key`. */
  auth(key: string): [string, string];
  /** The first frames of a well-formed stream, to hold open with a raw reply. */
  openingFrames(): string[];
  /** Statuses this upstream uses for "overloaded". */
  overloaded: number;
}

const chatChunk = (delta: object) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;

const messageStart: StreamEvent = {
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } },
};

const subjects: Subject[] = [
  {
    name: 'provider-openai-compatible',
    provider: 'up',
    start: () => startFakeOpenAI(),
    plugin: (url, { apiKey, timeouts }) => openaiCompatibleProvider({ custom: [{ id: 'up', baseUrl: `${url}/v1`, apiKey, model: 'm', timeouts }] }),
    auth: (key) => ['authorization', `Bearer ${key}`],
    openingFrames: () => [chatChunk({ role: 'assistant', content: '' }), chatChunk({ content: 'one ' }), chatChunk({ content: 'two' })],
    overloaded: 503,
  },
  {
    name: 'provider-anthropic',
    provider: 'anthropic',
    start: () => startFakeAnthropic(),
    plugin: (url, { apiKey, timeouts }) => anthropicProvider({ baseUrl: url, apiKey, timeouts }),
    auth: (key) => ['x-api-key', key],
    openingFrames: () => [
      sseFrame(messageStart),
      sseFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      sseFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'one ' } }),
      sseFrame({ type: 'ping' }),
    ],
    overloaded: 529,
  },
];

let kernel: Kernel | undefined;
let fake: (FakeOpenAI | FakeAnthropic) | undefined;
afterEach(async () => {
  await kernel?.stop();
  await fake?.close();
  kernel = fake = undefined;
});

/** A raw reply that sends the opening frames and holds the stream open; `closed` resolves when its socket closes. */
function holdOpen(subject: Subject): { reply: RawReply; closed: Promise<unknown> } {
  let closedBy!: (res: http.ServerResponse) => void;
  const response = new Promise<http.ServerResponse>((resolve) => (closedBy = resolve));
  const reply: RawReply = {
    raw: async (_req, res, ctx) => {
      res.on('close', () => closedBy(res));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(subject.openingFrames().join(''));
      // ctx.signal aborts when the socket closes (or the fake shuts down at the end of the test).
      await once(ctx.signal, 'abort');
    },
  };
  return { reply, closed: response };
}

describe.each(subjects)('$name', (subject) => {
  async function boot(setup: Setup = { apiKey: 'sk-configured' }, ...more: PluginInstance[]): Promise<Kernel> {
    fake ??= await subject.start();
    kernel = await testKernel({ plugins: [subject.plugin(fake.url, setup), routeTo(subject.provider), ...more] });
    return kernel;
  }

  it.each([
    [400, 400],
    [401, 401],
    [404, 404],
    [429, 429],
    [500, 502],
    [subject.overloaded, subject.overloaded === 529 ? 529 : 502],
  ])('maps an upstream %i to a client %i, with the upstream message, request id and retry-after', async (upstream, client) => {
    await boot();
    fake!.enqueue({ status: upstream, error: { message: `failed with ${upstream}` }, headers: { 'retry-after': '7' } });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({
      code: 'LYNKR_ERR_UPSTREAM_HTTP',
      status: client,
      message: `upstream "${subject.provider}" answered ${upstream}: failed with ${upstream}`,
      headers: { 'retry-after': '7', 'upstream-request-id': 'req_fake1' },
      detail: { upstream: subject.provider, upstreamStatus: upstream },
    });
  });

  it('passes the status, retry-after and upstream request id to an HTTP client', async () => {
    await boot(undefined, testSurface());
    fake!.enqueue({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': '3' } }, { text: 'fine' });
    let res = await kernel!.inject({ method: 'POST', url: '/test/messages', payload: userRequest('hi') });
    expect(res.statusCode).toBe(429);
    expect(res.headers).toMatchObject({ 'retry-after': '3', 'upstream-request-id': 'req_fake1' });
    expect(res.json().error).toMatchObject({ type: 'rate_limit_error', code: 'LYNKR_ERR_UPSTREAM_HTTP', message: `upstream "${subject.provider}" answered 429: slow down` });

    res = await kernel!.inject({ method: 'POST', url: '/test/messages', payload: userRequest('hi') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['upstream-request-id']).toBe('req_fake2');
  });

  it('surfaces a stream that dies halfway as an error from the event iterator', async () => {
    await boot();
    fake!.enqueue(subject.name === 'provider-anthropic' ? { text: 'a few words here', dieAfterEvents: 4 } : { text: 'a few words here', dieAfterChunks: 3 });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', status: 502 });
    // What came before is well formed, so the API plugin's error event ends a valid stream.
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });

  it('fails a non-streaming answer cut halfway before any event', async () => {
    await boot();
    fake!.enqueue(subject.name === 'provider-anthropic' ? { text: 'whole', dieAfterEvents: 1 } : { text: 'whole', dieAfterChunks: 1 });
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err.code).toBe('LYNKR_ERR_UPSTREAM_DISCONNECTED');
  });

  it('aborts the upstream request when the client goes away', async () => {
    await boot();
    const { reply, closed } = holdOpen(subject);
    fake!.enqueue(reply);
    const abort = new AbortController();
    const result = await kernel!.pipeline.handle(userRequest('hi', { stream: true }), exchange(kernel!, { signal: abort.signal }));
    const events = result.events[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ type: 'message_start' });
    const reason = new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client closed the connection');
    abort.abort(reason);
    let error: unknown;
    try {
      while (!(await events.next()).done);
    } catch (e) {
      error = e;
    }
    expect(error).toBe(reason);
    await closed;
  });

  it('closes the upstream socket when the consumer stops reading early', async () => {
    await boot();
    const { reply, closed } = holdOpen(subject);
    fake!.enqueue(reply);
    const result = await kernel!.pipeline.handle(userRequest('hi', { stream: true }), exchange(kernel!));
    for await (const ev of result.events) if (ev.type === 'message_start') break;
    await closed;
  });

  it('fires the first-byte timeout when the upstream stays silent', async () => {
    await boot({ timeouts: { firstByteMs: 50 } });
    fake!.enqueue({ text: 'late', delayMs: 10_000 });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_TIMEOUT', status: 504, detail: { timeout: 'firstByte', ms: 50 } });
  });

  it('fires the first-byte timeout when the headers come but no event follows', async () => {
    await boot({ timeouts: { firstByteMs: 50 } });
    fake!.enqueue({
      raw: async (_req, res, ctx) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        await once(ctx.signal, 'abort');
      },
    });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_TIMEOUT', detail: { timeout: 'firstByte', ms: 50 } });
  });

  it('fires the idle timeout when a stream stalls, after what it already sent', async () => {
    await boot({ timeouts: { idleMs: 50 } });
    fake!.enqueue({ text: 'slow words', chunkDelayMs: 10_000 });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_TIMEOUT', status: 504, detail: { timeout: 'idle', ms: 50 } });
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });

  it('maps a refused connection to UNREACHABLE', async () => {
    const gone = await subject.start();
    await gone.close();
    kernel = await testKernel({ plugins: [subject.plugin(gone.url, {}), routeTo(subject.provider)] });
    const err = await failure(run(kernel, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_UNREACHABLE', status: 502 });
  });

  it('never forwards the client\'s credentials', async () => {
    const client = { 'x-api-key': 'sk-client-secret', authorization: 'Bearer client-secret', 'x-lynkr-key': 'lynkr-secret', cookie: 'c=1' };
    await boot();
    await run(kernel!, userRequest('hi'), { headers: client });
    const [name, value] = subject.auth('sk-configured');
    const sent = fake!.requests[0]!.headers;
    expect(sent[name]).toBe(value);
    expect(JSON.stringify(sent)).not.toMatch(/client-secret|lynkr-secret|c=1/);
    await kernel!.stop();

    // With no key configured, no credential at all.
    await boot({});
    await run(kernel!, userRequest('hi'), { headers: client });
    const bare = fake!.requests[1]!.headers;
    expect(bare).not.toHaveProperty('authorization');
    expect(bare).not.toHaveProperty('x-api-key');
    expect(JSON.stringify(bare)).not.toMatch(/secret|c=1/);
  });
});
