import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, Socket } from 'node:net';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  checkGrammar,
  definePlugin,
  encodeEvent,
  LynkrError,
  messageToEvents,
  type InvokeCall,
  type Kernel,
  type MessagesRequest,
  type MessagesResponse,
  type StreamEvent,
} from '../../kernel/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { parseSse } from '../../test/fakes/sse.js';

/** What the scripted provider does for one call: events to yield (with optional pauses), or an error to throw. */
type Step = StreamEvent | { wait: number } | { fail: Error };
type Script = (call: InvokeCall) => Step[] | Error;

const answer = (text: string): MessagesResponse => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'm',
  content: [{ type: 'text', text }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 2 },
});
const textEvents = (text = 'hello') => messageToEvents(answer(text));

/** Calls seen, and how each one ended, for the assertions. */
interface Trace {
  calls: InvokeCall[];
  finished: Array<'done' | 'returned' | 'threw'>;
}

/** A provider driven by a script, routed to for every request. */
function scripted(script: Script, trace: Trace = { calls: [], finished: [] }) {
  return definePlugin({
    name: 'scripted',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.providers.register({
        id: 'scripted',
        wire: 'test',
        models: () => [{ id: 'm-1', provider: 'scripted', displayName: 'Model One', createdAt: '2025-02-03T04:05:06Z' }, { id: 'm-2', provider: 'scripted' }],
        async invoke(call) {
          trace.calls.push(call);
          const steps = script(call);
          if (steps instanceof Error) throw steps;
          return { events: run(steps, call.exchange.signal, trace), headers: { 'x-upstream': 'yes', 'request-id': 'req_upstream' } };
        },
      });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'scripted', model: 'routed-model' }));
    },
  })();
}

async function* run(steps: Step[], signal: AbortSignal, trace: Trace): AsyncGenerator<StreamEvent> {
  let finished: 'done' | 'returned' | 'threw' = 'returned';
  try {
    for (const step of steps) {
      if ('wait' in step) await sleep(step.wait, signal);
      else if ('fail' in step) throw step.fail;
      else yield step;
    }
    finished = 'done';
  } catch (error) {
    finished = 'threw';
    throw error;
  } finally {
    trace.finished.push(finished);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });
}

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

async function boot(script: Script, options: { trace?: Trace; pingIntervalMs?: number; bodyLimit?: number; keys?: string[] } = {}) {
  kernel = await testKernel({
    plugins: [['api-anthropic', options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}], scripted(script, options.trace)],
    server: { port: 0, ...(options.bodyLimit && { bodyLimit: options.bodyLimit }) },
    ...(options.keys && { keys: options.keys }),
  });
  return kernel;
}

const body = (extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: 'claude-x',
  max_tokens: 100,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

/** A piece of a chunked body as it goes on the wire. */
const chunkOf = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

const post = (k: Kernel, payload: unknown, url = '/v1/messages', headers: Record<string, string> = {}) =>
  k.inject({ method: 'POST', url, payload: payload as object, headers });

describe('POST /v1/messages without streaming', () => {
  it('answers the collected message with the pipeline headers, request-id and overhead', async () => {
    const k = await boot(() => textEvents('hello there'));
    const res = await post(k, body());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(answer('hello there'));
    expect(res.headers).toMatchObject({ 'x-lynkr-provider': 'scripted', 'x-lynkr-model': 'routed-model', 'x-upstream': 'yes' });
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(Number(res.headers['x-lynkr-overhead-ms'])).toBeGreaterThanOrEqual(0);
  });

  it('does not count the wait for the upstream\'s events as overhead', async () => {
    const k = await boot(() => [{ wait: 400 }, ...textEvents()]);
    const res = await post(k, body());
    expect(Number(res.headers['x-lynkr-overhead-ms'])).toBeLessThan(300);
  });

  it('takes ?beta=true, and everything Claude Code sends, passing it to the provider unchanged', async () => {
    const trace: Trace = { calls: [], finished: [] };
    const k = await boot(() => textEvents(), { trace });
    const claudeCode = body({
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        { role: 'system', content: 'a mid-conversation system message' },
        { role: 'user', content: 'go on' },
      ],
      thinking: { type: 'adaptive' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'high' },
      metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: 's' }) },
      tools: [{ name: 'Bash', description: 'run', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
      some_future_field: { kept: true },
    });
    const res = await post(k, claudeCode, '/v1/messages?beta=true', { 'anthropic-beta': 'context-management-2025-06-27' });
    expect(res.statusCode).toBe(200);
    expect(trace.calls[0]?.request).toEqual(claudeCode);
    expect(trace.calls[0]?.exchange.surface).toBe('anthropic');
  });

  it('answers a stream error event with the status its type implies', async () => {
    const [start, , , ...rest] = textEvents();
    void rest;
    const k = await boot(() => [start!, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
    const res = await post(k, body());
    expect(res.statusCode).toBe(529);
    expect(res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: res.headers['x-request-id'] });
  });

  it('answers a stream that stops before message_stop with a 500 api_error', async () => {
    const k = await boot(() => textEvents().slice(0, 3));
    const res = await post(k, body());
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({ type: 'api_error', message: 'The stream ended before message_stop' });
  });
});

