/**
 * The official OpenAI SDK against a real Lynkr on a socket: api-openai in
 * front, both provider plugins behind it, the fake upstreams behind those.
 * Each scenario runs once per upstream wire format: an answer translated
 * from Anthropic events must read exactly like one from an OpenAI upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { ParsedResponseFunctionToolCall, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { decodeSSE, type Kernel } from '../../kernel/index.js';
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
  /** The headers the upstream received last. */
  lastHeaders(): Record<string, unknown>;
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
    text: (text) => openai.enqueue({ text, usage: { prompt: 11, completion: 4, cached: 6 } }),
    toolCalls: (calls) => openai.enqueue({ toolCalls: calls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.input) })), interleave: true }),
    error: (status, message, headers) => openai.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    dieMidStream: () => openai.enqueue({ text: 'one two three four', dieAfterChunks: 3 }),
    lastBody: () => openai.requests.at(-1)?.json as Record<string, unknown>,
    lastHeaders: () => openai.requests.at(-1)?.headers as Record<string, unknown>,
  }),
  () => ({
    name: 'anthropic',
    target: 'anthropic:claude-test',
    text: (text) => anthropic.enqueue({ text, usage: { input: 5, output: 4, cacheRead: 6 } }),
    toolCalls: (calls) => anthropic.enqueue({ toolUses: calls }),
    error: (status, message, headers) => anthropic.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    dieMidStream: () => anthropic.enqueue({ text: 'one two three four', dieAfterEvents: 4 }),
    lastBody: () => anthropic.requests.at(-1)?.json as Record<string, unknown>,
    lastHeaders: () => anthropic.requests.at(-1)?.headers as Record<string, unknown>,
  }),
];

const weatherChat: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};
const twoCities = [
  { id: 'call_paris', name: 'get_weather', input: { city: 'Paris' } },
  { id: 'call_oslo', name: 'get_weather', input: { city: 'Oslo' } },
];

type APIError = InstanceType<typeof OpenAI.APIError>;
const failure = (promise: Promise<unknown>): Promise<APIError> =>
  promise.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => e as APIError,
  );

/** The messages (Anthropic) or the non-system messages (OpenAI) the upstream last received, as JSON text. */
const sent = (backend: Backend): string => JSON.stringify(backend.lastBody());

