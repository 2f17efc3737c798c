import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { fetch } from 'undici';
import { startFakeOpenAI, type FakeOpenAI } from './openai-chat.js';
import { readStreamBody, sseJson } from './sse.js';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

const USER = [{ role: 'user', content: 'hello there' }];

function post(body: unknown, path = '/v1/chat/completions', headers: Record<string, string> = {}) {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; delta: Delta; finish_reason: string | null }>;
  usage?: Record<string, unknown> | null;
}
interface Delta {
  role?: string;
  content?: string | null;
  tool_calls?: Array<{ index: number; id?: string; type?: string; function: { name?: string; arguments?: string } }>;
}

/** Chunks of a finished stream, checking that it ends with exactly one `[DONE]`. */
async function streamChunks(body: unknown): Promise<Chunk[]> {
  const res = await post(body);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const frames = sseJson(await res.text());
  expect(frames.at(-1)).toBe('[DONE]');
  return frames.slice(0, -1) as Chunk[];
}

const deltasOf = (chunks: Chunk[]) => chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
const toolDeltasOf = (chunks: Chunk[]) => deltasOf(chunks).flatMap((d) => d.tool_calls ?? []);

describe('fake OpenAI chat: text', () => {
  it('echoes the last user message as JSON when nothing is queued', async () => {
    const res = await post({ model: 'gpt-x', messages: [{ role: 'user', content: 'first' }, ...USER] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: 'chatcmpl-fake1',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-x',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'echo: hello there', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });

  it('echoes text parts and falls back to fake-model', async () => {
    const res = await post({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] });
    const body = (await res.json()) as { model: string; choices: Array<{ message: { content: string } }> };
    expect(body.model).toBe('fake-model');
    expect(body.choices[0]?.message.content).toBe('echo: ab');
  });

  it('streams exact bytes for a small reply', async () => {
    fake.enqueue({ text: ['Hi', ' there'] });
    const res = await post({ model: 'm1', stream: true, messages: USER });
    const text = await res.text();
    const created = (JSON.parse(text.split('\n')[0]?.slice('data: '.length) ?? '') as Chunk).created;
    const frame = (delta: string, finish = 'null') =>
      `data: {"id":"chatcmpl-fake1","object":"chat.completion.chunk","created":${created},"model":"m1",` +
      `"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}\n\n`;
    expect(text).toBe(
      frame('{"role":"assistant","content":""}') +
        frame('{"content":"Hi"}') +
        frame('{"content":" there"}') +
        frame('{}', '"stop"') +
        'data: [DONE]\n\n',
    );
  });

  it('splits text into several deltas, role first, finish_reason last', async () => {
    fake.enqueue({ text: 'one two three', finishReason: 'length' });
    const chunks = await streamChunks({ stream: true, messages: USER });
    expect(deltasOf(chunks)[0]).toEqual({ role: 'assistant', content: '' });
    expect(deltasOf(chunks).slice(1, -1)).toEqual([{ content: 'one ' }, { content: 'two ' }, { content: 'three' }]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, null, null, 'length']);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'fake-model')).toBe(true);
  });

  it('sends usage in streams only when stream_options.include_usage is true', async () => {
    fake.enqueue({ text: 'a b', usage: { prompt: 7, completion: 3, cached: 4 } }, { text: 'a b' });
    const withUsage = await streamChunks({ stream: true, stream_options: { include_usage: true }, messages: USER });
    const last = withUsage.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 3,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 4 },
    });
    expect(withUsage.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const without = await streamChunks({ stream: true, messages: USER });
    expect(without.every((c) => !('usage' in c))).toBe(true);
    expect(without.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('reports cached tokens in JSON answers', async () => {
    fake.enqueue({ text: 'x', usage: { prompt: 100, completion: 2, cached: 60 } });
    const body = (await (await post({ messages: USER })).json()) as { usage: unknown };
    expect(body.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 2,
      total_tokens: 102,
      prompt_tokens_details: { cached_tokens: 60 },
    });
  });
});