describe('errors in Anthropic\'s shape', () => {
  const cases: Array<[string, (k: Kernel) => ReturnType<Kernel['inject']>, number, string, RegExp]> = [
    ['an empty body', (k) => k.inject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'application/json' }, payload: '' }), 400, 'invalid_request_error', /invalid request body: .*empty/i],
    ['malformed JSON', (k) => k.inject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'application/json' }, payload: '{"model": "x",' }), 400, 'invalid_request_error', /invalid request body/],
    ['no body at all', (k) => k.inject({ method: 'POST', url: '/v1/messages' }), 400, 'invalid_request_error', /must be a JSON object with model, max_tokens and messages/],
    ['a JSON array', (k) => post(k, [1, 2]), 400, 'invalid_request_error', /must be a JSON object/],
    ['max_tokens: -1', (k) => post(k, body({ max_tokens: -1 })), 400, 'invalid_request_error', /^max_tokens: Expected a number >= 1$/],
    ['messages not an array', (k) => post(k, { ...body(), messages: 'hi' }), 400, 'invalid_request_error', /^messages: Expected array$/],
    ['a missing model', (k) => post(k, { max_tokens: 5, messages: [] }), 400, 'invalid_request_error', /^model: Required$/],
    ['a bad role', (k) => post(k, body({ messages: [{ role: 'bot' as 'user', content: 'x' }] })), 400, 'invalid_request_error', /messages\[0\]\.role/],
    ['a text/plain body', (k) => k.inject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'text/plain' }, payload: 'hi' }), 400, 'invalid_request_error', /must be a JSON object/],
    ['a form body', (k) => k.inject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' }), 415, 'invalid_request_error', /invalid request body/],
  ];
  it.each(cases)('rejects %s with a clear 4xx', async (_name, send, status, type, message) => {
    const k = await boot(() => textEvents());
    const res = await send(k);
    expect(res.statusCode).toBe(status);
    const json = res.json();
    expect(json).toEqual({ type: 'error', error: { type, message: expect.stringMatching(message) }, request_id: res.headers['x-request-id'] });
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
  });

  it('rejects a body over the limit with 413 request_too_large', async () => {
    const k = await boot(() => textEvents(), { bodyLimit: 10_000 });
    const res = await post(k, body({ messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.type).toBe('request_too_large');
  });

  it('keeps an upstream\'s status and retry-after, with Lynkr\'s request id', async () => {
    const k = await boot(() => new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'rate limited', { status: 429, headers: { 'retry-after': '7', 'request-id': 'req_upstream' } }));
    const res = await post(k, body());
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toEqual({ type: 'rate_limit_error', message: 'rate limited' });
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(res.headers).toMatchObject({ 'x-lynkr-provider': 'scripted', 'x-lynkr-model': 'routed-model' });
    expect(Number(res.headers['x-lynkr-overhead-ms'])).toBeGreaterThanOrEqual(0);
  });

  it('renders the kernel\'s own errors (a missing Lynkr key) the same way', async () => {
    const k = await boot(() => textEvents(), { keys: ['lk-test-key-1'] });
    const res = await post(k, body());
    expect(res.statusCode).toBe(401);
    expect(res.json().error.type).toBe('authentication_error');
    expect((await post(k, body(), '/v1/messages', { 'x-api-key': 'lk-test-key-1' })).statusCode).toBe(200);
  });
});

