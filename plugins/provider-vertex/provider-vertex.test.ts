import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkGrammar, LynkrError, MessageAccumulator, type MessagesRequest, type ProviderAdapter, type StreamEvent } from '../../kernel/index.js';
import type { Kernel } from '../../kernel/kernel.js';
import { definePlugin, type PluginInstance } from '../../kernel/plugin/define.js';
import { startFakeVertex, type FakeVertex } from '../../test/fakes/vertex.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { errorEvent, exchange, failure, routeTo, run, userRequest } from '../../test/providers/helpers.js';
import { withRetryAfter } from './adapter.js';
import { vertexProvider } from './index.js';
import { Endpoints } from './options.js';

type Options = NonNullable<Parameters<typeof vertexProvider>[0]>;

let fake: FakeVertex;
let kernel: Kernel | undefined;
beforeEach(async () => {
  fake = await startFakeVertex();
});
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await fake.close();
});

const serviceAccount = (): Options => ({ baseUrl: fake.url, credentials: JSON.stringify(fake.serviceAccount) });

/** A kernel with the plugin on the fake and a route to it, with `model` (null: the route names none). */
async function boot(options: Options, model: string | null, ...more: PluginInstance[]): Promise<Kernel> {
  kernel = await testKernel({ plugins: [vertexProvider(options), routeTo(options.id ?? 'vertex', model ?? undefined), ...more] });
  return kernel;
}

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

const last = () => fake.modelRequests.at(-1)!;
const lastJson = () => last().json as Record<string, unknown>;

describe('provider-vertex: Claude on Vertex', () => {
  it('puts the model and the method in the URL, and anthropic_version in a body without model', async () => {
    await boot(serviceAccount(), 'claude-sonnet-4-5@20250929');
    await run(kernel!, userRequest('hi', { stream: true }));
    await run(kernel!, userRequest('hi'));
    const [streamed, whole] = fake.modelRequests;
    expect(streamed!.path).toBe('/v1/projects/lynkr-test/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict');
    expect(whole!.path).toBe('/v1/projects/lynkr-test/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict');
    expect(streamed!.json).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true, max_tokens: 256 });
    expect(streamed!.json).not.toHaveProperty('model');
    expect(whole!.json).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: false });
  });

  it('sends the bearer token, the client\'s anthropic-beta, and no anthropic-version header nor client credential', async () => {
    await boot(serviceAccount(), 'claude-haiku-4-5@20251001');
    const { events } = await run(kernel!, userRequest('hi', { stream: true }), {
      headers: { 'anthropic-beta': 'context-1m-2025-08-07', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-client-secret', authorization: 'Bearer client-secret' },
    });
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'echo: hi' }]);
    const headers = last().headers;
    expect(headers.authorization).toBe(`Bearer ${fake.tokens[0]}`);
    expect(headers['anthropic-beta']).toBe('context-1m-2025-08-07');
    expect(headers).not.toHaveProperty('anthropic-version');
    expect(JSON.stringify(headers)).not.toContain('client-secret');
  });

  it('passes signed thinking and Anthropic errors through as they are', async () => {
    await boot(serviceAccount(), 'claude-opus-4-6');
    fake.enqueueClaude(
      { thinking: { text: 'hm', signature: 'sig+/=' }, text: 'ok' },
      { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } },
    );
    const { events } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(message(events).content).toEqual([
      { type: 'thinking', thinking: 'hm', signature: 'sig+/=' },
      { type: 'text', text: 'ok' },
    ]);
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 529, message: 'upstream "vertex" answered 529: Overloaded' });
  });

  it('drops thinking that Gemini wrote (unsigned) and keeps Claude\'s, byte for byte', async () => {
    await boot(serviceAccount(), 'claude-sonnet-4-5@20250929');
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'gemini thought', signature: '' }, { type: 'text', text: 'from Gemini' }] },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'claude thought', signature: 'EqQB+/=' }, { type: 'text', text: 'from Claude' }] },
      { role: 'user', content: 'three' },
    ];
    await run(kernel!, { ...userRequest(''), messages });
    expect((lastJson().messages as MessagesRequest['messages']).map((m) => m.content)).toEqual([
      'one',
      [{ type: 'text', text: 'from Gemini' }],
      'two',
      [{ type: 'thinking', thinking: 'claude thought', signature: 'EqQB+/=' }, { type: 'text', text: 'from Claude' }],
      'three',
    ]);
  });

  it('ends a stream cut halfway with an error after well-formed events', async () => {
    await boot(serviceAccount(), 'claude-sonnet-4-5@20250929');
    fake.enqueueClaude({ text: 'a few words here', dieAfterEvents: 4 });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED' });
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });
});