describe('fake OpenAI chat: tool calls', () => {
  const calls = [
    { id: 'call_a', name: 'read', arguments: '{"path":"/tmp/a.txt"}' },
    { name: 'list', arguments: '{"dir":"/"}' },
  ];

  it('answers tool calls as JSON', async () => {
    fake.enqueue({ toolCalls: [...calls, { name: 'now', omitArguments: true }] });
    const body = (await (await post({ messages: USER })).json()) as {
      choices: Array<{ message: Record<string, unknown>; finish_reason: string }>;
    };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'read', arguments: '{"path":"/tmp/a.txt"}' } },
        { id: 'call_fake1_1', type: 'function', function: { name: 'list', arguments: '{"dir":"/"}' } },
        { id: 'call_fake1_2', type: 'function', function: { name: 'now' } },
      ],
    });
  });

  it('streams each call in several chunks, id and name only in the first, index on all', async () => {
    fake.enqueue({ toolCalls: calls, text: 'Let me look.' });
    const chunks = await streamChunks({ stream: true, messages: USER });
    expect(deltasOf(chunks)[0]).toEqual({ role: 'assistant', content: '' });
    expect(deltasOf(chunks).filter((d) => d.content).map((d) => d.content)).toEqual(['Let ', 'me ', 'look.']);
    const tools = toolDeltasOf(chunks);
    expect(tools.map((t) => t.index)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    for (const [i, call] of calls.entries()) {
      const mine = tools.filter((t) => t.index === i);
      expect(mine[0]).toEqual({ index: i, id: call.id ?? 'call_fake1_1', type: 'function', function: { name: call.name, arguments: '' } });
      expect(mine.slice(1).every((t) => t.id === undefined && t.function.name === undefined)).toBe(true);
      expect(mine.map((t) => t.function.arguments).join('')).toBe(call.arguments);
    }
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });

  it('interleaves parallel calls by index', async () => {
    fake.enqueue({ toolCalls: calls, interleave: true });
    const chunks = await streamChunks({ stream: true, messages: USER });
    expect(deltasOf(chunks)[0]).toEqual({ role: 'assistant', content: null });
    const tools = toolDeltasOf(chunks);
    expect(tools.map((t) => t.index)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    expect(tools.filter((t) => t.index === 1).map((t) => t.function.arguments).join('')).toBe('{"dir":"/"}');
  });

  it('sends empty arguments as "" and omitted arguments not at all', async () => {
    fake.enqueue({ toolCalls: [{ name: 'a', arguments: '' }, { name: 'b', omitArguments: true }] });
    const tools = toolDeltasOf(await streamChunks({ stream: true, messages: USER }));
    expect(tools).toEqual([
      { index: 0, id: 'call_fake1_0', type: 'function', function: { name: 'a', arguments: '' } },
      { index: 1, id: 'call_fake1_1', type: 'function', function: { name: 'b' } },
    ]);
  });
});

describe('fake OpenAI chat: errors and broken streams', () => {
  it('answers OpenAI error JSON with status and headers', async () => {
    fake.enqueue(
      { status: 429, error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }, headers: { 'retry-after': '2' } },
      { status: 503, error: { message: 'down' } },
    );
    const limited = await post({ stream: true, messages: USER });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('content-type')).toBe('application/json');
    expect(await limited.text()).toBe(
      '{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}',
    );
    const down = await post({ messages: USER });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { message: 'down', type: 'server_error', param: null, code: null } });
  });

  it('dies after n chunks: the client gets those chunks, then a socket error', async () => {
    fake.enqueue({ text: 'a b c d e', dieAfterChunks: 2 });
    const { text, error } = await readStreamBody(await post({ stream: true, messages: USER }));
    expect(error).toBeDefined();
    expect(sseJson(text)).toHaveLength(2);
  });

  it('dies halfway through a JSON body', async () => {
    fake.enqueue({ dieAfterChunks: 0 });
    const res = await post({ messages: USER });
    await expect(res.text()).rejects.toThrow();
  });

  it('waits delayMs before the first byte and chunkDelayMs between chunks', async () => {
    fake.enqueue({ text: 'a', delayMs: 150 }, { text: ['a', 'b'], chunkDelayMs: 40 });
    let started = Date.now();
    await (await post({ messages: USER })).json();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    started = Date.now();
    await streamChunks({ stream: true, messages: USER });
    // 5 frames (role, a, b, finish, DONE) mean 4 gaps.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('lets raw write anything', async () => {
    fake.enqueue({ raw: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('surprise') });
    expect(await (await post({ messages: USER })).text()).toBe('surprise');
  });

  it('close() does not hang on a stream still open', async () => {
    fake.enqueue({ text: 'a b c', chunkDelayMs: 60_000 });
    const res = await post({ stream: true, messages: USER });
    const reading = readStreamBody(res);
    const started = Date.now();
    await fake.close();
    expect((await reading).error).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('fake OpenAI chat: routes', () => {
  it('accepts any path ending in /chat/completions and Databricks invocations', async () => {
    for (const path of ['/chat/completions', '/openai/deployments/x/chat/completions', '/serving-endpoints/my-llm/invocations']) {
      const res = await post({ messages: USER }, path);
      expect(res.status).toBe(200);
    }
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/chat/completions',
      '/openai/deployments/x/chat/completions',
      '/serving-endpoints/my-llm/invocations',
    ]);
  });

  it('lists models and 404s unknown routes', async () => {
    const models = (await (await fetch(`${fake.url}/v1/models`)).json()) as { object: string; data: Array<{ id: string }> };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toEqual(['fake-model']);
    const missing = await post({}, '/v1/embeddings');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('tracks pending replies', async () => {
    fake.enqueue({ text: 'a' }, { text: 'b' });
    expect(fake.pending).toBe(2);
    await (await post({ messages: USER })).json();
    expect(fake.pending).toBe(1);
  });

  it('checks the bearer key when configured', async () => {
    const locked = await startFakeOpenAI({ apiKey: 'sk-right', models: ['a', 'b'] });
    try {
      const bad = await fetch(`${locked.url}/v1/models`, { headers: { authorization: 'Bearer sk-wrong' } });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
      const good = await fetch(`${locked.url}/v1/models`, { headers: { authorization: 'Bearer sk-right' } });
      expect(((await good.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(['a', 'b']);
    } finally {
      await locked.close();
    }
  });
});
