import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { definePlugin, type Kernel, type PluginEntry } from '../../kernel/index.js';
import { sseFrame, startFakeAnthropic, type FakeAnthropic } from '../../test/fakes/index.js';
import { memoryLogger, testKernel } from '../../test/helpers/kernel.js';
import { LabelCap } from './labels.js';
import { metricsRef, type MetricsService } from './refs.js';

/** One sample of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a scrape; comments (HELP, TYPE) checked for shape and skipped. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** responseSent observers run on a later turn of the event loop than the answer's end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  await settle();
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const ask = (text: string, extra: Record<string, unknown> = {}) => ({ model: 'claude-client-name', max_tokens: 64, messages: [{ role: 'user', content: text }], ...extra });

/** Answers the prompt "cached" itself, as a prompt cache would. */
const cache = definePlugin({
  name: 'cache',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.hooks.on('preRoute', (req, ex) =>
      req.messages.at(-1)?.content === 'cached'
        ? ex.stop({
            id: 'msg_cached',
            type: 'message',
            role: 'assistant',
            model: req.model,
            content: [{ type: 'text', text: 'from cache' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 7, output_tokens: 3 },
          })
        : undefined,
    );
  },
});

/** Resolves the metrics service in ready(), as the resilience plugin does. */
let service: MetricsService | undefined;
const probe = definePlugin({
  name: 'probe',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    return { ready: () => void (service = ctx.services.tryResolve(metricsRef)) };
  },
});

/** Tries once more after a failure, as resilience does (its invoke handler is 'pre' too). */
const retryOnce = definePlugin({
  name: 'retry-once',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.hooks.on('invoke', (call, next) => next().catch(() => next()), { order: 'pre' });
  },
});

let upstream: FakeAnthropic;
beforeAll(async () => {
  upstream = await startFakeAnthropic();
});
afterAll(async () => {
  await upstream.close();
});

const kernels: Kernel[] = [];
afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
});

interface BootOptions {
  plugins?: unknown[];
  metrics?: Record<string, unknown>;
  keys?: string[];
  teams?: Record<string, { keys: string[]; options: Record<string, Record<string, unknown>> }>;
  logger?: ReturnType<typeof memoryLogger>['log'];
}

async function boot(extra: BootOptions & { metricsFirst?: boolean } = {}): Promise<{ kernel: Kernel; url: string }> {
  const metrics: PluginEntry = ['metrics', extra.metrics ?? {}];
  const kernel = await testKernel(
    {
      server: { port: 0 },
      ...(extra.keys && { keys: extra.keys }),
      ...(extra.teams && { teams: extra.teams }),
      plugins: [
        'api-anthropic',
        'api-openai',
        ...(extra.metricsFirst ? [metrics] : []),
        ...((extra.plugins ?? []) as []),
        ['provider-anthropic', { baseUrl: upstream.url, apiKey: 'sk-ant-test' }],
        ['router-static', { target: 'anthropic:claude-test' }],
        ...(extra.metricsFirst ? [] : [metrics]),
      ],
    },
    extra.logger ? { logger: extra.logger } : {},
  );
  kernels.push(kernel);
  return { kernel, url: (await kernel.start()).url };
}

const route = { surface: 'anthropic', provider: 'anthropic', model: 'claude-test' };