describe('provider-vertex: Gemini', () => {
  it('calls generateContent and streamGenerateContent?alt=sse on Vertex, with the bearer token', async () => {
    await boot({ ...serviceAccount(), region: 'europe-west4' }, 'gemini-2.5-pro');
    await run(kernel!, userRequest('hi', { stream: true }));
    await run(kernel!, userRequest('hi'));
    const [streamed, whole] = fake.modelRequests;
    expect(streamed!.path).toBe('/v1/projects/lynkr-test/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(whole!.path).toBe('/v1/projects/lynkr-test/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent');
    expect(streamed!.headers.authorization).toBe(`Bearer ${fake.tokens[0]}`);
    expect(streamed!.headers.accept).toBe('text/event-stream');
    expect(streamed!.json).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 256 } });
  });

  it('calls the Gemini API with the key in x-goog-api-key, never in the URL, and fetches no token', async () => {
    await boot({ baseUrl: fake.url, apiKey: fake.apiKey }, 'gemini-2.5-flash');
    const { events } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(message(events).content).toEqual([{ type: 'text', text: 'echo: hi' }]);
    await run(kernel!, userRequest('hi'));
    const [streamed, whole] = fake.modelRequests;
    expect(streamed!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(whole!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(streamed!.headers['x-goog-api-key']).toBe(fake.apiKey);
    expect(streamed!.headers).not.toHaveProperty('authorization');
    expect(fake.tokens).toEqual([]);
  });

  it('answers a wrong API key with Google\'s 400', async () => {
    await boot({ baseUrl: fake.url, apiKey: 'AIza-wrong' }, 'gemini-2.5-flash');
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 400, message: 'upstream "vertex" answered 400: API key not valid. Please pass a valid API key.' });
  });

  it('sends tool schemas Gemini accepts, keywords it refuses stripped', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    const input_schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: { command: { type: 'string', default: 'ls' }, timeout: { type: ['integer', 'null'], exclusiveMinimum: 0 }, env: { type: 'object', additionalProperties: { type: 'string' } } },
      required: ['command'],
    };
    const { events } = await run(kernel!, userRequest('hi', { tools: [{ name: 'Bash', description: 'Run', input_schema }, { name: 'Now', input_schema: { type: 'object', properties: {} } }] }));
    expect(message(events).stop_reason).toBe('end_turn');
    expect(lastJson().tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'Bash',
            description: 'Run',
            parameters: { type: 'object', properties: { command: { type: 'string' }, timeout: { type: 'integer', nullable: true }, env: { type: 'object' } }, required: ['command'] },
          },
          { name: 'Now' },
        ],
      },
    ]);
  });

  it('answers each tool result under the name of the call it answers', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    await run(kernel!, {
      ...userRequest(''),
      messages: [
        { role: 'user', content: 'read both' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a' } },
            { type: 'tool_use', id: 'toolu_2', name: 'Grep', input: { pattern: 'x' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no match', is_error: true },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'file a' },
          ],
        },
      ],
    });
    expect((lastJson().contents as unknown[])[2]).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: 'Grep', response: { error: 'no match' } } }, { functionResponse: { name: 'Read', response: { output: 'file a' } } }],
    });
  });

  it('sends Gemini 3 its thought signature back with the call, and the placeholder after a restart', async () => {
    await boot(serviceAccount(), 'gemini-3.8-flash');
    fake.enqueueGemini({ functionCalls: [{ name: 'Read', args: { path: 'a' } }] });
    const { events } = await run(kernel!, userRequest('read a', { stream: true, tools: [{ name: 'Read', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }] }));
    const answer = message(events);
    expect(answer.stop_reason).toBe('tool_use');
    const call = answer.content[0] as { id: string; name: string; input: Record<string, unknown> };
    const next: MessagesRequest = {
      ...userRequest(''),
      messages: [
        { role: 'user', content: 'read a' },
        { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'contents of a' }] },
      ],
    };
    await run(kernel!, next);
    const parts = () => ((lastJson().contents as Array<{ parts: unknown[] }>)[1]!.parts);
    expect(parts()).toEqual([{ functionCall: { name: 'Read', args: { path: 'a' } }, thoughtSignature: 'fake-signature-1' }]);

    await kernel!.stop();
    await boot(serviceAccount(), 'gemini-3.8-flash');
    const { events: after } = await run(kernel!, next);
    expect(message(after).content).toEqual([{ type: 'text', text: 'echo: ' }]);
    expect(parts()).toEqual([{ functionCall: { name: 'Read', args: { path: 'a' } }, thoughtSignature: 'skip_thought_signature_validator' }]);
  });

  it('clamps max_tokens to the model\'s limit', async () => {
    await boot(serviceAccount(), 'gemini-2.0-flash');
    await run(kernel!, userRequest('hi', { max_tokens: 32_000 }));
    expect(lastJson().generationConfig).toEqual({ maxOutputTokens: 8192 });
  });

  it('takes the retry delay from Google\'s RetryInfo when there is no retry-after header', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    fake.enqueueGemini({
      googleError: {
        status: 429,
        message: 'Resource exhausted. Please try again later.',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.5s' }],
      },
    });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, headers: { 'retry-after': '13' }, message: 'upstream "vertex" answered 429: Resource exhausted. Please try again later.' });
  });

  it('maps Google 5xx to 502 with the upstream status kept', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    fake.enqueueGemini({ googleError: { status: 503, message: 'The model is overloaded.' } });
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 502, detail: { upstreamStatus: 503 } });
  });

  it('fails the call with the error a stream begins with, and ends a stream with the error it carries later', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    fake.enqueueGemini(
      { text: 'never', midStreamError: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED', afterChunks: 0 } },
      { text: 'a few words', midStreamError: { code: 500, message: 'Internal error', status: 'INTERNAL', afterChunks: 2 } },
    );
    const first = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(first).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, message: 'upstream "vertex" answered 429: Quota exceeded' });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(message(events).content).toEqual([{ type: 'text', text: 'a few ' }]);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 502, message: 'upstream "vertex" answered 500: Internal error' });
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });

  it('ends a stream cut before its finish reason with DISCONNECTED, after well-formed events', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    fake.enqueueGemini({ text: 'a few words here', dieAfterChunks: 2 });
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(message(events).content).toEqual([{ type: 'text', text: 'a few ' }]);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED' });
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });

  it('fails a non-streaming answer cut halfway', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    fake.enqueueGemini({ text: 'whole', dieAfterChunks: 1 });
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err.code).toBe('LYNKR_ERR_UPSTREAM_DISCONNECTED');
  });

  it('aborts the upstream request when the client goes away', async () => {
    await boot(serviceAccount(), 'gemini-2.5-pro');
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    fake.enqueueGemini({
      raw: async (_req, res, ctx) => {
        res.on('close', () => closed());
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'one ' }] }, index: 0 }] })}\r\n\r\n`);
        await once(ctx.signal, 'abort');
      },
    });
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
    await socketClosed;
  });
});

describe('provider-vertex: Google credentials', () => {
  it('fetches one token at the first request and reuses it for both families', async () => {
    await boot(serviceAccount(), null);
    expect(fake.tokens).toEqual([]);
    await Promise.all([run(kernel!, userRequest('a', { model: 'claude-sonnet-4-5' })), run(kernel!, userRequest('b', { model: 'gemini-2.5-pro' }))]);
    await run(kernel!, userRequest('c', { model: 'claude-haiku-4-5', stream: true }));
    expect(fake.tokens).toEqual(['ya29.fake-1']);
    expect(fake.requests.filter((r) => r.path === '/token')).toHaveLength(1);
    expect(fake.modelRequests.map((r) => r.headers.authorization)).toEqual(['Bearer ya29.fake-1', 'Bearer ya29.fake-1', 'Bearer ya29.fake-1']);
  });

  it('fetches a new token when the one held is about to expire', async () => {
    await fake.close();
    // Google's library renews a token five minutes before it expires: a one-minute token is renewed every time.
    fake = await startFakeVertex({ tokenTtlSeconds: 60 });
    await boot(serviceAccount(), 'gemini-2.5-pro');
    await run(kernel!, userRequest('a'));
    await run(kernel!, userRequest('b'));
    expect(fake.tokens).toEqual(['ya29.fake-1', 'ya29.fake-2']);
    expect(fake.modelRequests.map((r) => r.headers.authorization)).toEqual(['Bearer ya29.fake-1', 'Bearer ya29.fake-2']);
  });

  it('reads the key from a file, and takes the project from the option over the key\'s', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lynkr-vertex-'));
    try {
      const file = path.join(dir, 'key.json');
      await writeFile(file, JSON.stringify(fake.serviceAccount));
      await boot({ baseUrl: fake.url, credentials: file }, 'gemini-2.5-pro');
      const { events } = await run(kernel!, userRequest('from a file'));
      expect(message(events).content).toEqual([{ type: 'text', text: 'echo: from a file' }]);
      await kernel!.stop();
      await boot({ baseUrl: fake.url, credentials: file, project: 'other-project' }, 'gemini-2.5-pro');
      const err = await failure(run(kernel!, userRequest('hi')));
      expect(last().path).toContain('/v1/projects/other-project/locations/global/');
      expect(err).toMatchObject({ status: 403, message: 'upstream "vertex" answered 403: Permission denied on resource project other-project.' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to boot with a credentials file that cannot be read or is not JSON', async () => {
    let err = await failure(testKernel({ plugins: [vertexProvider({ credentials: '/nonexistent/key.json' })] }));
    expect(err.message).toContain('provider "vertex": cannot read the credentials file /nonexistent/key.json');
    err = await failure(testKernel({ plugins: [vertexProvider({ credentials: '{ not json' })] }));
    expect(err.message).toContain('provider "vertex": the credentials JSON is not JSON');
  });

  it('fails with 502 when the token endpoint refuses the key, and recovers on the next request', async () => {
    await boot(serviceAccount(), 'claude-sonnet-4-5@20250929');
    fake.failToken(400, 'invalid_grant', 'Invalid JWT Signature.');
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 502, detail: { upstreamStatus: 400 } });
    expect(err.message).toContain('upstream "vertex" could not get a Google access token: the token endpoint answered 400: invalid_grant: Invalid JWT Signature.');
    expect(fake.modelRequests).toEqual([]);
    const { events } = await run(kernel!, userRequest('hi'));
    expect(message(events).content).toEqual([{ type: 'text', text: 'echo: hi' }]);
  });

  it('refuses a Claude model when only a Gemini API key is configured', async () => {
    await boot({ baseUrl: fake.url, apiKey: fake.apiKey }, 'claude-sonnet-4-5@20250929');
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL' });
    expect(err.message).toContain('claude-sonnet-4-5@20250929 is served only by Vertex AI');
  });
});

describe('provider-vertex: models', () => {
  /** The model in the URL when router-static names only the provider, so that the provider resolves the client's model. */
  async function modelFor(options: Options, requested: string): Promise<string | undefined> {
    fake.modelRequests.length = 0;
    kernel = await testKernel({ plugins: [vertexProvider(options), ['router-static', { target: 'vertex' }]] });
    await run(kernel, userRequest('hi', { model: requested }));
    await kernel.stop();
    kernel = undefined;
    return /\/models\/([^:]+):/.exec(last().path)?.[1];
  }

  it('maps Claude names to Vertex\'s ids, and sends current and Vertex names as they are', async () => {
    const sa = serviceAccount();
    expect(await modelFor(sa, 'claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5@20250929');
    expect(await modelFor(sa, 'claude-haiku-4-5')).toBe('claude-haiku-4-5@20251001');
    expect(await modelFor(sa, 'claude-opus-4-1-20250805')).toBe('claude-opus-4-1@20250805');
    expect(await modelFor(sa, 'claude-opus-4-6')).toBe('claude-opus-4-6');
    expect(await modelFor(sa, 'claude-sonnet-5-20270101')).toBe('claude-sonnet-5');
    expect(await modelFor(sa, 'claude-3-7-sonnet@20250219')).toBe('claude-3-7-sonnet@20250219');
    expect(await modelFor(sa, 'gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(await modelFor(sa, 'gpt-4o')).toBe('claude-sonnet-4-6');
  });

  it('maps Claude names to Gemini models with family gemini, or with only an API key', async () => {
    const gemini: Options = { ...serviceAccount(), family: 'gemini' };
    expect(await modelFor(gemini, 'claude-opus-4-6')).toBe('gemini-3.1-pro-preview');
    expect(await modelFor(gemini, 'claude-sonnet-4-5')).toBe('gemini-3.8-flash');
    expect(await modelFor(gemini, 'claude-haiku-4-5-20251001')).toBe('gemini-3.5-flash-lite');
    expect(await modelFor(gemini, 'something-else')).toBe('gemini-3.8-flash');
    expect(await modelFor({ baseUrl: fake.url, apiKey: fake.apiKey }, 'claude-sonnet-4-6')).toBe('gemini-3.8-flash');
  });

  it('takes a configured map and default model over the family\'s', async () => {
    const options: Options = { ...serviceAccount(), modelMap: { sonnet: 'gemini-2.5-pro' }, model: 'claude-opus-4-6' };
    expect(await modelFor(options, 'claude-sonnet-4-5')).toBe('gemini-2.5-pro');
    expect(await modelFor(options, 'gpt-4o')).toBe('claude-opus-4-6');
  });

  it('registers under its id with per-family capabilities', async () => {
    let adapter: ProviderAdapter | undefined;
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (adapter = ctx.providers.get('gcp')) }) });
    await boot({ ...serviceAccount(), id: 'gcp', models: ['gemini-2.5-pro'], capabilities: { contextWindow: 500_000 } }, null, peek());
    await kernel!.start();
    expect(adapter).toMatchObject({ id: 'gcp', wire: 'vertex', defaultModel: 'claude-sonnet-4-6' });
    expect(adapter!.models?.()).toEqual([
      { id: 'claude-sonnet-4-6', provider: 'gcp' },
      { id: 'gemini-2.5-pro', provider: 'gcp' },
    ]);
    expect(adapter!.capabilities?.('claude-opus-4-6')).toEqual({ tools: true, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 500_000 });
    expect(adapter!.capabilities?.('gemini-3.8-flash')).toEqual({ tools: true, vision: true, thinking: true, maxOutputTokens: 65_536, contextWindow: 500_000 });
    expect(adapter!.capabilities?.('gemini-2.0-flash')).toEqual({ tools: true, vision: true, thinking: false, maxOutputTokens: 8192, contextWindow: 500_000 });
  });
});

describe('provider-vertex: endpoints and errors', () => {
  it('names the regional and the global hosts, and the Gemini API', () => {
    const global = new Endpoints({ id: 'vertex', region: 'global' });
    const regional = new Endpoints({ id: 'vertex', region: 'us-east5' });
    expect(global.claude('p', 'claude-sonnet-4-5@20250929', true).href).toBe(
      'https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict',
    );
    expect(regional.geminiVertex('p', 'gemini-2.5-pro', false).href).toBe(
      'https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent',
    );
    expect(regional.geminiApi('gemini-2.5-pro', true).href).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(() => new Endpoints({ id: 'vertex', region: 'global', baseUrl: 'nope' })).toThrow('provider "vertex": baseUrl "nope" is not a URL');
  });

  it('adds retry-after from a RetryInfo detail only when there is none', () => {
    const google = (headers: Record<string, string>) =>
      new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', 'x', {
        status: 429,
        headers,
        detail: { body: [{ error: { code: 429, details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }] } }] },
      });
    expect((withRetryAfter(google({})) as LynkrError).headers).toEqual({ 'retry-after': '3' });
    expect((withRetryAfter(google({ 'retry-after': '9' })) as LynkrError).headers).toEqual({ 'retry-after': '9' });
    const plain = new Error('not ours');
    expect(withRetryAfter(plain)).toBe(plain);
  });
});
