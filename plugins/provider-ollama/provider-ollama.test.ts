import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { once } from 'node:events';
import type http from 'node:http';
import { checkGrammar, definePlugin, LynkrError, MessageAccumulator, type MessagesRequest, type ProviderAdapter, type StreamEvent } from '../../kernel/index.js';
import type { Kernel } from '../../kernel/kernel.js';
import { anthropicStreamProblems, readStreamBody, sseJson } from '../../test/fakes/sse.js';
import { startFakeOllama, type FakeOllama } from '../../test/fakes/ollama.js';
import type { RawReply } from '../../test/fakes/server.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { errorEvent, exchange, failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { ollamaProvider } from './index.js';

type ProviderOptions = Parameters<typeof ollamaProvider>[0];

let fake: FakeOllama;
let kernel: Kernel | undefined;
beforeEach(async () => {
  fake = await startFakeOllama();
});
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await fake.close();
});

/** A kernel with the plugin on the fake, the route naming `model` (`''`: none, so the provider picks). */
async function boot(options: ProviderOptions = {}, model = ''): Promise<Kernel> {
  kernel = await testKernel({ plugins: [ollamaProvider({ baseUrl: fake.url, ...options }), routeTo('ollama', model)] });
  return kernel;
}

/** The same behind a real socket and the Anthropic API plugin, for the official SDK. */
async function bootHttp(options: ProviderOptions = {}): Promise<{ client: Anthropic; url: string }> {
  kernel = await testKernel({
    server: { port: 0 },
    plugins: ['api-anthropic', ollamaProvider({ baseUrl: fake.url, ...options }), ['router-static', { target: 'ollama' }]],
  });
  const { url } = await kernel.start();
  return { client: new Anthropic({ baseURL: url, apiKey: 'client-key', maxRetries: 0 }), url };
}

const streaming = (text: string, extra: Partial<MessagesRequest> = {}) => userRequest(text, { stream: true, ...extra });

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

const line = (message: object, done = false) => `${JSON.stringify({ model: 'm', created_at: '2025-01-01T00:00:00Z', message: { role: 'assistant', content: '', ...message }, done })}\n`;

describe('provider-ollama: the wire', () => {
  it('posts a streaming request to /api/chat with keep_alive, num_ctx and think, and streams the NDJSON answer back', async () => {
    await boot({ model: 'qwen3:8b', keepAlive: '300', numCtx: 16_384, think: true, requestOptions: { repeat_penalty: 1.1 } });
    fake.enqueue({ text: 'Hello big world', usage: { prompt: 12, eval: 3 } });
    const { events, error } = await run(kernel!, streaming('hi', { max_tokens: 32_000, temperature: 0.3, system: 'Be brief.' }));
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'content_block_delta')).toHaveLength(3);
    expect(message(events)).toMatchObject({
      model: 'qwen3:8b',
      content: [{ type: 'text', text: 'Hello big world' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 12, output_tokens: 3 },
    });

    const sent = fake.requests[0]!;
    expect(sent).toMatchObject({ method: 'POST', path: '/api/chat' });
    expect(sent.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/x-ndjson' });
    expect(sent.json).toEqual({
      model: 'qwen3:8b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      think: true,
      // A number string is seconds: Ollama would refuse "300" as a duration without a unit.
      keep_alive: 300,
      options: { repeat_penalty: 1.1, num_predict: 8192, num_ctx: 16_384, temperature: 0.3 },
    });
  });

  it('sends a duration keep_alive as it is, and no num_ctx, think or keep_alive unless configured', async () => {
    await boot({ keepAlive: '10m' });
    fake.enqueue({ text: 'a' }, { text: 'b' });
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]!.json).toMatchObject({ keep_alive: '10m' });
    await kernel!.stop();

    await boot();
    await run(kernel!, userRequest('hi'));
    const body = fake.requests[1]!.json as Record<string, unknown>;
    expect(body).toEqual({ model: 'qwen2.5-coder:7b', messages: [{ role: 'user', content: 'hi' }], stream: false, options: { num_predict: 256 } });
  });

  it('answers a non-streaming request from one JSON answer', async () => {
    await boot();
    fake.enqueue({ text: 'whole answer', toolCalls: [{ name: 'read', arguments: { path: 'a.ts' } }], usage: { prompt: 30, eval: 9 } });
    const { events } = await run(kernel!, userRequest('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({
      content: [
        { type: 'text', text: 'whole answer' },
        { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'read', input: { path: 'a.ts' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 30, output_tokens: 9 },
    });
    expect(fake.requests[0]!.headers.accept).toBe('application/json');
  });

  it('reads lines cut across writes and a last line without its newline, off a real socket', async () => {
    await boot();
    fake.enqueue({ text: 'split lines still parse', thinking: 'hidden', splitLines: 3, noFinalNewline: true, chunkDelayMs: 1 });
    const { events, error } = await run(kernel!, streaming('hi'));
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'split lines still parse' }]);
  });

  it('passes the thinking on as a thinking block with keepThinking', async () => {
    await boot({ keepThinking: true });
    fake.enqueue({ thinking: 'Let me think.', text: 'Done.' });
    const { events } = await run(kernel!, streaming('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it('maps tool calls sent all in one chunk, with Ollama\'s own ids when it gives them', async () => {
    await boot();
    fake.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_1' },
        { name: 'list_cities', arguments: {} },
      ],
      groupToolCalls: true,
    });
    const { events } = await run(kernel!, streaming('go'));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'list_cities', input: {} },
      ],
    });
  });

  it('sends an API key as a bearer token, and never the client\'s credentials', async () => {
    await boot({ apiKey: 'ollama-cloud-key', headers: { 'X-Team': 'a' } });
    await run(kernel!, userRequest('hi'), { headers: { 'x-api-key': 'sk-client-secret', authorization: 'Bearer client-secret' } });
    const sent = fake.requests[0]!.headers;
    expect(sent).toMatchObject({ authorization: 'Bearer ollama-cloud-key', 'x-team': 'a' });
    expect(JSON.stringify(sent)).not.toContain('client-secret');
  });
});