describe.each(backends.map((make): [string, () => Backend] => [make().name, make]))('OpenAI SDK through Lynkr to the %s upstream', (_name, make) => {
  const backend = make();
  let kernel: Kernel;
  let url: string;
  let client: OpenAI;

  beforeAll(async () => {
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        'api-openai',
        ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-test', model: 'gpt-test' } }],
        ['provider-anthropic', { baseUrl: anthropic.url, apiKey: 'sk-ant-test' }],
        ['router-static', { target: backend.target }],
      ],
    });
    url = (await kernel.start()).url;
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key-never-forwarded', maxRetries: 0 });
  });
  afterAll(async () => {
    await kernel.stop();
  });

  describe('chat completions', () => {
    it('answers text with usage and Lynkr\'s headers, and keeps the client\'s key to itself', async () => {
      backend.text('Hello from upstream');
      const { data, response } = await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hello from upstream' });
      expect(data.choices[0]?.finish_reason).toBe('stop');
      expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15, prompt_tokens_details: { cached_tokens: 6 } });
      expect(response.headers.get('x-lynkr-provider')).toBe(backend.target.split(':')[0]);
      expect(response.headers.get('x-lynkr-model')).toBe(backend.target.split(':')[1]);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(Number(response.headers.get('x-lynkr-overhead-ms'))).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(backend.lastHeaders())).not.toContain('client-key-never-forwarded');
    });

    it('round-trips parallel tool calls, without streaming', async () => {
      backend.toolCalls(twoCities);
      const first = await client.chat.completions.create({ model: 'gpt-x', tools: [weatherChat], messages: [{ role: 'user', content: 'Paris and Oslo?' }] });
      const message = first.choices[0]!.message;
      expect(first.choices[0]?.finish_reason).toBe('tool_calls');
      expect(message.tool_calls).toEqual(
        twoCities.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } })),
      );

      backend.text('Sunny and snowy.');
      const second = await client.chat.completions.create({
        model: 'gpt-x',
        tools: [weatherChat],
        messages: [
          { role: 'user', content: 'Paris and Oslo?' },
          message,
          { role: 'tool', tool_call_id: 'call_paris', content: 'sunny' },
          { role: 'tool', tool_call_id: 'call_oslo', content: 'snowy' },
        ],
      });
      expect(second.choices[0]?.message.content).toBe('Sunny and snowy.');
      expect(sent(backend)).toContain('call_paris');
      expect(sent(backend)).toContain('snowy');
    });

    it('streams parallel tool calls that the SDK assembles, with the usage chunk', async () => {
      backend.toolCalls(twoCities);
      const stream = client.chat.completions.stream({
        model: 'gpt-x',
        tools: [weatherChat],
        messages: [{ role: 'user', content: 'Paris and Oslo?' }],
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      stream.on('chunk', (chunk) => chunks.push(chunk));
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]?.finish_reason).toBe('tool_calls');
      expect(final.choices[0]?.message.tool_calls?.map((c) => [c.id, c.type === 'function' && c.function.name, c.type === 'function' && JSON.parse(c.function.arguments)])).toEqual(
        twoCities.map((c) => [c.id, c.name, c.input]),
      );
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
      // id and name only in a call's first chunk.
      const pieces = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(pieces.filter((p) => p.id).map((p) => p.index)).toEqual([0, 1]);
    });

    it('streams text, ending with [DONE]', async () => {
      backend.text('Streaming works fine');
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const frames: string[] = [];
      for await (const frame of decodeSSE(res.body as AsyncIterable<Uint8Array>)) frames.push(frame.data);
      expect(frames.at(-1)).toBe('[DONE]');
      const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as OpenAI.ChatCompletionChunk);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Streaming works fine');
      expect(chunks.some((c) => c.usage)).toBe(false);
    });

    it('ends a stream the upstream cut with an error the SDK throws', async () => {
      backend.dieMidStream();
      const stream = client.chat.completions.stream({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
      const error = await failure(stream.finalChatCompletion());
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.message).toMatch(/before|closed/);
    });

    it('takes images and max_completion_tokens', async () => {
      backend.text('A cat.');
      const out = await client.chat.completions.create({
        model: 'gpt-x',
        max_completion_tokens: 77,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
      });
      expect(out.choices[0]?.message.content).toBe('A cat.');
      expect(sent(backend)).toContain('iVBORw0KGgo=');
      expect(sent(backend)).toContain('77');
    });
  });

  describe('responses', () => {
    it('answers text as a Response object', async () => {
      backend.text('Hello from upstream');
      const res = await client.responses.create({ model: 'gpt-x', input: 'hi', instructions: 'Be brief.', store: false });
      expect(res).toMatchObject({ object: 'response', status: 'completed', instructions: 'Be brief.', store: false });
      expect(res.id).toMatch(/^resp_/);
      expect(res.output_text).toBe('Hello from upstream');
      expect(res.usage).toMatchObject({ input_tokens: 11, output_tokens: 4, total_tokens: 15, input_tokens_details: { cached_tokens: 6 } });
      expect(sent(backend)).toContain('Be brief.');
    });

    it('streams a function call round trip that the SDK assembles', async () => {
      backend.toolCalls(twoCities);
      const stream = client.responses.stream({ model: 'gpt-x', tools: [weatherTool], input: 'Paris and Oslo?', store: false });
      const events: ResponseStreamEvent[] = [];
      stream.on('event', (ev) => events.push(ev));
      const first = await stream.finalResponse();
      const calls = first.output.filter((i): i is ParsedResponseFunctionToolCall => i.type === 'function_call');
      expect(calls.map((c) => [c.call_id, c.name, JSON.parse(c.arguments)])).toEqual(twoCities.map((c) => [c.id, c.name, c.input]));
      expect(new Set(calls.map((c) => c.id)).size).toBe(2);
      const seq = events.map((e) => e.sequence_number);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
      expect(new Set(seq).size).toBe(seq.length);
      expect(events[0]?.type).toBe('response.created');
      expect(events.at(-1)?.type).toBe('response.completed');

      backend.text('Sunny and snowy.');
      const input: ResponseInputItem[] = [
        { role: 'user', content: 'Paris and Oslo?' },
        ...calls.map((c) => ({ type: 'function_call' as const, id: c.id, call_id: c.call_id, name: c.name, arguments: c.arguments })),
        { type: 'function_call_output', call_id: 'call_paris', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_oslo', output: 'snowy' },
      ];
      const second = await client.responses.stream({ model: 'gpt-x', tools: [weatherTool], input, store: false }).finalResponse();
      expect(second.output_text).toBe('Sunny and snowy.');
      expect(sent(backend)).toContain('call_oslo');
      expect(sent(backend)).toContain('snowy');
    });

    it('continues a stored response with previous_response_id', async () => {
      backend.text('My name is Lynkr.');
      const first = await client.responses.create({ model: 'gpt-x', input: 'what is your name?' });
      expect((first as unknown as { store: boolean }).store).toBe(true);
      backend.text('I said: Lynkr.');
      const second = await client.responses.create({ model: 'gpt-x', input: 'say it again', previous_response_id: first.id });
      expect(second.previous_response_id).toBe(first.id);
      expect(second.output_text).toBe('I said: Lynkr.');
      const body = sent(backend);
      expect(body).toContain('what is your name?');
      expect(body).toContain('My name is Lynkr.');
      expect(body).toContain('say it again');

      // A streamed response is stored before its last event, so a continuation sent at once finds it.
      backend.text('Third.');
      const third = await client.responses.stream({ model: 'gpt-x', input: 'and?', previous_response_id: second.id }).finalResponse();
      backend.text('Fourth.');
      await client.responses.create({ model: 'gpt-x', input: 'last', previous_response_id: third.id });
      expect(sent(backend)).toContain('I said: Lynkr.');
      expect(sent(backend)).toContain('Third.');
    });

    it('refuses an unknown previous_response_id, naming it', async () => {
      const error = await failure(client.responses.create({ model: 'gpt-x', input: 'x', previous_response_id: 'resp_nope' }));
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe('previous_response_id');
    });

    it('ends a stream the upstream cut with response.failed', async () => {
      backend.dieMidStream();
      const stream = client.responses.stream({ model: 'gpt-x', input: 'hi', store: false });
      const final = await stream.finalResponse();
      expect(final.status).toBe('failed');
      expect(final.error?.message).toMatch(/before|closed/);
    });
  });

  describe('errors reach the SDK as its typed errors, in OpenAI\'s error JSON', () => {
    const chat = (body: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
      failure(client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }], ...body }));
    const responses = () => failure(client.responses.create({ model: 'gpt-x', input: 'hi', store: false }));

    it('400 from validation, with a clear message and param', async () => {
      const error = await chat({ messages: [{ role: 'robot', content: 'x' }] as never });
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe('messages[0].role');
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toContain("'messages[0].role'");
      const items = await failure(client.responses.create({ model: 'gpt-x', input: [{ type: 'teleport' }] as never }));
      expect(items.param).toBe('input[0].type');
    });

    it('n=2 refused', async () => {
      const error = await chat({ n: 2 });
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe('n');
      expect(error.message).toContain('n = 1');
    });

    it('401 from the upstream', async () => {
      backend.error(401, 'invalid api key');
      const error = await chat();
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.message).toContain('invalid api key');
      backend.error(401, 'invalid api key');
      expect(await responses()).toBeInstanceOf(OpenAI.AuthenticationError);
    });

    it('429 from the upstream, with retry-after kept', async () => {
      backend.error(429, 'slow down', { 'retry-after': '12' });
      const error = await chat();
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.headers?.get('retry-after')).toBe('12');
      backend.error(429, 'slow down', { 'retry-after': '7' });
      const streamed = await failure(client.responses.stream({ model: 'gpt-x', input: 'hi', store: false }).finalResponse());
      expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
      expect(streamed.headers?.get('retry-after')).toBe('7');
    });

    it('500 from the upstream, as a server error of the gateway (502)', async () => {
      backend.error(500, 'upstream exploded');
      const error = await chat({ stream: false });
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error.status).toBe(502);
      expect(error.message).toContain('upstream exploded');
      expect(error.type).toBe('server_error');
    });
  });
});

