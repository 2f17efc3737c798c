import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { checkGrammar, collectMessage, MessageAccumulator } from '../../kernel/ir/stream.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { MessagesRequest, StreamEvent, ToolUseBlock } from '../../kernel/ir/types.js';
import { sendJson, startFakeOpenAI, streamFrames, type FakeOpenAI } from '../../test/fakes/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { exchange, failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { definePlugin } from '../../kernel/plugin/define.js';
import type { ProviderAdapter } from '../../kernel/providers/types.js';
import { openaiCompatibleProvider } from './index.js';

type ProviderOptions = Parameters<typeof openaiCompatibleProvider>[0];

let fake: FakeOpenAI;
let kernel: Kernel | undefined;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await fake.close();
});

/** A kernel with the plugin and one provider `up` on the fake, unless `options` say otherwise. */
async function boot(options: ProviderOptions = {}, provider = 'up', model: string | undefined = 'up-model'): Promise<Kernel> {
  const custom = [{ id: 'up', baseUrl: `${fake.url}/v1`, apiKey: 'sk-up', model: 'up-model' }];
  kernel = await testKernel({ plugins: [openaiCompatibleProvider({ custom, ...options }), routeTo(provider, model)] });
  return kernel;
}

const streaming = (text: string, extra: Partial<MessagesRequest> = {}) => userRequest(text, { stream: true, ...extra });

/** One Chat Completions stream frame. */
const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

