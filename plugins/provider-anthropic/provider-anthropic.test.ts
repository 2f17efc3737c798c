import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { checkGrammar, MessageAccumulator } from '../../kernel/ir/stream.js';
import type { Kernel } from '../../kernel/kernel.js';
import { definePlugin, type PluginInstance } from '../../kernel/plugin/define.js';
import type { ProviderAdapter } from '../../kernel/providers/types.js';
import type { MessagesRequest, StreamEvent } from '../../kernel/ir/types.js';
import { sendJson, sseFrame, startFakeAnthropic, streamFrames, type FakeAnthropic } from '../../test/fakes/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { anthropicProvider } from './index.js';

type ProviderOptions = Parameters<typeof anthropicProvider>[0];

let fake: FakeAnthropic;
let kernel: Kernel | undefined;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await fake.close();
});

/** A kernel with the plugin on the fake and a route to it, with `model` (null: the route names none). */
async function boot(options: ProviderOptions = {}, model: string | null = 'claude-upstream', ...more: PluginInstance[]): Promise<Kernel> {
  kernel = await testKernel({
    // Port 0: a test that starts the kernel must not need a fixed free port.
    server: { port: 0 },
    plugins: [anthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-upstream', ...options }), routeTo(options.id ?? 'anthropic', model ?? undefined), ...more],
  });
  return kernel;
}

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

/** A conversation as Claude Code sends it: signed thinking, cache_control, a mid-conversation system message, fields Lynkr does not know. */
const conversation = (): MessagesRequest => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 32_000,
  stream: true,
  system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'list files', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'The user wants ls.\n', signature: 'EqQBCkYIBxgCKkDk+/==\u00e9sig\\"quoted"' },
        { type: 'redacted_thinking', data: 'opaque+/=' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.ts\nb.ts' }] },
    { role: 'system', content: 'Mid-conversation reminder.' },
  ],
  thinking: { type: 'adaptive' },
  context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
  output_config: { effort: 'high' },
  metadata: { user_id: '{"device":"x","session":"y"}' },
  tools: [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }],
  future_field: { anything: [1, 'two', null] },
});

describe('provider-anthropic: passthrough', () => {
  it('sends the request as the client sent it, with only model and stream set', async () => {
    await boot();
    const request = conversation();
    await run(kernel!, request);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.body).toBe(JSON.stringify({ ...request, model: 'claude-upstream', stream: true }));
    // The signature, escapes and all, byte for byte.
    expect(sent.body).toContain(JSON.stringify('EqQBCkYIBxgCKkDk+/==\u00e9sig\\"quoted"'));
    expect(sent.json).toMatchObject({ context_management: request.context_management, future_field: request.future_field });
  });

  it('sends its own key, the client\'s anthropic-version and anthropic-beta, and none of the client\'s credentials', async () => {
    await boot({ headers: { 'anthropic-beta': 'configured-beta' } });
    await run(kernel!, userRequest('hi', { stream: true }), {
      headers: {
        'x-api-key': 'sk-ant-client',
        authorization: 'Bearer client-oauth',
        'anthropic-version': '2023-01-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14,context-management-2025-06-27',
        cookie: 'session=1',
      },
    });
    const headers = fake.requests[0]!.headers;
    expect(headers).toMatchObject({
      'x-api-key': 'sk-ant-upstream',
      'anthropic-version': '2023-01-01',
      'anthropic-beta': 'configured-beta,interleaved-thinking-2025-05-14,context-management-2025-06-27',
      accept: 'text/event-stream',
    });
    expect(headers).not.toHaveProperty('authorization');
    expect(headers).not.toHaveProperty('cookie');
  });

  it('sends the configured anthropic-version when the client sends none', async () => {
    await boot({ anthropicVersion: '2099-01-01' });
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]!.headers['anthropic-version']).toBe('2099-01-01');
    expect(fake.requests[0]!.headers).not.toHaveProperty('anthropic-beta');
  });

  it('clamps max_tokens only to a configured limit', async () => {
    await boot({ capabilities: { maxOutputTokens: 8192 } });
    await run(kernel!, userRequest('hi', { max_tokens: 32_000 }));
    await run(kernel!, userRequest('hi', { max_tokens: 100 }));
    expect(fake.requests.map((r) => (r.json as MessagesRequest).max_tokens)).toEqual([8192, 100]);
    await kernel!.stop();
    await boot();
    await run(kernel!, userRequest('hi', { max_tokens: 64_000 }));
    expect((fake.requests[2]!.json as MessagesRequest).max_tokens).toBe(64_000);
  });
});