describe('POST /v1/messages streaming', () => {
  it('writes exactly the provider\'s events as SSE, with the stream headers', async () => {
    const events = textEvents('one two');
    const k = await boot(() => events);
    const res = await post(k, body({ stream: true }));
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-lynkr-provider': 'scripted',
      'x-lynkr-model': 'routed-model',
    });
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(Number(res.headers['x-lynkr-overhead-ms'])).toBeGreaterThanOrEqual(0);
    expect(res.body).toBe(events.map(encodeEvent).join(''));
    expect(checkGrammar(parsed(res.body))).toEqual([]);
  });

  it('answers with an HTTP error when the pipeline rejects before the first event', async () => {
    const k = await boot(() => new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'overloaded', { status: 529 }));
    const res = await post(k, body({ stream: true }));
    expect(res.statusCode).toBe(529);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json().error).toEqual({ type: 'overloaded_error', message: 'overloaded' });
  });

  it('answers with an HTTP error when the events fail before the first one', async () => {
    const k = await boot(() => [{ fail: new LynkrError('LYNKR_ERR_UPSTREAM_UNREACHABLE', 'connection reset') }]);
    const res = await post(k, body({ stream: true }));
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toEqual({ type: 'api_error', message: 'connection reset' });
  });

  it('ends a stream that fails after the first byte with an error event', async () => {
    const events = textEvents();
    const k = await boot(() => [...events.slice(0, 3), { fail: new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'upstream overloaded', { status: 529 }) }]);
    const res = await post(k, body({ stream: true }));
    expect(res.statusCode).toBe(200);
    const frames = parseSse(res.body);
    expect(frames.at(-1)).toEqual({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'upstream overloaded' }, request_id: res.headers['x-request-id'] }) });
    expect(checkGrammar(parsed(res.body))).toEqual([]);
  });

  it('ends a stream that stops short of message_stop with an error event, never silently', async () => {
    const k = await boot(() => textEvents().slice(0, 4));
    const res = await post(k, body({ stream: true }));
    const events = parsed(res.body);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { type: 'api_error', message: 'the upstream stream ended before message_stop' } });
    expect(checkGrammar(events)).toEqual([]);
  });

  it('passes an upstream error event through as it came', async () => {
    const [start] = textEvents();
    const failure: StreamEvent = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const k = await boot(() => [start!, failure]);
    const res = await post(k, body({ stream: true }));
    expect(res.body).toBe([start!, failure].map(encodeEvent).join(''));
  });

  it('pings while the upstream is silent', async () => {
    const [first, ...rest] = textEvents();
    const k = await boot(() => [first!, { wait: 300 }, ...rest], { pingIntervalMs: 40 });
    const res = await post(k, body({ stream: true }));
    const events = parsed(res.body);
    // About seven in 300 ms; a loaded machine fires timers late, never early.
    const pings = events.filter((e) => e.type === 'ping').length;
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(pings).toBeLessThanOrEqual(8);
    expect(events.filter((e) => e.type !== 'ping')).toEqual(textEvents());
    expect(checkGrammar(events)).toEqual([]);
  });

  it('keeps the connection alive with SSE comments while waiting for the first event', async () => {
    const k = await boot(() => [{ wait: 150 }, ...textEvents()], { pingIntervalMs: 40 });
    const res = await post(k, body({ stream: true }));
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith(': ping\n\n')).toBe(true);
    const events = parsed(res.body);
    expect(events).toEqual(textEvents());
    expect(checkGrammar(events)).toEqual([]);
  });

  it('sends each event as it comes, and the events that come together in one write', async () => {
    const [first, ...rest] = textEvents('one two');
    const k = await boot(() => [first!, { wait: 100 }, ...rest]);
    const { port } = await k.start();
    const socket = connect(port, '127.0.0.1');
    // node's response corks its socket until the next tick, so frames encoded in one turn leave in one system call,
    // as long as nothing between the provider's events and the write waits for a later turn. Every write to a
    // socket in this process is seen; the server's to this client are counted below.
    const proto = Socket.prototype as unknown as Record<'_write' | '_writev', () => void>;
    const spies = [jest.spyOn(proto, '_write'), jest.spyOn(proto, '_writev')];
    try {
      const chunks: string[] = [];
      const ended = new Promise<void>((resolve) =>
        socket.on('data', (chunk: Buffer) => {
          chunks.push(String(chunk));
          if (String(chunk).endsWith('0\r\n\r\n')) resolve();
        }),
      );
      const payload = JSON.stringify(body({ stream: true }));
      socket.write(`POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${payload.length}\r\n\r\n${payload}`);
      await ended;
      const served = spies.flatMap((spy) => spy.mock.contexts as Socket[]).filter((s) => s.remotePort === socket.localPort);
      socket.destroy();
      // The first event with the head, before the provider's pause; the five after it and the body's end together.
      expect(chunks[0]).toMatch(/^HTTP\/1\.1 200 /);
      expect(chunks[0]!.endsWith(`\r\n\r\n${chunkOf(encodeEvent(first!))}`)).toBe(true);
      expect(chunks.slice(1).join('')).toBe(`${rest.map((e) => chunkOf(encodeEvent(e))).join('')}0\r\n\r\n`);
      expect(served).toHaveLength(2);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('stops reading the answer, which aborts the upstream, when the client goes away', async () => {
    const trace: Trace = { calls: [], finished: [] };
    const [first, ...rest] = textEvents();
    const k = await boot(() => [first!, { wait: 5_000 }, ...rest], { trace });
    const { port } = await k.start();
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json' } }, (res: IncomingMessage) => {
        res.once('data', (chunk: Buffer) => {
          resolve(String(chunk));
          req.destroy();
        });
      });
      req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
      req.end(JSON.stringify(body({ stream: true })));
    });
    expect(received).toBe(encodeEvent(first!));
    await waitFor(() => trace.finished.length === 1);
    expect(trace.finished).toEqual(['threw']);
    expect(trace.calls[0]?.exchange.signal.aborted).toBe(true);
  });
});

