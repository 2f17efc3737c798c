import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { fetch } from 'undici';
import type { MessagesResponse, StreamEvent } from '../../kernel/ir/types.js';
import { fakeTokenCount, startFakeAnthropic, type FakeAnthropic } from './anthropic.js';
import { anthropicStreamProblems, parseSse, readStreamBody } from './sse.js';

let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
});

const USER = [{ role: 'user', content: 'hello there' }];

function post(body: unknown, path = '/v1/messages', headers: Record<string, string> = {}) {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Events of a stream after checking content type, framing and grammar. */
async function streamEvents(body: Record<string, unknown>): Promise<StreamEvent[]> {
  const res = await post({ model: 'claude-x', max_tokens: 100, stream: true, ...body });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const text = await res.text();
  expect(anthropicStreamProblems(text)).toEqual([]);
  return parseSse(text).map((f) => JSON.parse(f.data) as StreamEvent);
}

async function message(body: Record<string, unknown>): Promise<MessagesResponse> {
  const res = await post({ model: 'claude-x', max_tokens: 100, ...body });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  return (await res.json()) as MessagesResponse;
}

const deltas = (events: StreamEvent[]) =>
  events.flatMap((e) => (e.type === 'content_block_delta' ? [e.delta] : []));

describe('fake Anthropic: text', () => {
  it('echoes the last user text as a complete Message and records auth headers', async () => {
    const res = await post(
      { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
      '/v1/messages?beta=true',
      { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14' },
    );
    expect(res.headers.get('request-id')).toBe('req_fake1');
    expect(await res.json()).toEqual({
      id: 'msg_fake1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'echo: hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 },
    });
    const recorded = fake.requests[0];
    expect(recorded?.path).toBe('/v1/messages?beta=true');
    expect(recorded?.headers['x-api-key']).toBe('sk-ant-test');
    expect(recorded?.headers['anthropic-version']).toBe('2023-06-01');
    expect(recorded?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
  });

  it('streams exact bytes for a small reply', async () => {
    fake.enqueue({ text: 'Hi', usage: { input: 3, output: 1 } });
    const res = await post({ model: 'claude-x', max_tokens: 10, stream: true, messages: USER });
    const frame = (name: string, data: string) => `event: ${name}\ndata: ${data}\n\n`;
    expect(await res.text()).toBe(
      frame(
        'message_start',
        '{"type":"message_start","message":{"id":"msg_fake1","type":"message","role":"assistant","model":"claude-x",' +
          '"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,' +
          '"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}',
      ) +
        frame('ping', '{"type":"ping"}') +
        frame('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}') +
        frame('content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}') +
        frame('content_block_stop', '{"type":"content_block_stop","index":0}') +
        frame(
          'message_delta',
          '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1}}',
        ) +
        frame('message_stop', '{"type":"message_stop"}'),
    );
  });

  it('streams the echo in the default reply, with cache usage in message_start', async () => {
    fake.enqueue({ text: 'one two three', usage: { input: 5, output: 9, cacheRead: 100, cacheCreation: 20 } });
    const events = await streamEvents({ messages: USER });
    const start = events[0];
    expect(start?.type === 'message_start' && start.message.usage).toEqual({
      input_tokens: 5,
      cache_creation_input_tokens: 20,
      cache_read_input_tokens: 100,
      output_tokens: 1,
    });
    expect(deltas(events)).toEqual([
      { type: 'text_delta', text: 'one ' },
      { type: 'text_delta', text: 'two ' },
      { type: 'text_delta', text: 'three' },
    ]);
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 9 },
    });
  });

  it('reports stop sequences', async () => {
    fake.enqueue({ text: 'done', stopSequence: '###' });
    expect(await message({ messages: USER })).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '###' });
  });
});

