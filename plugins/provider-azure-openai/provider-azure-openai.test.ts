import { afterEach, describe, expect, it } from '@jest/globals';
import { checkGrammar, MessageAccumulator } from '../../kernel/ir/stream.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { MessagesRequest, StreamEvent } from '../../kernel/ir/types.js';
import { definePlugin } from '../../kernel/plugin/define.js';
import type { ProviderAdapter } from '../../kernel/providers/types.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../test/fakes/index.js';
import { eventFrame, startFakeResponses, type FakeResponses } from '../../test/fakes/openai-responses.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { exchange, failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { parseEndpoint } from './endpoint.js';
import { azureOpenAIProvider } from './index.js';

type ProviderOptions = Parameters<typeof azureOpenAIProvider>[0];

let chat: FakeOpenAI | undefined;
let responses: FakeResponses | undefined;
let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  await chat?.close();
  await responses?.close();
  kernel = chat = responses = undefined;
});

/** A kernel with the provider on `url`, routed to `model` (`''`: the route names none). */
async function boot(url: string, options: Partial<ProviderOptions> = {}, model = 'gpt-4o'): Promise<Kernel> {
  kernel = await testKernel({ plugins: [azureOpenAIProvider({ endpoint: url, apiKey: 'azure-key', ...options }), routeTo('azure-openai', model)] });
  return kernel;
}

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

const sampled = (extra: Partial<MessagesRequest> = {}) => userRequest('hi', { temperature: 0.2, top_p: 0.9, max_tokens: 1000, ...extra });

describe('provider-azure-openai: the chat path', () => {
  it('posts to the deployment named by the route, with the api-version, and authenticates with api-key only', async () => {
    chat = await startFakeOpenAI();
    await boot(`${chat.url}/`);
    chat.enqueue({ text: 'from azure' });
    const { events } = await run(kernel!, userRequest('hi', { stream: true }), { headers: { authorization: 'Bearer client-token', 'x-api-key': 'client-key' } });
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'from azure' }]);
    const sent = chat.requests[0]!;
    expect(sent.path).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(sent.headers['api-key']).toBe('azure-key');
    expect(sent.headers).not.toHaveProperty('authorization');
    expect(sent.headers).not.toHaveProperty('x-api-key');
    expect(sent.json).toMatchObject({ model: 'gpt-4o', max_tokens: 256, stream: true, stream_options: { include_usage: true } });
  });

  it('takes the deployment and api-version of a full portal URL, and an Entra token instead of the key', async () => {
    chat = await startFakeOpenAI();
    kernel = await testKernel({
      plugins: [
        azureOpenAIProvider({ endpoint: `${chat.url}/openai/deployments/my-4o/chat/completions?api-version=2025-04-01-preview`, bearerToken: 'entra-token' }),
        // The route names no model: the URL's deployment is the default.
        routeTo('azure-openai', ''),
      ],
    });
    await run(kernel, userRequest('hi'));
    expect(chat.requests[0]!.path).toBe('/openai/deployments/my-4o/chat/completions?api-version=2025-04-01-preview');
    expect(chat.requests[0]!.headers.authorization).toBe('Bearer entra-token');
    expect(chat.requests[0]!.headers).not.toHaveProperty('api-key');
  });

  it('sends max_completion_tokens, no sampling and the configured effort to reasoning deployments', async () => {
    chat = await startFakeOpenAI();
    await boot(chat.url, { reasoningEffort: 'low' }, 'o4-mini');
    await run(kernel!, sampled({ reasoning_effort: 'high' }));
    const sent = chat.requests[0]!.json as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'o4-mini', max_completion_tokens: 1000, reasoning_effort: 'low' });
    for (const field of ['max_tokens', 'temperature', 'top_p']) expect(sent).not.toHaveProperty(field);
    expect(chat.requests[0]!.path).toBe('/openai/deployments/o4-mini/chat/completions?api-version=2024-10-21');
  });

  it('keeps max_tokens and sampling for other deployments, and drops a reasoning effort they would refuse', async () => {
    chat = await startFakeOpenAI();
    await boot(chat.url, { reasoningEffort: 'low' }, 'gpt-5-chat');
    await run(kernel!, sampled({ reasoning_effort: 'high' }));
    const sent = chat.requests[0]!.json as Record<string, unknown>;
    expect(sent).toMatchObject({ max_tokens: 1000, temperature: 0.2, top_p: 0.9 });
    expect(sent).not.toHaveProperty('reasoning_effort');
    expect(sent).not.toHaveProperty('max_completion_tokens');
  });

  it('treats named deployments as reasoning ones, and maps a requested Claude name to a deployment', async () => {
    chat = await startFakeOpenAI();
    await boot(chat.url, { reasoningModels: ['thinker-*'], modelMap: { sonnet: 'thinker-prod' } }, '');
    await run(kernel!, sampled({ model: 'claude-sonnet-4-5' }));
    expect(chat.requests[0]!.path).toBe('/openai/deployments/thinker-prod/chat/completions?api-version=2024-10-21');
    expect(chat.requests[0]!.json).toMatchObject({ max_completion_tokens: 1000 });
  });

  it('gives router-static, whose target names no model, the deployment its map picks', async () => {
    chat = await startFakeOpenAI();
    kernel = await testKernel({
      plugins: [azureOpenAIProvider({ endpoint: chat.url, apiKey: 'k', model: 'gpt-4.1', modelMap: { haiku: 'gpt-4o-mini' } }), ['router-static', { target: 'azure-openai' }]],
    });
    const haiku = await run(kernel, userRequest('hi', { model: 'claude-haiku-4-5' }));
    const other = await run(kernel, userRequest('hi', { model: 'claude-opus-4-1' }));
    expect([haiku.headers['x-lynkr-model'], other.headers['x-lynkr-model']]).toEqual(['gpt-4o-mini', 'gpt-4.1']);
    expect(chat.requests.map((r) => r.path.split('?')[0])).toEqual(['/openai/deployments/gpt-4o-mini/chat/completions', '/openai/deployments/gpt-4.1/chat/completions']);
  });

  it('clamps max_tokens to what the deployment\'s model can write', async () => {
    chat = await startFakeOpenAI();
    await boot(chat.url, {}, 'gpt-4o');
    await run(kernel!, userRequest('hi', { max_tokens: 32_000 }));
    expect(chat.requests[0]!.json).toMatchObject({ max_tokens: 16_384 });
  });
});

