/**
 * The official Anthropic SDK against a real Lynkr on a socket: api-anthropic
 * in front, both provider plugins behind it, the fake upstreams behind
 * those. Each scenario runs once per upstream wire format, since a stream
 * translated from OpenAI Chat chunks must read exactly like Anthropic's own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { checkGrammar, decodeSSE, type Kernel, type StreamEvent } from '../../kernel/index.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../fakes/index.js';
import { testKernel } from '../helpers/kernel.js';

/** One upstream behind Lynkr, with its fake scripted through one vocabulary. */
interface Backend {
  name: string;
  /** router-static's target. */
  target: string;
  text(text: string): void;
  toolCalls(calls: Array<{ id: string; name: string; input: Record<string, unknown> }>): void;
  error(status: number, message: string, headers?: Record<string, string>): void;
  /** A stream cut by the upstream after a few frames. */
  dieMidStream(): void;
  /** The body the upstream received last. */
  lastBody(): Record<string, unknown>;
}

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close()]);
});

const backends: Array<() => Backend> = [
  () => ({
    name: 'openai-compatible',
    target: 'openai:gpt-test',
    text: (text) => openai.enqueue({ text, usage: { prompt: 11, completion: 4 } }),
    toolCalls: (calls) => openai.enqueue({ toolCalls: calls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.input) })), interleave: true }),
    error: (status, message, headers) => openai.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    dieMidStream: () => openai.enqueue({ text: 'one two three four', dieAfterChunks: 3 }),
    lastBody: () => openai.requests.at(-1)?.json as Record<string, unknown>,
  }),
  () => ({
    name: 'anthropic',
    target: 'anthropic:claude-test',
    text: (text) => anthropic.enqueue({ text, usage: { input: 11, output: 4 } }),
    toolCalls: (calls) => anthropic.enqueue({ toolUses: calls }),
    error: (status, message, headers) => anthropic.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    dieMidStream: () => anthropic.enqueue({ text: 'one two three four', dieAfterEvents: 4 }),
    lastBody: () => anthropic.requests.at(-1)?.json as Record<string, unknown>,
  }),
];

const user = (content: string) => ({ role: 'user' as const, content });
const weather = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