describe('provider-openai-compatible: answers', () => {
  it('streams text, lazily and in the Anthropic grammar, from what it sent as a Chat request', async () => {
    await boot();
    fake.enqueue({ text: 'Hello big world', usage: { prompt: 12, completion: 3 } });
    const { events, headers, error } = await run(kernel!, streaming('hi', { max_tokens: 32_000, thinking: { type: 'enabled', budget_tokens: 1024 } }));
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'content_block_delta')).toHaveLength(3);
    expect(message(events)).toMatchObject({
      model: 'up-model',
      content: [{ type: 'text', text: 'Hello big world' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 0 },
    });
    expect(headers).toMatchObject({ 'upstream-request-id': 'req_fake1', 'x-lynkr-provider': 'up', 'x-lynkr-model': 'up-model' });

    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers).toMatchObject({ authorization: 'Bearer sk-up', accept: 'text/event-stream', 'content-type': 'application/json' });
    // max_tokens clamped to the default capabilities; thinking has no Chat form.
    expect(sent.json).toEqual({
      model: 'up-model',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8192,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('answers a non-streaming request from a non-streaming upstream call', async () => {
    await boot();
    fake.enqueue({ text: 'whole answer' });
    const { events } = await run(kernel!, userRequest('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'whole answer' }]);
    const sent = fake.requests[0]!;
    expect(sent.headers.accept).toBe('application/json');
    expect(sent.json).not.toHaveProperty('stream');
    expect(sent.json).not.toHaveProperty('stream_options');
  });

  it('yields events as bytes arrive, before the upstream has finished', async () => {
    await boot();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.enqueue({
      raw: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk({ role: 'assistant', content: '' }) + chunk({ content: 'one ' }));
        // The rest is held until the test has seen the first text: a provider that buffered would never get it.
        await gate;
        res.end(`${chunk({ content: 'two' })}${chunk({}, 'stop')}data: [DONE]\n\n`);
      },
    });
    const result = await kernel!.pipeline.handle(streaming('hi'), exchange(kernel!));
    const events: StreamEvent[] = [];
    for await (const ev of result.events) {
      events.push(ev);
      if (ev.type === 'content_block_delta') release();
    }
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'one two' }]);
  });

  it('maps three parallel tool calls, interleaved, with empty and missing arguments', async () => {
    await boot();
    fake.enqueue({
      text: 'Let me look.',
      toolCalls: [
        { id: 'call_a', name: 'read', arguments: '{"path":"a.ts","lines":[1,2]}' },
        { id: 'call_b', name: 'list', arguments: '' },
        { id: 'call_c', name: 'now', omitArguments: true },
      ],
      interleave: true,
    });
    const tools = [
      { name: 'read', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
      { name: 'list', input_schema: { type: 'object' } },
      { name: 'now', input_schema: { type: 'object' } },
    ];
    const { events } = await run(kernel!, streaming('go', { tools }));
    expect(checkGrammar(events)).toEqual([]);
    const answer = message(events);
    expect(answer.stop_reason).toBe('tool_use');
    expect(answer.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'call_a', name: 'read', input: { path: 'a.ts', lines: [1, 2] } },
      { type: 'tool_use', id: 'call_b', name: 'list', input: {} },
      { type: 'tool_use', id: 'call_c', name: 'now', input: {} },
    ]);
    // One block per call, each opened once.
    const starts = events.filter((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
    expect(starts.map((e) => ((e as { content_block: ToolUseBlock }).content_block).id)).toEqual(['call_a', 'call_b', 'call_c']);
    // Tools without properties go out with an empty properties object (LM Studio and llama.cpp reject them otherwise).
    expect((fake.requests[0]!.json as { tools: Array<{ function: { parameters: unknown } }> }).tools[1]!.function.parameters).toEqual({
      type: 'object',
      properties: {},
    });
  });

  it('maps tool calls of a non-streaming answer', async () => {
    await boot();
    fake.enqueue({ toolCalls: [{ id: 'call_1', name: 'now', omitArguments: true }, { id: 'call_2', name: 'read', arguments: '{"p":1}' }] });
    const { events } = await run(kernel!, userRequest('go'));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'now', input: {} },
        { type: 'tool_use', id: 'call_2', name: 'read', input: { p: 1 } },
      ],
    });
  });

  it.each([true, false])('moves cached prompt tokens to cache_read_input_tokens (stream: %s)', async (stream) => {
    await boot();
    fake.enqueue({ text: 'ok', usage: { prompt: 100, completion: 7, cached: 60 } });
    const { events } = await run(kernel!, userRequest('hi', { stream }));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).usage).toEqual({ input_tokens: 40, output_tokens: 7, cache_read_input_tokens: 60 });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['tool_calls', 'tool_use'],
  ])('maps finish_reason %s to %s, streamed and not', async (finishReason, stopReason) => {
    await boot();
    fake.enqueue({ text: 'x', finishReason }, { text: 'x', finishReason });
    for (const stream of [true, false]) {
      const { events } = await run(kernel!, userRequest('hi', { stream }));
      expect(checkGrammar(events)).toEqual([]);
      expect(message(events).stop_reason).toBe(stopReason);
    }
  });

  it('takes an answer as JSON when the server ignores stream: true', async () => {
    await boot();
    fake.enqueue({
      raw: (_req, res) =>
        sendJson(res, 200, {
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'json anyway' }, finish_reason: 'stop' }],
        }),
    });
    const { events } = await run(kernel!, streaming('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'json anyway' }]);
  });

  it('fails the stream with the upstream message when it carries an error object', async () => {
    await boot();
    fake.enqueue({
      raw: (_req, res, ctx) =>
        streamFrames(res, [chunk({ role: 'assistant', content: '' }), chunk({ content: 'par' }), `data: ${JSON.stringify({ error: { message: 'provider overloaded', code: 529 } })}\n\n`], {
          signal: ctx.signal,
        }),
    });
    const { events, error } = await run(kernel!, streaming('hi'));
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 529, message: 'upstream "up" answered 529: provider overloaded' });
    expect(message(events).content).toEqual([{ type: 'text', text: 'par' }]);
  });

  it('fails a stream that ends without [DONE] or a finish reason, instead of passing it for a whole answer', async () => {
    await boot();
    fake.enqueue({ raw: (_req, res, ctx) => streamFrames(res, [chunk({ content: 'half' })], { signal: ctx.signal }) });
    const { error } = await run(kernel!, streaming('hi'));
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', message: 'upstream "up" ended its stream before [DONE] or a finish reason' });
  });

  it('fails with PROTOCOL when a frame is not JSON', async () => {
    await boot();
    fake.enqueue({ raw: (_req, res, ctx) => streamFrames(res, [chunk({ role: 'assistant', content: 'a' }), 'data: {not json\n\n'], { signal: ctx.signal }) });
    const { error } = await run(kernel!, streaming('hi'));
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', message: 'upstream "up" sent data that is not JSON: {not json' });
  });

  it('fails the call itself, before any event, when the first frame is an error', async () => {
    await boot();
    const error = `data: ${JSON.stringify({ error: { message: 'Rate limit exceeded', code: 429 } })}\n\n`;
    fake.enqueue({ raw: (_req, res, ctx) => streamFrames(res, [error], { signal: ctx.signal }) });
    const err = await failure(run(kernel!, streaming('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, message: 'upstream "up" answered 429: Rate limit exceeded' });
  });
});

describe('provider-openai-compatible: presets', () => {
  it('sends no model and no key to llama.cpp and LM Studio unless configured', async () => {
    kernel = await testKernel({
      plugins: [
        openaiCompatibleProvider({ llamacpp: { baseUrl: `${fake.url}/v1` }, lmstudio: { baseUrl: `${fake.url}/v1`, apiKey: 'lm-key' } }),
        routeTo('llamacpp', 'some-model'),
      ],
    });
    fake.enqueue({ text: 'local' });
    const { events } = await run(kernel, streaming('hi'), { headers: { 'x-api-key': 'client-key', authorization: 'Bearer client-token' } });
    expect(checkGrammar(events)).toEqual([]);
    const sent = fake.requests[0]!;
    expect(sent.json).not.toHaveProperty('model');
    expect(sent.headers).not.toHaveProperty('authorization');
    expect(sent.headers).not.toHaveProperty('x-api-key');
  });

  it('posts to the Databricks serving endpoint named by the model, with the PAT', async () => {
    kernel = await testKernel({
      plugins: [openaiCompatibleProvider({ databricks: { baseUrl: `${fake.url}/`, apiKey: 'dapi123', model: 'databricks-claude-sonnet-4-5' } }), routeTo('databricks', undefined)],
    });
    fake.enqueue({ text: 'from databricks' }, { text: 'again' });
    // The route named no model: the entry's model is the endpoint.
    await run(kernel, userRequest('hi', { model: '' }));
    expect(fake.requests[0]).toMatchObject({ path: '/serving-endpoints/databricks-claude-sonnet-4-5/invocations', headers: { authorization: 'Bearer dapi123' } });
    await kernel.stop();

    kernel = await testKernel({
      plugins: [openaiCompatibleProvider({ databricks: { baseUrl: fake.url, apiKey: 'dapi123' } }), routeTo('databricks', 'my endpoint')],
    });
    await run(kernel, userRequest('hi'));
    expect(fake.requests[1]!.path).toBe('/serving-endpoints/my%20endpoint/invocations');
  });

  it('sends the OpenAI organization and OpenRouter attribution headers, and max_completion_tokens to OpenAI', async () => {
    kernel = await testKernel({
      plugins: [openaiCompatibleProvider({ openai: { baseUrl: `${fake.url}/v1`, apiKey: 'sk-openai', organization: 'org-1', model: 'gpt-4o' } }), routeTo('openai', 'gpt-4o')],
    });
    await run(kernel, userRequest('hi'));
    expect(fake.requests[0]!.headers).toMatchObject({ authorization: 'Bearer sk-openai', 'openai-organization': 'org-1' });
    expect(fake.requests[0]!.json).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 256 });
    expect(fake.requests[0]!.json).not.toHaveProperty('max_tokens');
    await kernel.stop();

    kernel = await testKernel({
      plugins: [
        openaiCompatibleProvider({ openrouter: { baseUrl: `${fake.url}/api/v1`, apiKey: 'sk-or', referer: 'https://example.test', headers: { 'X-Extra': 'yes', Authorization: 'Bearer override' } } }),
        routeTo('openrouter', 'openai/gpt-4o-mini'),
      ],
    });
    await run(kernel, userRequest('hi'));
    expect(fake.requests[1]).toMatchObject({
      path: '/api/v1/chat/completions',
      headers: { authorization: 'Bearer override', 'http-referer': 'https://example.test', 'x-title': 'Lynkr', 'x-extra': 'yes' },
      json: { model: 'openai/gpt-4o-mini', max_tokens: 256 },
    });
  });

  it('registers only the entries present, and lists their models and capabilities', async () => {
    let providers: ProviderAdapter[] = [];
    const peek = definePlugin({
      name: 'peek',
      version: '1.0.0',
      kernel: '^1',
      setup: (ctx) => ({ ready: () => void (providers = ctx.providers.list()) }),
    });
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        openaiCompatibleProvider({
          ollama: { model: 'qwen2.5-coder:7b', models: ['llama3.2', 'qwen2.5-coder:7b'], capabilities: { vision: true, maxOutputTokens: 4096 } },
          custom: [{ id: 'vllm-box', baseUrl: 'http://10.0.0.2:8000/v1' }],
        }),
        peek(),
      ],
    });
    await kernel.start();
    expect(providers.map((p) => [p.id, p.wire])).toEqual([
      ['ollama', 'openai-chat'],
      ['vllm-box', 'openai-chat'],
    ]);
    const [ollama, vllm] = providers as [ProviderAdapter, ProviderAdapter];
    expect(ollama.defaultModel).toBe('qwen2.5-coder:7b');
    expect(ollama.models?.()).toEqual([
      { id: 'qwen2.5-coder:7b', provider: 'ollama' },
      { id: 'llama3.2', provider: 'ollama' },
    ]);
    expect(ollama.capabilities?.('any')).toEqual({ tools: true, vision: true, thinking: false, maxOutputTokens: 4096, contextWindow: 128_000 });
    expect(vllm.models?.()).toEqual([]);
    expect(vllm.capabilities?.('any')).toEqual({ tools: true, vision: false, thinking: false, maxOutputTokens: 8192, contextWindow: 128_000 });
  });

  it('refuses to boot without the key a hosted preset needs, or without a Databricks workspace', async () => {
    let err = await failure(testKernel({ plugins: [openaiCompatibleProvider({ openai: {} })] }));
    expect(err.code).toBe('LYNKR_ERR_PLUGIN_OPTIONS');
    expect(err.message).toContain('provider "openai": apiKey is required');
    err = await failure(testKernel({ plugins: [openaiCompatibleProvider({ databricks: { apiKey: 'k' } as never })] }));
    expect(err.message).toContain('databricks: Missing required "baseUrl"');
  });

  it('refuses a base URL that is not a URL', async () => {
    const err = await failure(testKernel({ plugins: [openaiCompatibleProvider({ custom: [{ id: 'bad', baseUrl: 'not a url' }] })] }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
    expect(err.message).toContain('provider "bad": baseUrl + path "not a url/chat/completions" is not a URL');
  });

  it('collects a whole message from a stream the same way a non-stream client would', async () => {
    await boot();
    fake.enqueue({ text: 'same' });
    const result = await kernel!.pipeline.handle(streaming('hi'), exchange(kernel!));
    expect((await collectMessage(result.events)).content).toEqual([{ type: 'text', text: 'same' }]);
  });
});