describe('provider-azure-openai: the Responses path', () => {
  it('sends codex deployments to the v1 Responses API, statelessly, and streams the answer back lazily', async () => {
    responses = await startFakeResponses({ apiKey: 'azure-key' });
    await boot(responses.url, {}, 'gpt-5.1-codex');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const events = [
      { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress', output: [] } },
      { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } },
      { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'one ', logprobs: [] },
    ];
    const rest = [
      { type: 'response.output_text.delta', sequence_number: 3, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'two', logprobs: [] },
      { type: 'response.completed', sequence_number: 4, response: { id: 'resp_1', status: 'completed', incomplete_details: null, output: [], usage: { input_tokens: 9, output_tokens: 2, input_tokens_details: { cached_tokens: 4 } } } },
    ];
    responses.enqueue({
      raw: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(events.map(eventFrame).join(''));
        // Held until the test has seen the first text: a provider that buffered would never get it.
        await gate;
        res.end(rest.map(eventFrame).join(''));
      },
    });
    const result = await kernel!.pipeline.handle(sampled({ stream: true, system: 'Be brief.', max_tokens: 1 }), exchange(kernel!));
    const seen: StreamEvent[] = [];
    for await (const ev of result.events) {
      seen.push(ev);
      if (ev.type === 'content_block_delta') release();
    }
    expect(checkGrammar(seen)).toEqual([]);
    expect(message(seen)).toMatchObject({ content: [{ type: 'text', text: 'one two' }], usage: { input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 4 } });

    const sent = responses.requests[0]!;
    expect(sent.path).toBe('/openai/v1/responses');
    expect(sent.headers['api-key']).toBe('azure-key');
    expect(sent.headers).not.toHaveProperty('authorization');
    // Reasoning model: no sampling; Claude Code's max_tokens: 1 probe raised to the API's minimum.
    expect(sent.json).toEqual({
      model: 'gpt-5.1-codex',
      input: [{ role: 'user', content: 'hi' }],
      store: false,
      instructions: 'Be brief.',
      max_output_tokens: 16,
      stream: true,
    });
  });

  it('uses the versioned path when asked, or when the portal URL is one, and sends every deployment there', async () => {
    responses = await startFakeResponses();
    await boot(responses.url, { responsesApiVersion: '2025-04-01-preview' }, 'codex-mini');
    await run(kernel!, userRequest('hi'));
    expect(responses.requests[0]!.path).toBe('/openai/responses?api-version=2025-04-01-preview');
    await kernel!.stop();

    await boot(`${responses.url}/openai/responses?api-version=2025-03-01-preview`, {}, 'gpt-4.1');
    await run(kernel!, userRequest('hi'));
    expect(responses.requests[1]).toMatchObject({ path: '/openai/responses?api-version=2025-03-01-preview', json: { model: 'gpt-4.1' } });
  });

  it('routes deployments listed in responsesModels to Responses, and the rest to chat', async () => {
    responses = await startFakeResponses();
    chat = await startFakeOpenAI();
    // Each fake serves one API: a deployment sent to the wrong one would get a 404.
    await boot(responses.url, { responsesModels: ['prod-*'] }, 'prod-gpt5');
    await run(kernel!, userRequest('hi'));
    expect(responses.requests[0]!.path).toBe('/openai/v1/responses');
    await kernel!.stop();
    await boot(chat.url, { responsesModels: ['prod-*'] }, 'gpt-5-codex');
    await run(kernel!, userRequest('hi'));
    expect(chat.requests[0]!.path).toBe('/openai/deployments/gpt-5-codex/chat/completions?api-version=2024-10-21');
  });

  it('sends the configured effort over the one a thinking budget implies, and no reasoning to other models', async () => {
    responses = await startFakeResponses();
    await boot(responses.url, { reasoningEffort: 'minimal' }, 'o3-pro');
    await run(kernel!, sampled({ thinking: { type: 'enabled', budget_tokens: 20_000 } }));
    expect(responses.requests[0]!.json).toMatchObject({ reasoning: { effort: 'minimal' } });
    expect(responses.requests[0]!.json).not.toHaveProperty('temperature');
    await kernel!.stop();

    await boot(responses.url, { responsesModels: ['gpt-4.1'] }, 'gpt-4.1');
    await run(kernel!, sampled({ thinking: { type: 'enabled', budget_tokens: 20_000 } }));
    expect(responses.requests[1]!.json).toMatchObject({ temperature: 0.2, top_p: 0.9 });
    expect(responses.requests[1]!.json).not.toHaveProperty('reasoning');
  });

  it('answers tool calls, whole and streamed, and sends the round trip back as items', async () => {
    responses = await startFakeResponses();
    await boot(responses.url, {}, 'gpt-5-codex');
    const calls = [
      { callId: 'call_a', name: 'read', arguments: '{"path":"a.ts"}' },
      { callId: 'call_b', name: 'now', arguments: '' },
    ];
    responses.enqueue({ text: 'Looking.', functionCalls: calls }, { text: 'Looking.', functionCalls: calls });
    for (const stream of [false, true]) {
      const { events } = await run(kernel!, userRequest('go', { stream, tools: [{ name: 'read', input_schema: { type: 'object' } }, { name: 'now' }] }));
      expect(checkGrammar(events)).toEqual([]);
      expect(message(events)).toMatchObject({
        stop_reason: 'tool_use',
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'call_a', name: 'read', input: { path: 'a.ts' } },
          { type: 'tool_use', id: 'call_b', name: 'now', input: {} },
        ],
      });
    }
    expect(responses.requests[0]!.json).toMatchObject({
      tools: [
        { type: 'function', name: 'read', parameters: { type: 'object', properties: {} } },
        { type: 'function', name: 'now', parameters: { type: 'object', properties: {} } },
      ],
    });
  });

  it('round-trips reasoning as thinking blocks only when keepReasoning is on', async () => {
    responses = await startFakeResponses();
    await boot(responses.url, { keepReasoning: true }, 'gpt-5-codex');
    responses.enqueue({ reasoning: { summary: 'Think first.', encrypted: 'enc-1' }, text: 'Done.' });
    const { events } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(checkGrammar(events)).toEqual([]);
    const answer = message(events);
    expect(answer.content).toEqual([
      { type: 'thinking', thinking: 'Think first.', signature: 'enc-1' },
      { type: 'text', text: 'Done.' },
    ]);
    await run(kernel!, { ...userRequest('next'), messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: answer.content }, { role: 'user', content: 'next' }] });
    expect(responses.requests[0]!.json).toMatchObject({ include: ['reasoning.encrypted_content'] });
    expect((responses.requests[1]!.json as { input: unknown[] }).input[1]).toEqual({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Think first.' }],
      encrypted_content: 'enc-1',
    });
    await kernel!.stop();

    await boot(responses.url, {}, 'gpt-5-codex');
    responses.enqueue({ reasoning: { summary: 'Think first.', encrypted: 'enc-1' }, text: 'Done.' });
    const plain = await run(kernel!, userRequest('hi', { stream: true }));
    expect(message(plain.events).content).toEqual([{ type: 'text', text: 'Done.' }]);
    expect(responses.requests[2]!.json).not.toHaveProperty('include');
  });

  it('fails the call with the status of a response that failed before any output, and the stream after it', async () => {
    responses = await startFakeResponses();
    await boot(responses.url, {}, 'gpt-5-codex');
    responses.enqueue({ text: 'x', fail: { code: 'rate_limit_exceeded', message: 'Too many tokens', afterEvents: 2 } });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, message: 'upstream "azure-openai" answered 429: Too many tokens' });

    responses.enqueue({ text: 'one two three', fail: { code: 'server_error', message: 'The model crashed', as: 'error' } });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(message(events).content).toEqual([{ type: 'text', text: 'one ' }]);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 502, message: 'upstream "azure-openai" answered 500: The model crashed' });

    responses.enqueue({ text: 'whole', fail: { code: 'content_filter', message: 'Filtered' } });
    expect(await failure(run(kernel!, userRequest('hi')))).toMatchObject({ status: 400, message: expect.stringContaining('Filtered') });
  });
});

