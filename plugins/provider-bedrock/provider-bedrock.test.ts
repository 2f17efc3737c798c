import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { checkGrammar, MessageAccumulator, type MessagesRequest, type StreamEvent } from '../../kernel/index.js';
import { LynkrError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { definePlugin, type PluginInstance } from '../../kernel/plugin/define.js';
import type { ProviderAdapter } from '../../kernel/providers/types.js';
import { eventFrame, FAKE_AWS_CREDENTIALS, FAKE_BEDROCK_API_KEY, startFakeBedrock, type FakeBedrock, type FakeBedrockOptions } from '../../test/fakes/bedrock.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { exchange, failure, run, userRequest } from '../../test/providers/helpers.js';
import { bedrockProvider } from './index.js';

type ProviderOptions = Parameters<typeof bedrockProvider>[0];

const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

let fake: FakeBedrock;
let kernel: Kernel | undefined;
beforeEach(async () => {
  fake = await startFakeBedrock();
});
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  await fake.close();
});

/**
 * A kernel with the plugin on the fake (SigV4 with the fake's credentials
 * unless `options` say otherwise) and a route to it that names `model`, or
 * (null) only the provider, which then maps the requested model.
 */
async function boot(options: ProviderOptions = {}, model: string | null = SONNET, ...more: PluginInstance[]): Promise<Kernel> {
  const id = options.id ?? 'bedrock';
  kernel = await testKernel({
    server: { port: 0 },
    plugins: [
      'api-anthropic',
      bedrockProvider({ baseUrl: fake.url, region: 'us-east-1', ...FAKE_AWS_CREDENTIALS, ...options }),
      ['router-static', { target: model === null ? id : `${id}:${model}` }],
      ...more,
    ],
  });
  return kernel;
}

async function restart(fakeOptions: FakeBedrockOptions): Promise<void> {
  await fake.close();
  fake = await startFakeBedrock(fakeOptions);
}

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

const streaming = (text: string, extra: Partial<MessagesRequest> = {}) => userRequest(text, { stream: true, ...extra });

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