describe('fake Anthropic: thinking and tools', () => {
  const thinking = { text: 'Let me think.', signature: 'c2lnbmF0dXJl+/==' };
  const tools = [
    { id: 'toolu_a', name: 'read', input: { path: '/tmp/a.txt' } },
    { name: 'now', input: {} },
  ];

  it('answers thinking with its signature as JSON', async () => {
    fake.enqueue({ thinking, text: 'Answer.', redactedThinking: 'opaque' });
    expect((await message({ messages: USER })).content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: thinking.signature },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Answer.' },
    ]);
  });

  it('streams thinking_delta pieces, then one signature_delta', async () => {
    fake.enqueue({ thinking, text: 'Answer.', redactedThinking: 'opaque' });
    const events = await streamEvents({ messages: USER });
    expect(events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block)).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: '' },
    ]);
    expect(deltas(events).slice(0, 4)).toEqual([
      { type: 'thinking_delta', thinking: 'Let ' },
      { type: 'thinking_delta', thinking: 'me ' },
      { type: 'thinking_delta', thinking: 'think.' },
      { type: 'signature_delta', signature: thinking.signature },
    ]);
  });

  it('answers tool uses as JSON with stop_reason tool_use', async () => {
    fake.enqueue({ toolUses: tools });
    const msg = await message({ messages: USER });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      { type: 'tool_use', id: 'toolu_a', name: 'read', input: { path: '/tmp/a.txt' } },
      { type: 'tool_use', id: 'toolu_fake1_1', name: 'now', input: {} },
    ]);
  });

  it('streams tool uses as input {} then several input_json_delta pieces', async () => {
    fake.enqueue({ toolUses: tools, text: 'Reading.' });
    const events = await streamEvents({ messages: USER });
    const starts = events.filter((e) => e.type === 'content_block_start');
    expect(starts.map((e) => e.content_block)).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'toolu_a', name: 'read', input: {} },
      { type: 'tool_use', id: 'toolu_fake1_1', name: 'now', input: {} },
    ]);
    const json = (index: number) =>
      events.flatMap((e) =>
        e.type === 'content_block_delta' && e.index === index && e.delta.type === 'input_json_delta' ? [e.delta.partial_json] : [],
      );
    expect(json(1).length).toBeGreaterThan(1);
    expect(JSON.parse(json(1).join(''))).toEqual({ path: '/tmp/a.txt' });
    expect(json(2).join('')).toBe('{}');
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });
});

describe('fake Anthropic: errors and broken streams', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('answers %i with %s error JSON', async (status, type) => {
    fake.enqueue({ status, error: { message: 'nope' }, headers: status === 429 ? { 'retry-after': '7' } : {} });
    const res = await post({ model: 'claude-x', max_tokens: 1, stream: true, messages: USER });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toBe('req_fake1');
    expect(res.headers.get('retry-after')).toBe(status === 429 ? '7' : null);
    expect(await res.text()).toBe(`{"type":"error","error":{"type":"${type}","message":"nope"}}`);
  });

  it('ends a stream with an error event after some events', async () => {
    fake.enqueue({ text: 'a b c', midStreamError: { type: 'overloaded_error', message: 'Overloaded' } });
    const events = await streamEvents({ messages: USER });
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
    expect(events.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('answers a midStreamError reply without stream as that error', async () => {
    fake.enqueue({ midStreamError: { type: 'overloaded_error', message: 'Overloaded' } });
    const res = await post({ model: 'claude-x', max_tokens: 1, messages: USER });
    expect(res.status).toBe(529);
  });

  it('dies after n events: the client gets those frames, then a socket error', async () => {
    fake.enqueue({ dieAfterEvents: 3 });
    const { text, error } = await readStreamBody(await post({ model: 'claude-x', max_tokens: 10, stream: true, messages: USER }));
    expect(error).toBeDefined();
    expect(parseSse(text).map((f) => f.event)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(anthropicStreamProblems(text)).toContain('stream ended without message_stop or error');
  });

  it('close() does not hang on a stream still open', async () => {
    fake.enqueue({ text: 'a b c', chunkDelayMs: 60_000 });
    const reading = readStreamBody(await post({ model: 'claude-x', max_tokens: 10, stream: true, messages: USER }));
    const started = Date.now();
    await fake.close();
    expect((await reading).error).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits delayMs before answering', async () => {
    fake.enqueue({ text: 'a', delayMs: 150 });
    const started = Date.now();
    await message({ messages: USER });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('fake Anthropic: side endpoints', () => {
  it('counts tokens deterministically without consuming the queue', async () => {
    fake.enqueue({ text: 'kept' });
    const body = { model: 'claude-x', messages: USER };
    const res = await post(body, '/v1/messages/count_tokens');
    expect(await res.json()).toEqual({ input_tokens: fakeTokenCount(JSON.stringify(body)) });
    expect(fake.pending).toBe(1);
  });

  it('lists models', async () => {
    const res = await fetch(`${fake.url}/v1/models`);
    expect(await res.json()).toEqual({
      data: [{ type: 'model', id: 'fake-model', display_name: 'fake-model', created_at: '2025-01-01T00:00:00Z' }],
      has_more: false,
      first_id: 'fake-model',
      last_id: 'fake-model',
    });
  });

  it('accepts x-api-key or a bearer token when a key is configured', async () => {
    const locked = await startFakeAnthropic({ apiKey: 'k1' });
    try {
      const url = `${locked.url}/v1/messages`;
      const body = JSON.stringify({ model: 'm', max_tokens: 1, messages: USER });
      expect((await fetch(url, { method: 'POST', body, headers: { 'x-api-key': 'k2' } })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', body, headers: { 'x-api-key': 'k1' } })).status).toBe(200);
      expect((await fetch(url, { method: 'POST', body, headers: { authorization: 'Bearer k1' } })).status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