describe('metrics', () => {
  it('counts answers, streamed and not, failed before and during the stream, with their labels, latency, tokens and overhead', async () => {
    const { url } = await boot({ plugins: [cache()] });
    const before = await scrape(url);
    expect(total(before, 'lynkr_requests_total')).toBe(0);

    upstream.enqueue({ text: 'one two', usage: { input: 11, output: 4, cacheRead: 100, cacheCreation: 20 } });
    const whole = await post(url, '/v1/messages', ask('hello'));
    expect(whole.status).toBe(200);
    await whole.json();

    upstream.enqueue({ text: 'three four', usage: { input: 5, output: 2 } });
    const streamed = await post(url, '/v1/messages', ask('hello', { stream: true }));
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('event: message_stop');

    upstream.enqueue({ status: 503, error: { type: 'overloaded_error', message: 'busy' } });
    const failed = await post(url, '/v1/messages', ask('hello'));
    const failedStatus = failed.status;
    expect(failedStatus).toBeGreaterThanOrEqual(500);
    await failed.text();

    upstream.enqueue({ text: 'five six seven', usage: { input: 3, output: 1 }, midStreamError: { type: 'overloaded_error', message: 'went away' } });
    const cut = await post(url, '/v1/messages', ask('hello', { stream: true }));
    expect(cut.status).toBe(200);
    expect(await cut.text()).toContain('event: error');

    const hit = await post(url, '/v1/messages', ask('cached'));
    expect(hit.status).toBe(200);
    await hit.json();

    upstream.enqueue({ text: 'eight', usage: { input: 1, output: 1 } });
    const chat = await post(url, '/v1/chat/completions', { model: 'gpt-client-name', messages: [{ role: 'user', content: 'hello' }] });
    expect(chat.status).toBe(200);
    await chat.json();

    const m = await scrape(url);
    expect(total(m, 'lynkr_requests_total')).toBe(6);
    expect(total(m, 'lynkr_requests_total', { surface: 'openai-chat', provider: 'anthropic', model: 'claude-test', status: '200' })).toBe(1);
    expect(total(m, 'lynkr_requests_total', { ...route, tier: 'none', status: '200' })).toBe(2);
    expect(total(m, 'lynkr_requests_total', { ...route, status: String(failedStatus) })).toBe(1);
    expect(total(m, 'lynkr_requests_total', { ...route, status: '529' })).toBe(1);
    expect(total(m, 'lynkr_requests_total', { surface: 'anthropic', provider: 'lynkr', model: 'unknown', status: '200' })).toBe(1);
    // The model label is the routed model, never the one the client named.
    expect(m.some((s) => Object.values(s.labels).some((v) => v.endsWith('-client-name')))).toBe(false);

    expect(total(m, 'lynkr_request_duration_seconds_count', route)).toBe(4);
    expect(total(m, 'lynkr_request_duration_seconds_count', { provider: 'lynkr' })).toBe(1);
    expect(total(m, 'lynkr_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(4);
    // Time to first byte: the two streamed answers only.
    expect(total(m, 'lynkr_time_to_first_byte_seconds_count', route)).toBe(2);
    // Overhead: every answer that got one (the cache hit included), not the failure before any answer.
    expect(total(m, 'lynkr_overhead_seconds_count', { surface: 'anthropic' })).toBe(4);
    expect(total(m, 'lynkr_overhead_seconds_sum')).toBeGreaterThanOrEqual(0);

    // Cache hits cost no model anything: tokens are the upstream's only.
    const target = { provider: 'anthropic', model: 'claude-test' };
    expect(total(m, 'lynkr_tokens_total', { ...target, type: 'input' })).toBe(11 + 5 + 3 + 1);
    // The cut stream counts what its message_start reported (1 output token).
    expect(total(m, 'lynkr_tokens_total', { ...target, type: 'output' })).toBe(4 + 2 + 1 + 1);
    expect(total(m, 'lynkr_tokens_total', { ...target, type: 'cache_read' })).toBe(100);
    expect(total(m, 'lynkr_tokens_total', { ...target, type: 'cache_write' })).toBe(20);
    expect(total(m, 'lynkr_tokens_total', { provider: 'lynkr' })).toBe(0);
    expect(total(m, 'lynkr_streams_open')).toBe(0);
  });

  it("counts a stream as open from the provider's answer to its end", async () => {
    const { url } = await boot();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    upstream.enqueue({
      raw: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const message = { id: 'msg_raw', type: 'message' as const, role: 'assistant' as const, model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 2, output_tokens: 1 } };
        res.write(sseFrame({ type: 'message_start', message }));
        await gate;
        for (const ev of [
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } },
          { type: 'content_block_stop', index: 0 },
          { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
          { type: 'message_stop' },
        ] as const) {
          res.write(sseFrame(ev as never));
        }
        res.end();
      },
    });
    const res = await post(url, '/v1/messages', ask('hello', { stream: true }));
    // The headers went out with the first event: the stream is open.
    expect(res.status).toBe(200);
    const during = await scrape(url);
    expect(total(during, 'lynkr_streams_open', { surface: 'anthropic' })).toBe(1);
    release();
    expect(await res.text()).toContain('message_stop');
    const after = await scrape(url);
    expect(total(after, 'lynkr_streams_open', { surface: 'anthropic' })).toBe(0);
    expect(total(after, 'lynkr_requests_total', { ...route, status: '200' })).toBe(1);
  });

  it("leaves an Anthropic upstream's stream as its bytes, and still counts it, its time to first byte and its tokens", async () => {
    const { url } = await boot();
    // Spaced JSON and a comment: Lynkr's own encoder would write neither, so byte equality shows nothing was re-encoded.
    const frame = (data: { type: string } & Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data, null, 1).replaceAll('\n', '')}\n\n`;
    const text = [
      frame({ type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } } }),
      ': a comment\n\n',
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }),
      frame({ type: 'content_block_stop', index: 0 }),
      frame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } }),
      frame({ type: 'message_stop' }),
    ].join('');
    upstream.enqueue({
      raw: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(text);
      },
    });
    const res = await post(url, '/v1/messages', ask('hello', { stream: true }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(text);
    const m = await scrape(url);
    expect(total(m, 'lynkr_requests_total', { ...route, status: '200' })).toBe(1);
    expect(total(m, 'lynkr_time_to_first_byte_seconds_count', route)).toBe(1);
    expect(total(m, 'lynkr_tokens_total', { provider: 'anthropic', model: 'claude-test', type: 'output' })).toBe(4);
    expect(total(m, 'lynkr_streams_open')).toBe(0);
  });

  it('counts a client that leaves mid-stream as 499 and closes its stream', async () => {
    const { url } = await boot();
    upstream.enqueue({
      raw: async (_req, res, ctx) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const message = { id: 'msg_raw', type: 'message' as const, role: 'assistant' as const, model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 2, output_tokens: 1 } };
        res.write(sseFrame({ type: 'message_start', message }));
        // Never finishes: held until Lynkr aborts the upstream call.
        await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
      },
    });
    const res = await post(url, '/v1/messages', ask('hello', { stream: true }));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    // The abort reaches the server on a later turn: wait until the exchange is counted.
    let m: Sample[] = [];
    for (let i = 0; i < 200 && total(m, 'lynkr_requests_total') === 0; i++) m = await scrape(url);
    expect(total(m, 'lynkr_requests_total', { ...route, status: '499' })).toBe(1);
    expect(total(m, 'lynkr_streams_open')).toBe(0);
  });

  it('records what other plugins report: retries, fallbacks, breaker states', async () => {
    const { url } = await boot({ plugins: [probe()] });
    expect(service).toBeDefined();
    service!.retry({ provider: 'anthropic', model: 'claude-test' });
    service!.retry({ provider: 'anthropic', model: 'claude-test' });
    service!.fallback({ from: { provider: 'anthropic', model: 'claude-test' }, to: { provider: 'ollama', model: 'qwen' } });
    service!.breaker({ provider: 'anthropic', model: 'claude-test', state: 'open' });
    service!.breaker({ provider: 'ollama', model: 'qwen', state: 'half-open' });
    expect(() => service!.breaker({ provider: 'x', model: 'y', state: 'melted' as never })).toThrow(/unknown breaker state/);
    const m = await scrape(url);
    expect(total(m, 'lynkr_retries_total', { provider: 'anthropic', model: 'claude-test' })).toBe(2);
    expect(total(m, 'lynkr_fallbacks_total', { from_provider: 'anthropic', from_model: 'claude-test', to_provider: 'ollama', to_model: 'qwen' })).toBe(1);
    expect(total(m, 'lynkr_circuit_breaker_state', { provider: 'anthropic', model: 'claude-test' })).toBe(2);
    expect(total(m, 'lynkr_circuit_breaker_state', { provider: 'ollama', model: 'qwen' })).toBe(1);
    service!.breaker({ provider: 'anthropic', model: 'claude-test', state: 'closed' });
    expect(total(await scrape(url), 'lynkr_circuit_breaker_state', { provider: 'anthropic', model: 'claude-test' })).toBe(0);
  });

  it('keeps two kernels in one process apart, each on its own registry', async () => {
    const a = await boot();
    const b = await boot({ metrics: { process: true } });
    upstream.enqueue({ text: 'x' });
    await (await post(a.url, '/v1/messages', ask('hello'))).json();
    expect(total(await scrape(a.url), 'lynkr_requests_total')).toBe(1);
    const mb = await scrape(b.url);
    expect(total(mb, 'lynkr_requests_total')).toBe(0);
    // Process metrics only where asked for.
    expect(mb.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect((await scrape(a.url)).some((s) => s.name.startsWith('process_'))).toBe(false);
  });

  it('needs a Lynkr key for /metrics when keys are configured, as the stats route does', async () => {
    const { url } = await boot({ keys: ['lk-metrics-test-1'] });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect(total(await scrape(url, { authorization: 'Bearer lk-metrics-test-1' }), 'lynkr_requests_total')).toBe(0);
  });

  it('logs with the request id the client got in its request-id header', async () => {
    const memory = memoryLogger('debug');
    const { url } = await boot({ logger: memory.log });
    upstream.enqueue({ status: 500, error: { message: 'upstream broke' } });
    const failed = await post(url, '/v1/messages', ask('hello'));
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const id = failed.headers.get('request-id');
    expect(id).toMatch(/^req_[A-Za-z0-9]{24}$/);
    expect(failed.headers.get('x-request-id')).toBe(id);
    expect((await failed.json()) as unknown).toMatchObject({ request_id: id });
    await settle();
    const lines = memory.lines().filter((l) => l.reqId === id);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringContaining('upstream broke')]));
    // Every line about this request carries the id; no line carries another request's id.
    expect(memory.lines().filter((l) => typeof l.reqId === 'string' && l.reqId !== id)).toEqual([]);

    // A client's own x-request-id is kept, in the headers and in the logs.
    upstream.enqueue({ status: 500, error: { message: 'upstream broke again' } });
    const given = await post(url, '/v1/messages', ask('hello'), { 'x-request-id': 'client-chosen-42' });
    expect(given.headers.get('request-id')).toBe('client-chosen-42');
    await given.text();
    await settle();
    expect(memory.lines().filter((l) => l.reqId === 'client-chosen-42').map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringContaining('upstream broke again')]));
  });

  it('counts an exchange once by its outcome when listed before a retrying plugin, and each attempt when listed after it', async () => {
    const outer = await boot({ plugins: [retryOnce()], metricsFirst: true });
    upstream.enqueue({ status: 500, error: { message: 'once' } }, { text: 'then fine' });
    expect((await post(outer.url, '/v1/messages', ask('hello'))).status).toBe(200);
    const m = await scrape(outer.url);
    expect([total(m, 'lynkr_requests_total'), total(m, 'lynkr_requests_total', { status: '200' })]).toEqual([1, 1]);

    const inner = await boot({ plugins: [retryOnce()] });
    upstream.enqueue({ status: 500, error: { message: 'once' } }, { text: 'then fine' });
    expect((await post(inner.url, '/v1/messages', ask('hello'))).status).toBe(200);
    const n = await scrape(inner.url);
    expect([total(n, 'lynkr_requests_total'), total(n, 'lynkr_requests_total', { status: '200' })]).toEqual([2, 1]);
  });

  it('counts a team that has its own metrics options into the same registry', async () => {
    const { url } = await boot({ keys: ['lk-default-01'], teams: { research: { keys: ['lk-research-01'], options: { metrics: { maxLabelValues: 5 } } } } });
    for (const key of ['lk-default-01', 'lk-research-01']) {
      upstream.enqueue({ text: 'x' });
      await (await post(url, '/v1/messages', ask('hello'), { 'x-api-key': key })).json();
    }
    expect(total(await scrape(url, { 'x-lynkr-key': 'lk-default-01' }), 'lynkr_requests_total', { ...route, status: '200' })).toBe(2);
  });

  it('refuses options it does not know', async () => {
    await expect(testKernel({ plugins: [['metrics', { prefix: 'x' }]] })).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
  });
});

describe('label bounds', () => {
  it('keeps at most max values per label and reports the rest as other', () => {
    const cap = new LabelCap(2);
    expect([cap.of('a'), cap.of('b'), cap.of('c'), cap.of('a'), cap.of(undefined), cap.of('')]).toEqual(['a', 'b', 'other', 'a', 'unknown', 'unknown']);
  });

  it('bounds the model label of real traffic', async () => {
    const { url } = await boot({ plugins: [probe()], metrics: { maxLabelValues: 1 } });
    service!.retry({ provider: 'anthropic', model: 'first' });
    service!.retry({ provider: 'anthropic', model: 'second' });
    upstream.enqueue({ text: 'x' });
    await (await post(url, '/v1/messages', ask('hello'))).json();
    const m = await scrape(url);
    expect(total(m, 'lynkr_retries_total', { model: 'first' })).toBe(1);
    expect(total(m, 'lynkr_retries_total', { model: 'other' })).toBe(1);
    expect(total(m, 'lynkr_requests_total', { provider: 'anthropic', model: 'other' })).toBe(1);
  });
});