describe('provider-bedrock: requests on the wire', () => {
  it('posts ConverseStream to the model\'s URL, signed with SigV4 over the bytes sent, and nothing of the client\'s credentials', async () => {
    await boot();
    fake.enqueue({ text: 'Hello from Bedrock', usage: { input: 12, output: 4 } });
    const { events, headers, error } = await run(kernel!, streaming('hi', { system: 'Be brief.', max_tokens: 32_000 }), {
      headers: { 'x-api-key': 'client-key', authorization: 'Bearer client-token', cookie: 'a=b' },
    });
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({ model: SONNET, content: [{ type: 'text', text: 'Hello from Bedrock' }], stop_reason: 'end_turn', usage: { input_tokens: 12, output_tokens: 4 } });
    expect(headers['upstream-request-id']).toBe('fake-req-0001-0000-0000-000000000000');

    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream');
    expect(sent.headers.authorization).toMatch(SIGV4);
    expect(SIGV4.exec(sent.headers.authorization!)![1]).toBe('accept;content-type;host;x-amz-date');
    expect(sent.headers).toMatchObject({ accept: 'application/vnd.amazon.eventstream', 'content-type': 'application/json', host: fake.url.slice('http://'.length) });
    expect(sent.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(sent.headers).not.toHaveProperty('x-api-key');
    expect(sent.headers).not.toHaveProperty('cookie');
    expect(sent.json).toEqual({
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 32_000 },
    });
  });

  it('sends the session token of temporary credentials, signed', async () => {
    const credentials = { ...FAKE_AWS_CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEBYaDH+session/token==' };
    await restart({ credentials });
    await boot(credentials);
    await run(kernel!, userRequest('hi'));
    const sent = fake.requests[0]!;
    expect(sent.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(SIGV4.exec(sent.headers.authorization!)![1]).toBe('accept;content-type;host;x-amz-date;x-amz-security-token');
  });

  it('answers 403 through Lynkr when the secret is wrong, as Bedrock refuses the signature', async () => {
    await boot({ secretAccessKey: 'not-the-secret' });
    const res = await kernel!.inject({ method: 'POST', url: '/v1/messages', payload: userRequest('hi', { model: 'claude-sonnet-4-5' }) });
    expect(res.statusCode).toBe(403);
    const body = res.json() as { type: string; error: { type: string; message: string } };
    expect(body.error.type).toBe('permission_error');
    expect(body.error.message).toContain('upstream "bedrock" answered 403: The request signature we calculated does not match the signature you provided');
  });

  it('passes inference profile ARNs and ids with colons as one encoded path segment, signed as such', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0';
    await boot({}, arn);
    const { events } = await run(kernel!, userRequest('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(fake.requests[0]!.path).toBe('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fglobal.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse');
  });

  it('sends a Bedrock API key as a bearer token instead of signing', async () => {
    await boot({ apiKey: FAKE_BEDROCK_API_KEY, accessKeyId: undefined, secretAccessKey: undefined });
    const { events } = await run(kernel!, userRequest('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${FAKE_BEDROCK_API_KEY}`);
    expect(fake.requests[0]!.headers).not.toHaveProperty('x-amz-date');

    await kernel!.stop();
    await boot({ apiKey: 'ABSK-wrong', accessKeyId: undefined, secretAccessKey: undefined });
    expect(await failure(run(kernel!, userRequest('hi')))).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 403 });
  });
});

describe('provider-bedrock: models', () => {
  it('maps the Claude name the client asked for to an inference profile of the region\'s geography', async () => {
    await boot({}, null);
    for (const model of ['claude-opus-4-5-20251101', 'claude-haiku-4-5', 'claude-sonnet-4-20250514', 'gpt-4o']) await run(kernel!, userRequest('hi', { model }));
    expect(fake.requests.map((r) => decodeURIComponent(r.path.split('/')[2]!))).toEqual([
      'us.anthropic.claude-opus-4-5-20251101-v1:0',
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
      // Not a Claude name: the provider's default model.
      SONNET,
    ]);
  });

  it('uses eu. profiles in an EU region, and a configured map over the default one', async () => {
    await restart({ region: 'eu-west-1' });
    await boot({ region: 'eu-west-1', modelMap: { haiku: 'eu.amazon.nova-lite-v1:0' } }, null);
    for (const model of ['claude-opus-4-1-20250805', 'claude-haiku-4-5', 'something-else']) await run(kernel!, userRequest('hi', { model }));
    expect(fake.requests.map((r) => decodeURIComponent(r.path.split('/')[2]!))).toEqual([
      'eu.anthropic.claude-opus-4-1-20250805-v1:0',
      'eu.amazon.nova-lite-v1:0',
      'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]);
    expect(fake.requests[0]!.headers.authorization).toContain('/eu-west-1/bedrock/aws4_request');
  });

  it('registers its models and per-family capabilities, and clamps max_tokens to them', async () => {
    let adapter: ProviderAdapter | undefined;
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (adapter = ctx.providers.get('aws')) }) });
    await boot({ id: 'aws', models: ['us.amazon.nova-pro-v1:0'] }, 'us.amazon.nova-micro-v1:0', peek());
    await kernel!.start();
    expect(adapter).toMatchObject({ id: 'aws', wire: 'bedrock-converse', defaultModel: SONNET });
    expect(adapter!.models?.()).toEqual([
      { id: SONNET, provider: 'aws' },
      { id: 'us.amazon.nova-pro-v1:0', provider: 'aws' },
    ]);
    expect(adapter!.capabilities?.(SONNET)).toEqual({ tools: true, vision: true, thinking: true, maxOutputTokens: 64_000, contextWindow: 200_000 });
    expect(adapter!.capabilities?.('us.anthropic.claude-opus-4-1-20250805-v1:0')).toMatchObject({ thinking: true, maxOutputTokens: 32_000 });
    expect(adapter!.capabilities?.('us.amazon.nova-micro-v1:0')).toEqual({ tools: true, vision: false, thinking: false, maxOutputTokens: 5000, contextWindow: 128_000 });
    expect(adapter!.capabilities?.('meta.llama3-1-70b-instruct-v1:0')).toMatchObject({ maxOutputTokens: 2048 });
    expect(adapter!.capabilities?.('')).toEqual(adapter!.capabilities?.(SONNET));
    await run(kernel!, userRequest('hi', { max_tokens: 32_000 }));
    expect((fake.requests[0]!.json as { inferenceConfig: unknown }).inferenceConfig).toEqual({ maxTokens: 5000 });
  });

  it('takes capability overrides for every model', async () => {
    let adapter: ProviderAdapter | undefined;
    const peek = definePlugin({ name: 'peek', version: '1.0.0', kernel: '^1', setup: (ctx) => ({ ready: () => void (adapter = ctx.providers.get('bedrock')) }) });
    await boot({ capabilities: { maxOutputTokens: 1000, vision: false } }, SONNET, peek());
    await kernel!.start();
    expect(adapter!.capabilities?.(SONNET)).toEqual({ tools: true, vision: false, thinking: true, maxOutputTokens: 1000, contextWindow: 200_000 });
    await run(kernel!, userRequest('hi', { max_tokens: 32_000 }));
    expect((fake.requests[0]!.json as { inferenceConfig: unknown }).inferenceConfig).toEqual({ maxTokens: 1000 });
  });
});

describe('provider-bedrock: answers', () => {
  it('decodes frames that arrive split across TCP writes', async () => {
    await boot();
    fake.enqueue({
      reasoning: { text: 'The user greets me.', signature: 'EqQBCkYIBxgC+/==' },
      text: 'Hello there, split frames.',
      toolUses: [{ id: 'tooluse_1', name: 'get_time', input: { city: 'Tokyo' } }],
      usage: { input: 20, output: 9, cacheRead: 100, cacheWrite: 5 },
      splitFrames: true,
    });
    const { events, error } = await run(kernel!, streaming('hi', { max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 } }));
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'The user greets me.', signature: 'EqQBCkYIBxgC+/==' },
        { type: 'text', text: 'Hello there, split frames.' },
        { type: 'tool_use', id: 'tooluse_1', name: 'get_time', input: { city: 'Tokyo' } },
      ],
      usage: { input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 },
    });
    expect((fake.requests[0]!.json as { additionalModelRequestFields: unknown }).additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2000 } });
  });

  it('yields events as frames arrive, before the upstream has finished', async () => {
    await boot();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.enqueue({
      raw: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        res.write(Buffer.concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'one ' } })]));
        // Held until the test has seen the first text: a provider that buffered would never get it.
        await gate;
        res.end(Buffer.concat([eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'two' } }), eventFrame('messageStop', { stopReason: 'end_turn' }), eventFrame('metadata', { usage: { inputTokens: 1, outputTokens: 2 } })]));
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

  it('answers a non-streaming request from Converse\'s JSON, reasoning and matched stop sequence included', async () => {
    await boot();
    fake.enqueue({ reasoning: { text: 'hm', signature: 'sig' }, text: 'whole END', stopReason: 'stop_sequence', stopSequence: 'END', usage: { input: 3, output: 2, cacheRead: 1 } });
    const { events, headers } = await run(kernel!, userRequest('hi', { stop_sequences: ['END'] }));
    expect(checkGrammar(events)).toEqual([]);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(sent.headers.accept).toBe('application/json');
    expect(sent.json).toMatchObject({ inferenceConfig: { stopSequences: ['END'] }, additionalModelResponseFieldPaths: ['/stop_sequence'] });
    expect(message(events)).toMatchObject({
      id: 'msg_bdrk_fakereq000100000000000000000000',
      model: SONNET,
      content: [
        { type: 'thinking', thinking: 'hm', signature: 'sig' },
        { type: 'text', text: 'whole END' },
      ],
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
      usage: { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 1 },
    });
    expect(headers['upstream-request-id']).toBe('fake-req-0001-0000-0000-000000000000');
  });

  it('ends the client\'s stream with an error event when an exception frame comes mid-stream', async () => {
    await boot();
    fake.enqueue({ text: 'partial answer here', exception: { type: 'modelStreamErrorException', message: 'The model stream failed.', afterFrames: 3 } });
    const res = await kernel!.inject({ method: 'POST', url: '/v1/messages', payload: streaming('hi', { model: 'claude-sonnet-4-5' }) });
    expect(res.statusCode).toBe(200);
    const frames = res.body.trim().split('\n\n');
    expect(frames[0]).toMatch(/^event: message_start\n/);
    expect(frames).toContain(`event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial ' } })}`);
    const last = frames.at(-1)!;
    expect(last).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(last.slice(last.indexOf('data: ') + 6))).toMatchObject({ type: 'error', error: { message: expect.stringContaining('The model stream failed.') } });
  });

  it('fails the call itself with the exception\'s status when it comes before any content', async () => {
    await boot();
    fake.enqueue({ text: 'never', exception: { type: 'throttlingException', message: 'Too many tokens, please wait before trying again.', afterFrames: 1 } });
    const err = await failure(run(kernel!, streaming('hi')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, message: 'upstream "bedrock" answered 429: Too many tokens, please wait before trying again.' });
  });

  it.each([
    [429, 429],
    [400, 400],
    [403, 403],
    [404, 404],
    [500, 502],
    [503, 502],
  ])('maps an HTTP %i from Bedrock to a client %i, with its message, request id and retry-after', async (upstream, status) => {
    await boot();
    fake.enqueue({ status: upstream, message: `Bedrock says ${upstream}`, headers: { 'retry-after': '12' } });
    const err = await failure(run(kernel!, streaming('hi')));
    expect(err).toMatchObject({
      code: 'LYNKR_ERR_UPSTREAM_HTTP',
      status,
      message: `upstream "bedrock" answered ${upstream}: Bedrock says ${upstream}`,
      headers: { 'retry-after': '12', 'upstream-request-id': 'fake-req-0001-0000-0000-000000000000' },
      detail: { upstreamStatus: upstream },
    });
  });

  it('fails a stream cut in the middle, after the events already sent', async () => {
    await boot();
    fake.enqueue({ text: 'one two three four', dieAfterFrames: 3 });
    const { events, error } = await run(kernel!, streaming('hi'));
    expect(events.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta']);
    expect(error?.code).toBe('LYNKR_ERR_UPSTREAM_DISCONNECTED');
  });

  it('aborts the upstream request when the client goes away', async () => {
    await boot();
    let closed!: Promise<unknown>;
    fake.enqueue({
      raw: async (_req, res, ctx) => {
        closed = once(res, 'close');
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        res.write(Buffer.concat([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'thinking hard' } })]));
        await once(ctx.signal, 'abort');
      },
    });
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