describe.each(backends.map((make): [string, () => Backend] => [make().name, make]))('Anthropic SDK through Lynkr to the %s upstream', (_name, make) => {
  const backend = make();
  let kernel: Kernel;
  let url: string;
  let client: Anthropic;

  beforeAll(async () => {
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        'api-anthropic',
        ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-test', model: 'gpt-test' } }],
        ['provider-anthropic', { baseUrl: anthropic.url, apiKey: 'sk-ant-test' }],
        ['router-static', { target: backend.target }],
      ],
    });
    url = (await kernel.start()).url;
    client = new Anthropic({ baseURL: url, apiKey: 'dummy', maxRetries: 0 });
  });
  afterAll(async () => {
    await kernel.stop();
  });

  it('answers text, with Lynkr\'s headers', async () => {
    backend.text('Hello from upstream');
    const { data, response } = await client.messages.create({ model: 'claude-x', max_tokens: 50, messages: [user('hi')] }).withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from upstream' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage).toMatchObject({ input_tokens: 11, output_tokens: 4 });
    expect(response.headers.get('x-lynkr-provider')).toBe(backend.target.split(':')[0]);
    expect(response.headers.get('x-lynkr-model')).toBe(backend.target.split(':')[1]);
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));
    expect(Number(response.headers.get('x-lynkr-overhead-ms'))).toBeGreaterThanOrEqual(0);
  });

  it('streams text that the SDK accumulates', async () => {
    backend.text('Streaming works fine');
    const final = await client.messages.stream({ model: 'claude-x', max_tokens: 50, messages: [user('hi')] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Streaming works fine' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(4);
  });

  it('takes a request shaped like Claude Code\'s on ?beta=true', async () => {
    backend.text('ok');
    const params = {
      model: 'claude-x',
      max_tokens: 32000,
      betas: ['claude-code-20250219', 'context-management-2025-06-27'],
      system: [
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Project rules.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [user('first'), { role: 'system', content: 'The user switched to plan mode.' }, { role: 'user', content: [{ type: 'text', text: 'go', cache_control: { type: 'ephemeral' } }] }],
      tools: [weather],
      thinking: { type: 'adaptive' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'medium' },
      metadata: { user_id: JSON.stringify({ device_id: 'dev', session_id: 'sess' }) },
    };
    const final = await client.beta.messages.stream(params as never).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(JSON.stringify(backend.lastBody())).toContain('The user switched to plan mode.');
  });

  it('streams a tool call assembled from input_json_delta', async () => {
    backend.toolCalls([{ id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } }]);
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 50, tools: [weather], messages: [user('weather?')] });
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } }]);
    expect(partials.length).toBeGreaterThan(1);
  });

  it('keeps three parallel tool calls apart', async () => {
    const calls = ['Paris', 'Oslo', 'Lima'].map((city, i) => ({ id: `toolu_${i}`, name: 'get_weather', input: { city } }));
    backend.toolCalls(calls);
    const final = await client.messages.stream({ model: 'claude-x', max_tokens: 50, tools: [weather], messages: [user('three cities')] }).finalMessage();
    expect(final.content).toEqual(calls.map((c) => ({ type: 'tool_use', ...c })));
  });

  it('carries a tool_result round trip to the upstream', async () => {
    backend.text('It is sunny in Paris.');
    const final = await client.messages
      .stream({
        model: 'claude-x',
        max_tokens: 50,
        tools: [weather],
        messages: [
          user('weather in Paris?'),
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'sunny, 24C' }] },
        ],
      })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'It is sunny in Paris.' }]);
    expect(JSON.stringify(backend.lastBody())).toContain('sunny, 24C');
    expect(JSON.stringify(backend.lastBody())).toContain('toolu_9');
  });

  it('sends a stream whose raw SSE follows the grammar exactly', async () => {
    backend.toolCalls([
      { id: 'toolu_a', name: 'get_weather', input: { city: 'Rome' } },
      { id: 'toolu_b', name: 'get_weather', input: {} },
    ]);
    const res = await fetch(`${url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'dummy' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 50, stream: true, tools: [weather], messages: [user('go')] }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events: StreamEvent[] = [];
    for await (const frame of decodeSSE(res.body as AsyncIterable<Uint8Array>)) {
      const event = JSON.parse(frame.data) as StreamEvent;
      expect(frame.event).toBe(event.type);
      events.push(event);
    }
    expect(checkGrammar(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'content_block_start')).toHaveLength(2);
  });

  it('gives the SDK an error when the upstream stream breaks halfway', async () => {
    backend.dieMidStream();
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 50, messages: [user('hi')] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const error = await stream.finalMessage().then(
      () => undefined,
      (e: unknown) => e as InstanceType<typeof Anthropic.APIError>,
    );
    // The answer had begun (status 200, some text), so the failure came as the stream's error event.
    expect(texts.join('')).toMatch(/^one /);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error?.status).toBeUndefined();
    expect(error?.error).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('before the answer was complete') } });
  });

  describe('errors reach the SDK as its typed errors', () => {
    const attempt = (body: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
      client.messages.create({ model: 'claude-x', max_tokens: 50, messages: [user('hi')], ...body }).then(
        () => {
          throw new Error('expected an error');
        },
        (e: unknown) => e as InstanceType<typeof Anthropic.APIError>,
      );

    it('400 from validation, naming the field', async () => {
      const error = await attempt({ max_tokens: -1 });
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error.status).toBe(400);
      expect(error.message).toContain('max_tokens');
      expect(error.requestID).toMatch(/^req_/);
    });

    it('401 from the upstream', async () => {
      backend.error(401, 'invalid x-api-key');
      const error = await attempt();
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(error.message).toContain('invalid x-api-key');
    });

    it('429 from the upstream, with retry-after kept', async () => {
      backend.error(429, 'slow down', { 'retry-after': '12' });
      const error = await attempt();
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect(error.headers?.get('retry-after')).toBe('12');
      expect((error.error as { error?: { type?: string } }).error?.type).toBe('rate_limit_error');
    });

    it('500 from the upstream, as a server error of the gateway (502)', async () => {
      backend.error(500, 'upstream exploded');
      const error = await attempt();
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      expect(error.status).toBe(502);
      expect(error.message).toContain('upstream exploded');
    });

    it('529 from the upstream, as overloaded', async () => {
      backend.error(529, 'Overloaded');
      const error = await attempt();
      expect(error.status).toBe(529);
      expect((error.error as { error?: { type?: string } }).error?.type).toBe('overloaded_error');
    });

    it('the same statuses on a streaming request', async () => {
      backend.error(429, 'slow down', { 'retry-after': '3' });
      const error = await client.messages.stream({ model: 'claude-x', max_tokens: 50, messages: [user('hi')] }).finalMessage().then(
        () => undefined,
        (e: unknown) => e as InstanceType<typeof Anthropic.APIError>,
      );
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect(error?.headers?.get('retry-after')).toBe('3');
    });
  });
});

describe('Anthropic SDK side calls', () => {
  let kernel: Kernel;
  let client: Anthropic;
  beforeAll(async () => {
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        'api-anthropic',
        ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-test', model: 'gpt-test', models: ['gpt-other'] } }],
        ['provider-anthropic', { baseUrl: anthropic.url, apiKey: 'sk-ant-test' }],
        ['router-static', { target: 'openai:gpt-test' }],
      ],
    });
    client = new Anthropic({ baseURL: (await kernel.start()).url, apiKey: 'dummy', maxRetries: 0 });
  });
  afterAll(async () => {
    await kernel.stop();
  });

  it('counts tokens', async () => {
    const small = await client.messages.countTokens({ model: 'claude-x', messages: [user('Hello, world')] });
    const big = await client.messages.countTokens({ model: 'claude-x', tools: [weather], messages: [user('Hello, world. '.repeat(100))] });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(big.input_tokens).toBeGreaterThan(small.input_tokens + 300);
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-test', 'gpt-other']));
  });
});