describe('provider-anthropic: answers', () => {
  it('yields the upstream\'s events as they are, pings and a signed thinking block included', async () => {
    await boot();
    fake.enqueue({
      thinking: { text: 'Let me think.', signature: 'sig/+=\u00e9"end' },
      text: 'Done.',
      usage: { input: 20, output: 9, cacheRead: 100, cacheCreation: 5 },
    });
    const { events, headers, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(events.map((e) => e.type)).toContain('ping');
    const answer = message(events);
    expect(answer.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig/+=\u00e9"end' },
      { type: 'text', text: 'Done.' },
    ]);
    expect(answer.usage).toEqual({ input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 });
    expect(headers['upstream-request-id']).toBe('req_fake1');
  });

  it('streams tool calls as the upstream sends them', async () => {
    await boot();
    fake.enqueue({ text: 'Running.', toolUses: [{ id: 'toolu_a', name: 'Bash', input: { command: 'ls -la' } }, { id: 'toolu_b', name: 'Now', input: {} }] });
    const { events } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Running.' },
        { type: 'tool_use', id: 'toolu_a', name: 'Bash', input: { command: 'ls -la' } },
        { type: 'tool_use', id: 'toolu_b', name: 'Now', input: {} },
      ],
    });
  });

  it.each(['end_turn', 'max_tokens', 'stop_sequence', 'pause_turn', 'refusal'] as const)('keeps the stop reason %s', async (stopReason) => {
    await boot();
    fake.enqueue({ text: 'x', stopReason, ...(stopReason === 'stop_sequence' && { stopSequence: 'END' }) });
    const { events } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).stop_reason).toBe(stopReason);
  });

  it('answers a non-streaming request from the upstream\'s JSON message', async () => {
    await boot();
    fake.enqueue({ thinking: { text: 'hm', signature: 'sig' }, text: 'whole', usage: { input: 3, output: 2, cacheRead: 1 } });
    const { events } = await run(kernel!, userRequest('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(fake.requests[0]!.json).toMatchObject({ stream: false });
    expect(fake.requests[0]!.headers.accept).toBe('application/json');
    expect(message(events)).toMatchObject({
      id: 'msg_fake1',
      model: 'claude-upstream',
      content: [
        { type: 'thinking', thinking: 'hm', signature: 'sig' },
        { type: 'text', text: 'whole' },
      ],
      usage: { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 1 },
    });
  });

  it('yields an error event from the upstream as it is, and ends there', async () => {
    await boot();
    fake.enqueue({ text: 'partial answer', midStreamError: { type: 'overloaded_error', message: 'Overloaded' } });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('fails the call itself, with the status of its type, when the stream begins with an error', async () => {
    await boot();
    const error: StreamEvent = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    fake.enqueue({ raw: (_req, res, ctx) => streamFrames(res, [sseFrame(error)], { signal: ctx.signal }) });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 529, message: 'upstream "anthropic" answered 529: Overloaded', detail: { upstreamType: 'overloaded_error' } });
  });

  it('fails a stream that ends before message_stop', async () => {
    await boot();
    const start = { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } } as StreamEvent;
    fake.enqueue({ raw: (_req, res, ctx) => streamFrames(res, [sseFrame(start)], { signal: ctx.signal }) });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', message: 'upstream "anthropic" ended its stream before message_stop' });
  });

  it('takes a JSON message when the upstream ignores stream: true, and refuses what is not a message', async () => {
    await boot();
    const msg = { id: 'msg_j', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'json' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
    fake.enqueue({ raw: (_req, res) => sendJson(res, 200, msg) }, { raw: (_req, res) => sendJson(res, 200, { hello: 'world' }) });
    const { events } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'json' }]);
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', message: 'upstream "anthropic" answered something that is not a message' });
  });
});

describe('provider-anthropic: options', () => {
  it('registers under its id, with its models and Claude capabilities', async () => {
    let adapter: ProviderAdapter | undefined;
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (adapter = ctx.providers.get('azure-anthropic')) }) });
    await boot({ id: 'azure-anthropic', baseUrl: `${fake.url}/anthropic`, model: 'claude-opus-4-1', models: ['claude-haiku-4-5'] }, null, peek());
    await kernel!.start();
    expect(adapter).toMatchObject({ id: 'azure-anthropic', wire: 'anthropic', defaultModel: 'claude-opus-4-1' });
    expect(adapter!.models?.()).toEqual([
      { id: 'claude-opus-4-1', provider: 'azure-anthropic' },
      { id: 'claude-haiku-4-5', provider: 'azure-anthropic' },
    ]);
    expect(adapter!.capabilities?.('any')).toEqual({ tools: true, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 });
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]!.path).toBe('/anthropic/v1/messages');
    // The route named no model, so the client's stays.
    expect((fake.requests[0]!.json as MessagesRequest).model).toBe('client-model');
  });

  it('takes a full endpoint as baseUrl with an empty path', async () => {
    await boot({ baseUrl: `${fake.url}/v1/messages`, path: '' });
    await run(kernel!, userRequest('hi'));
    expect(fake.requests[0]!.path).toBe('/v1/messages');
  });

  it('refuses a base URL that is not a URL', async () => {
    const err = await failure(testKernel({ plugins: [anthropicProvider({ baseUrl: 'nope' })] }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
    expect(err.message).toContain('provider "anthropic": baseUrl + path "nope/v1/messages" is not a URL');
  });
});