describe('provider-azure-openai: setup', () => {
  it('lists its deployments and guesses their capabilities by name, under the configured ones', async () => {
    let provider: ProviderAdapter | undefined;
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (provider = ctx.providers.get('azure-openai')) }) });
    kernel = await testKernel({
      plugins: [azureOpenAIProvider({ endpoint: 'https://res.openai.azure.com', apiKey: 'k', model: 'gpt-4.1', models: ['o3'], capabilities: { contextWindow: 50_000 } }), peek()],
    });
    await kernel.start();
    expect(provider).toMatchObject({ wire: 'openai-chat', defaultModel: 'gpt-4.1' });
    expect(provider!.models!().map((m) => m.id)).toEqual(['gpt-4.1', 'o3']);
    expect(provider!.capabilities!('gpt-5-codex')).toEqual({ tools: true, vision: true, thinking: true, maxOutputTokens: 128_000, contextWindow: 50_000 });
    expect(provider!.capabilities!('gpt-4o')).toMatchObject({ vision: true, thinking: false, maxOutputTokens: 16_384 });
    expect(provider!.capabilities!('my-custom')).toMatchObject({ vision: false, maxOutputTokens: 8192 });
  });

  it('refuses to boot without a credential, or with an endpoint that is not Azure OpenAI\'s', async () => {
    let err = await failure(testKernel({ plugins: [azureOpenAIProvider({ endpoint: 'https://res.openai.azure.com' })] }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS', message: expect.stringContaining('provider "azure-openai": apiKey or bearerToken is required') });
    err = await failure(testKernel({ plugins: [azureOpenAIProvider({ endpoint: 'https://res.services.ai.azure.com/models/chat/completions', apiKey: 'k' })] }));
    expect(err.message).toContain('is not an Azure OpenAI URL');
  });

  it('reads every endpoint form the portal gives', () => {
    expect(parseEndpoint('a', 'https://res.openai.azure.com/')).toEqual({ base: 'https://res.openai.azure.com' });
    expect(parseEndpoint('a', 'https://res.cognitiveservices.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21')).toEqual({
      base: 'https://res.cognitiveservices.azure.com',
      deployment: 'gpt-4o',
      apiVersion: '2024-10-21',
    });
    expect(parseEndpoint('a', 'https://res.openai.azure.com/openai/v1/responses')).toEqual({ base: 'https://res.openai.azure.com', responses: 'v1' });
    expect(parseEndpoint('a', 'https://gw.example/team/openai/responses?api-version=2025-04-01-preview')).toEqual({
      base: 'https://gw.example/team',
      responses: 'versioned',
      apiVersion: '2025-04-01-preview',
    });
  });
});