describe('provider-ollama: failures', () => {
  it('ends the client\'s stream with an error event when an {"error"} line comes mid-stream', async () => {
    const { url } = await bootHttp();
    fake.enqueue({ text: 'a few words here', errorAfterLines: { after: 2, message: 'an error was encountered while running the model: unexpected EOF' } });
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(streaming('hi')),
    });
    expect(res.status).toBe(200);
    const { text, error } = await readStreamBody(res);
    expect(error).toBeUndefined();
    expect(anthropicStreamProblems(text)).toEqual([]);
    const frames = sseJson(text) as Array<{ type: string; delta?: { text?: string }; error?: { type: string; message: string } }>;
    expect(frames.filter((f) => f.type === 'content_block_delta').map((f) => f.delta?.text)).toEqual(['a ', 'few ']);
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('an error was encountered while running the model: unexpected EOF') },
    });
  });

  it('fails the call with an HTTP error when the first line is an error', async () => {
    await boot();
    fake.enqueue({ text: 'never sent', errorAfterLines: { after: 0, message: 'model runner has unexpectedly stopped' } });
    const err = await failure(run(kernel!, streaming('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 502, message: 'upstream "ollama" answered 502: model runner has unexpectedly stopped' });
  });

  it('answers a model Ollama does not have with a 404 in Anthropic\'s format', async () => {
    await fake.close();
    fake = await startFakeOllama({ models: ['llama3.2:3b'] });
    const { client } = await bootHttp({ model: 'qwen2.5-coder:7b' });
    for (const stream of [false, true]) {
      const params = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
      const error = await (stream ? client.messages.stream(params).finalMessage() : client.messages.create(params)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.NotFoundError);
      const api = error as InstanceType<typeof Anthropic.APIError>;
      expect(api.status).toBe(404);
      expect(api.error).toMatchObject({
        type: 'error',
        error: { type: 'not_found_error', message: 'upstream "ollama" answered 404: model "qwen2.5-coder:7b" not found, try pulling it first' },
      });
    }
  });

  it.each([
    [400, 400],
    [500, 502],
    [503, 502],
  ])('maps an upstream %i to %i with Ollama\'s message', async (upstream, status) => {
    await boot();
    fake.enqueue({ status: upstream, error: `failed with ${upstream}` });
    const err = await failure(run(kernel!, streaming('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status, message: `upstream "ollama" answered ${upstream}: failed with ${upstream}` });
  });

  it.each([
    ['cut mid-way', { text: 'a few words here', dieAfterLines: 2 }, 'a few '],
    ['ended without the done line', { text: 'a few words here', omitDone: true }, 'a few words here'],
  ])('fails a stream %s as DISCONNECTED, after a well-formed start', async (_case, reply, received) => {
    await boot();
    fake.enqueue(reply);
    const { events, error } = await run(kernel!, streaming('hi'));
    expect(message(events).content).toEqual([{ type: 'text', text: received }]);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', status: 502 });
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });

  it('fails an error Ollama answers with a 200 to a non-streaming request', async () => {
    await boot();
    fake.enqueue({ raw: (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"model requires more system memory"}') });
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', message: 'upstream "ollama" answered 502: model requires more system memory' });
  });

  it('aborts the upstream request when the client goes away', async () => {
    await boot();
    let closed!: Promise<unknown>;
    const reply: RawReply = {
      raw: async (_req, res, ctx) => {
        closed = once(res as http.ServerResponse, 'close');
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(line({ content: 'one ' }) + line({ content: 'two' }));
        await once(ctx.signal, 'abort');
      },
    };
    fake.enqueue(reply);
    const abort = new AbortController();
    const result = await kernel!.pipeline.handle(streaming('hi'), exchange(kernel!, { signal: abort.signal }));
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
});

describe('provider-ollama: models and capabilities', () => {
  it('uses the route\'s model, a listed model the client names, the model map, then the default', async () => {
    await boot({ model: 'qwen2.5-coder:7b', models: ['llama3.2:3b'], modelMap: { opus: 'qwen3:32b' } });
    await run(kernel!, userRequest('hi', { model: 'claude-sonnet-4-5' }));
    await run(kernel!, userRequest('hi', { model: 'claude-opus-4-1' }));
    await run(kernel!, userRequest('hi', { model: 'llama3.2:3b' }));
    await kernel!.stop();
    await boot({}, 'mistral-nemo');
    await run(kernel!, userRequest('hi', { model: 'llama3.2:3b' }));
    expect(fake.requests.map((r) => (r.json as { model: string }).model)).toEqual(['qwen2.5-coder:7b', 'qwen3:32b', 'llama3.2:3b', 'mistral-nemo']);
  });

  it('lists its models and describes them: num_ctx as the context window, thinking with think, per-model overrides', async () => {
    let providers: ProviderAdapter[] = [];
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (providers = ctx.providers.list()) }) });
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        ollamaProvider({
          baseUrl: `${fake.url}/v1/`,
          models: ['llava:13b', 'qwen2.5-coder:7b'],
          numCtx: 65_536,
          think: 'low',
          capabilities: { maxOutputTokens: 4096 },
          modelCapabilities: { 'llava:13b': { vision: true, tools: false } },
        }),
        peek(),
      ],
    });
    await kernel.start();
    const [ollama] = providers as [ProviderAdapter];
    expect([ollama.id, ollama.wire, ollama.defaultModel]).toEqual(['ollama', 'ollama', 'qwen2.5-coder:7b']);
    expect(ollama.models?.()).toEqual([
      { id: 'qwen2.5-coder:7b', provider: 'ollama' },
      { id: 'llava:13b', provider: 'ollama' },
    ]);
    expect(ollama.capabilities?.('qwen2.5-coder:7b')).toEqual({ tools: true, vision: false, thinking: true, maxOutputTokens: 4096, contextWindow: 65_536 });
    expect(ollama.capabilities?.('llava:13b')).toEqual({ tools: false, vision: true, thinking: true, maxOutputTokens: 4096, contextWindow: 65_536 });
  });

  it('assumes a 32k context and no thinking without numCtx or think, and clamps max_tokens to maxOutputTokens', async () => {
    let providers: ProviderAdapter[] = [];
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (providers = ctx.providers.list()) }) });
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [ollamaProvider({ baseUrl: `${fake.url}/api/chat`, capabilities: { maxOutputTokens: 2048 } }), routeTo('ollama', ''), peek()],
    });
    await kernel.start();
    expect(providers[0]!.capabilities?.('any')).toEqual({ tools: true, vision: false, thinking: false, maxOutputTokens: 2048, contextWindow: 32_768 });
    await run(kernel, userRequest('hi', { max_tokens: 32_000 }));
    expect(fake.requests[0]).toMatchObject({ path: '/api/chat', json: { options: { num_predict: 2048 } } });
  });

  it('refuses a base URL that is not a URL', async () => {
    const err = await failure(testKernel({ plugins: [ollamaProvider({ baseUrl: 'not a url' })] }));
    expect(err.code).toBe('LYNKR_ERR_PLUGIN_OPTIONS');
    expect(err.message).toContain('provider "ollama": baseUrl "not a url" is not a URL');
  });
});