describe('OpenAI front door details', () => {
  let kernel: Kernel;
  let url: string;
  let client: OpenAI;
  beforeAll(async () => {
    kernel = await testKernel({
      server: { port: 0 },
      keys: ['lynkr-key-0001'],
      plugins: [
        'api-openai',
        ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-test', model: 'gpt-test' } }],
        ['provider-anthropic', { baseUrl: anthropic.url, apiKey: 'sk-ant-test' }],
        ['router-static', { target: 'anthropic:claude-test' }],
      ],
    });
    url = (await kernel.start()).url;
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'lynkr-key-0001', maxRetries: 0 });
  });
  afterAll(async () => {
    await kernel.stop();
  });

  const post = (path: string, body: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer lynkr-key-0001', 'content-type': 'application/json', ...headers },
      ...(body !== undefined && { body }),
    });

  it('takes the Lynkr key as Authorization: Bearer, refuses others in OpenAI\'s error JSON, and never forwards it', async () => {
    anthropic.enqueue({ text: 'ok' });
    await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(JSON.stringify(anthropic.requests.at(-1)?.headers)).not.toContain('lynkr-key-0001');
    const res = await post('/v1/responses', JSON.stringify({ model: 'm', input: 'x' }), { authorization: 'Bearer wrong-key-123' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'LYNKR_ERR_AUTH_INVALID_KEY' } });
  });

  it.each([
    ['/v1/chat/completions', undefined, ''],
    ['/v1/chat/completions', '', ''],
    ['/v1/chat/completions', '{"model":', ''],
    ['/v1/chat/completions', '[1,2]', ''],
    ['/v1/chat/completions', '{"messages":[{"role":"user","content":"x"}]}', 'model'],
    ['/v1/chat/completions', '{"model":"m","messages":[]}', 'messages'],
    ['/v1/chat/completions', '{"model":"m","messages":"hi"}', 'messages'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":5}]}', 'messages[0].content'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user"}]}', 'messages[0].content'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"tool","content":"x"}]}', 'messages[0].tool_call_id'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}', 'messages[0].content[0].image_url.url'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":"9"}', 'max_tokens'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":9}', 'temperature'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":"x"}],"stop":5}', 'stop'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]}]}', 'messages[0].content[0].type'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]}', 'tools[0].function'],
    ['/v1/chat/completions', '{"model":"m","messages":[{"role":"user","content":"x"}],"n":2}', 'n'],
    ['/v1/responses', undefined, ''],
    ['/v1/responses', '{}', 'model'],
    ['/v1/responses', '{"model":"m"}', 'input'],
    ['/v1/responses', '{"model":"m","input":[]}', 'input'],
    ['/v1/responses', '{"model":"m","input":42}', 'input'],
    ['/v1/responses', '{"model":"m","input":[{"type":"mystery"}]}', 'input[0].type'],
    ['/v1/responses', '{"model":"m","input":[null]}', 'input[0]'],
    ['/v1/responses', '{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]}', 'input[0].content[0].image_url'],
    ['/v1/responses', '{"model":"m","input":"x","tools":[{"type":"function"}]}', 'tools[0].name'],
    ['/v1/responses', '{"model":"m","input":"x","reasoning":{"effort":"extreme"}}', 'reasoning.effort'],
    ['/v1/responses', '{"model":"m","input":"x","conversation":"conv_1"}', 'conversation'],
    ['/v1/responses', '{"model":"m","input":"x","background":true}', 'background'],
  ])('%s with %s: 400 in OpenAI\'s error JSON (param %j)', async (path, body, param) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(json)).toEqual(['error']);
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', code: 'LYNKR_ERR_REQUEST_INVALID' });
    expect(json.error.param ?? '').toBe(param);
    expect(json.error.message).toEqual(expect.any(String));
  });

  it('refuses response_format for an Anthropic upstream, naming the parameter', async () => {
    const error = await failure(
      client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('response_format');
    expect(error.message).toContain('not supported by provider "anthropic"');
    const text = await failure(client.responses.create({ model: 'gpt-x', input: 'hi', text: { format: { type: 'json_object' } } }));
    expect(text.param).toBe('text.format');
  });

  it('fits a Codex-shaped request to an Anthropic upstream: namespace tools flattened and mapped back, web_search dropped, effort as thinking', async () => {
    anthropic.enqueue({ toolUses: [{ id: 'toolu_1', name: 'multi_agent_v1__spawn_agent', input: { task: 'x' } }, { id: 'toolu_2', name: 'exec_command', input: { cmd: 'ls' } }] });
    const res = await client.responses.create({
      model: 'gpt-5-codex',
      stream: false,
      store: false,
      parallel_tool_calls: true,
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
      ],
      tools: [
        { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
        { type: 'namespace', name: 'multi_agent_v1', description: 'Agents.', tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: { task: { type: 'string' } } } }] },
        { type: 'web_search', external_web_access: true },
      ] as never,
    });
    const upstream = anthropic.requests.at(-1)?.json as { tools: Array<{ name: string }>; thinking?: unknown; system?: unknown };
    expect(upstream.tools.map((t) => t.name)).toEqual(['exec_command', 'multi_agent_v1__spawn_agent']);
    expect(upstream.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(JSON.stringify(upstream)).not.toContain('reasoning_effort');
    expect(JSON.stringify(upstream.system)).toContain('You are Codex.');
    expect(res.output).toEqual([
      expect.objectContaining({ type: 'function_call', call_id: 'toolu_1', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"task":"x"}' }),
      expect.objectContaining({ type: 'function_call', call_id: 'toolu_2', name: 'exec_command', arguments: '{"cmd":"ls"}' }),
    ]);
  });

  it('carries Claude\'s signed thinking through Codex\'s reasoning items and back to Claude, byte for byte', async () => {
    anthropic.enqueue({ thinking: { text: 'Let me think.', signature: 'sig+/=abc' }, toolUses: [{ id: 'toolu_t', name: 'exec_command', input: {} }] });
    const tools = [{ type: 'function' as const, name: 'exec_command', parameters: { type: 'object', properties: {} }, strict: false }];
    const first = await client.responses
      .stream({ model: 'm', store: false, include: ['reasoning.encrypted_content'], reasoning: { effort: 'low' }, input: 'go', tools })
      .finalResponse();
    const reasoning = first.output.find((i) => i.type === 'reasoning');
    expect(reasoning).toMatchObject({ summary: [{ type: 'summary_text', text: 'Let me think.' }], encrypted_content: expect.stringMatching(/^lynkr\.reasoning\.1\./) });
    anthropic.enqueue({ text: 'Done.' });
    await client.responses.create({
      model: 'm',
      store: false,
      reasoning: { effort: 'low' },
      tools,
      input: [{ role: 'user', content: 'go' }, ...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: 'toolu_t', output: 'ok' }],
    });
    const upstream = anthropic.requests.at(-1)?.json as { messages: Array<{ role: string; content: unknown }>; thinking?: unknown };
    expect(upstream.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig+/=abc' },
        { type: 'tool_use', id: 'toolu_t', name: 'exec_command', input: {} },
      ],
    });
    expect(upstream.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });
});