describe('provider-bedrock: credentials', () => {
  const AWS_VARS = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_REGION',
    'AWS_BEDROCK_REGION',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_EC2_METADATA_DISABLED',
    'AWS_SHARED_CREDENTIALS_FILE',
    'AWS_CONFIG_FILE',
  ];
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(AWS_VARS.map((name) => [name, process.env[name]]));
    for (const name of AWS_VARS) delete process.env[name];
    // The chain must find nothing, and ask nothing of the network: no instance metadata, no files.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/lynkr-test/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/lynkr-test/config';
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('boots without any AWS credentials, and says so on the first request', async () => {
    await boot({ accessKeyId: undefined, secretAccessKey: undefined });
    const err = await failure(run(kernel!, userRequest('hi')));
    expect(err.code).toBe('LYNKR_ERR_PLUGIN_OPTIONS');
    expect(err.message).toMatch(/^provider "bedrock" found no AWS credentials \(.+\): set apiKey \(a Bedrock API key\), accessKeyId and secretAccessKey, or credentials the AWS chain reads/);
    expect(fake.requests).toHaveLength(0);
  });

  it('reads the AWS credential chain on the first request, not at boot', async () => {
    await boot({ accessKeyId: undefined, secretAccessKey: undefined });
    // Set after boot: the chain is read when the first request needs it.
    process.env.AWS_ACCESS_KEY_ID = FAKE_AWS_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAKE_AWS_CREDENTIALS.secretAccessKey;
    const { events } = await run(kernel!, userRequest('hi'));
    expect(checkGrammar(events)).toEqual([]);
    expect(fake.requests[0]!.headers.authorization).toMatch(SIGV4);
  });
});

describe('provider-bedrock: options', () => {
  it('refuses a base URL that is not a URL, and a key id without its secret', async () => {
    let err = await failure(testKernel({ plugins: [bedrockProvider({ baseUrl: 'nope' })] }));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
    expect(err.message).toContain('provider "bedrock": baseUrl "nope" is not a URL');
    err = await failure(testKernel({ plugins: [bedrockProvider({ accessKeyId: 'AKIA1' })] }));
    expect(err.message).toContain('provider "bedrock": accessKeyId and secretAccessKey go together');
  });
});