describe('the other routes', () => {
  it('counts tokens', async () => {
    const k = await boot(() => textEvents());
    const res = await post(k, { model: 'claude-x', messages: [{ role: 'user', content: 'Hello, world' }] }, '/v1/messages/count_tokens');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ input_tokens: expect.any(Number) });
    expect(res.json().input_tokens).toBeGreaterThan(3);
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    const bad = await post(k, { model: 'claude-x', messages: 'nope' }, '/v1/messages/count_tokens');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ type: 'invalid_request_error', message: 'messages: Expected array' });
  });

  it('lists models in Anthropic\'s format for Anthropic clients and OpenAI\'s for the rest', async () => {
    const k = await boot(() => textEvents());
    const anthropic = await k.inject({ method: 'GET', url: '/v1/models', headers: { 'anthropic-version': '2023-06-01' } });
    expect(anthropic.json()).toEqual({
      data: [
        { type: 'model', id: 'm-1', display_name: 'Model One', created_at: '2025-02-03T04:05:06Z' },
        { type: 'model', id: 'm-2', display_name: 'm-2', created_at: '1970-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'm-1',
      last_id: 'm-2',
    });
    const openai = await k.inject({ method: 'GET', url: '/v1/models' });
    expect(openai.json()).toEqual({
      object: 'list',
      data: [
        { id: 'm-1', object: 'model', created: 1738555506, owned_by: 'scripted' },
        { id: 'm-2', object: 'model', created: 0, owned_by: 'scripted' },
      ],
    });
  });

  it('answers HEAD / and GET / without a key, and guards /v1/models with one', async () => {
    const k = await boot(() => textEvents(), { keys: ['lk-test-key-1'] });
    expect((await k.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200);
    expect((await k.inject({ method: 'GET', url: '/' })).json()).toMatchObject({ name: 'lynkr', status: 'ok' });
    const models = await k.inject({ method: 'GET', url: '/v1/models', headers: { 'anthropic-version': '2023-06-01' } });
    expect(models.statusCode).toBe(401);
    expect(models.json().error.type).toBe('authentication_error');
  });
});

/** The events of an SSE body; comment-only frames (keep-alives) carry no data and are skipped, as SSE readers do. */
function parsed(sse: string): StreamEvent[] {
  return parseSse(sse)
    .filter((f) => f.data !== '')
    .map((f) => JSON.parse(f.data) as StreamEvent);
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
