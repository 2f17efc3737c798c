import { describe, expect, it } from '@jest/globals';
import { newId } from './ids.js';
import { checkGrammar, collectMessage, mapEvents, MessageAccumulator, messageToEvents, StreamError } from './stream.js';
import { parseToolInput } from './tool-input.js';
import type { MessagesResponse, StreamEvent } from './types.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const answer: MessagesResponse = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content: [
    { type: 'thinking', thinking: 'Let me see.', signature: 'c2lnbmF0dXJl+/=' },
    { type: 'redacted_thinking', data: 'opaque' },
    { type: 'text', text: 'Reading it.', citations: null },
    { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: '/a', opts: { n: 1 } } },
    { type: 'tool_use', id: 'toolu_2', name: 'Now', input: {} },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 },
};

const start = (usage = { input_tokens: 3, output_tokens: 0 }): StreamEvent => ({
  type: 'message_start',
  message: { ...answer, content: [], stop_reason: null, usage },
});
const end: StreamEvent[] = [
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } },
  { type: 'message_stop' },
];

describe('messageToEvents', () => {
  it('streams a message in the exact grammar', () => {
    const events = messageToEvents(answer);
    expect(checkGrammar(events)).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      ...['content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toEqual({
      type: 'message_start',
      message: { ...answer, content: [], stop_reason: null, usage: { ...answer.usage, output_tokens: 0 } },
    });
    expect(events.slice(1, 5)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me see.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'c2lnbmF0dXJl+/=' } },
      { type: 'content_block_stop', index: 0 },
    ]);
    expect(events[5]).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } });
    expect(events[11]).toEqual({ type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{"path":"/a","opts":{"n":1}}' } });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: answer.usage,
    });
  });
});

describe('MessageAccumulator', () => {
  it('rebuilds what messageToEvents streams', () => {
    const acc = new MessageAccumulator();
    for (const ev of messageToEvents(answer)) acc.push(ev);
    expect(acc.message()).toEqual(answer);
  });

  it('joins partial JSON, reads empty JSON as {} and keeps bad JSON raw', () => {
    const acc = new MessageAccumulator();
    const tool = (index: number, pieces: string[]): StreamEvent[] => [
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id: `t${index}`, name: 'f', input: {} } },
      ...pieces.map((partial_json): StreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })),
      { type: 'content_block_stop', index },
    ];
    [start(), ...tool(0, ['{"a', '":[1,', '2]}']), ...tool(1, ['']), ...tool(2, []), ...tool(3, ['{"a":']), ...end].forEach((e) => acc.push(e));
    expect(acc.message().content.map((b) => b.input)).toEqual([{ a: [1, 2] }, {}, {}, { _raw: '{"a":' }]);
  });

  it('lets message_delta usage override message_start usage, field by field', () => {
    const acc = new MessageAccumulator();
    acc.push(start({ input_tokens: 3, output_tokens: 1, cache_read_input_tokens: 2 } as never));
    acc.push({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { output_tokens: 9, input_tokens: 7, cache_read_input_tokens: null, cache_creation_input_tokens: 4 },
    });
    const msg = acc.message();
    expect(msg.usage).toEqual({ input_tokens: 7, output_tokens: 9, cache_read_input_tokens: 2, cache_creation_input_tokens: 4 });
    expect(msg.stop_reason).toBe('max_tokens');
  });

  it('tracks only the summary with { content: false }', () => {
    const acc = new MessageAccumulator({ content: false });
    for (const ev of messageToEvents(answer)) acc.push(ev);
    expect(acc.message()).toEqual({ ...answer, content: [] });
  });

  it('concatenates text and citations and throws before message_start', () => {
    const acc = new MessageAccumulator();
    expect(() => acc.message()).toThrow('no message_start');
    acc.push(start());
    acc.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    acc.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } });
    acc.push({ type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: { n: 1 } } });
    acc.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } });
    acc.push({ type: 'content_block_delta', index: 5, delta: { type: 'text_delta', text: 'ignored' } });
    expect(acc.message().content).toEqual([{ type: 'text', text: 'Hello', citations: [{ n: 1 }] }]);
  });
});

describe('collectMessage', () => {
  it('collects a stream', async () => {
    expect(await collectMessage(from(messageToEvents(answer)))).toEqual(answer);
  });

  it('throws a StreamError carrying the error body', async () => {
    const body = { type: 'overloaded_error', message: 'Overloaded' };
    const error = await collectMessage(from([start(), { type: 'error', error: body }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ name: 'StreamError', message: 'Overloaded', body });
  });

  it('refuses a truncated stream', async () => {
    await expect(collectMessage(from([start()]))).rejects.toMatchObject({ body: { type: 'api_error' } });
  });
});

describe('mapEvents', () => {
  it('keeps, replaces, expands and drops, lazily, with sync or async fns', async () => {
    const seen: string[] = [];
    const mapped = mapEvents(from(messageToEvents(answer)), (ev): StreamEvent | StreamEvent[] | null => {
      seen.push(ev.type);
      if (ev.type === 'message_start') return [ev, { type: 'ping' }];
      if (ev.type === 'content_block_delta') return null;
      return ev;
    });
    const first = await mapped.next();
    expect(first.value).toMatchObject({ type: 'message_start' });
    expect(seen).toEqual(['message_start']);
    const rest = await all(mapped);
    expect(rest[0]).toEqual({ type: 'ping' });
    expect(rest.some((e) => e.type === 'content_block_delta')).toBe(false);

    const asyncMapped = await all(mapEvents(from([1, 2, 3]), async (n) => (n === 2 ? null : n * 10)));
    expect(asyncMapped).toEqual([10, 30]);
  });
});

describe('checkGrammar', () => {
  const text = (index: number): StreamEvent[] => [
    { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index, delta: { type: 'text_delta', text: 'x' } },
    { type: 'content_block_stop', index },
  ];

  it('accepts valid streams, with pings, and an error as the last event', () => {
    expect(checkGrammar([start(), { type: 'ping' }, ...text(0), { type: 'ping' }, ...text(1), ...end])).toEqual([]);
    expect(checkGrammar([start(), ...end])).toEqual([]);
    expect(checkGrammar([start(), text(0)[0]!, { type: 'error', error: { type: 'api_error', message: 'x' } }])).toEqual([]);
  });

  it.each<[string, StreamEvent[], string]>([
    ['empty', [], 'the stream is empty'],
    ['no message_start', [...text(0), ...end], '#0 content_block_start: the stream must begin with message_start'],
    ['ping first', [{ type: 'ping' }, start(), ...end], '#0 ping: the stream must begin with message_start'],
    ['two message_start', [start(), start(), ...end], '#1 message_start: a second message_start'],
    [
      'usage missing',
      [{ type: 'message_start', message: { ...answer, content: [], usage: {} as never } }, ...end],
      '#0 message_start: message.usage needs numeric input_tokens and output_tokens',
    ],
    ['index skipped', [start(), ...text(1), ...end], '#1 content_block_start: index 1, expected 0'],
    ['index reused', [start(), ...text(0), ...text(0), ...end], '#4 content_block_start: index 0, expected 1'],
    ['block not closed', [start(), ...text(0).slice(0, 2), ...end], '#3 message_delta: block 0 is still open'],
    ['blocks interleaved', [start(), text(0)[0]!, ...text(1), ...end], '#2 content_block_start: block 0 is still open'],
    ['delta outside a block', [start(), text(0)[1]!, ...end], '#1 content_block_delta: index 0 is not the open block'],
    [
      'delta of the wrong kind',
      [start(), text(0)[0]!, { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } }, text(0)[2]!, ...end],
      '#2 content_block_delta: a input_json_delta in a text block',
    ],
    ['two message_delta', [start(), end[0]!, ...end], '#2 message_delta: a second message_delta'],
    ['no message_delta', [start(), { type: 'message_stop' }], '#1 message_stop: message_stop before message_delta'],
    ['no message_stop', [start(), end[0]!], 'the stream does not end with message_stop'],
    ['event after stop', [start(), ...end, { type: 'ping' }], '#3 ping: event after message_stop'],
    ['error not last', [start(), { type: 'error', error: { type: 'x', message: 'y' } }, ...end], '#1 error: an error event must be the last'],
    ['block after message_delta', [start(), end[0]!, ...text(0), end[1]!], '#2 content_block_start: a block after message_delta'],
  ])('reports %s', (_name, events, problem) => {
    expect(checkGrammar(events)).toContain(problem);
  });

  it('reports one problem for one mistake', () => {
    expect(checkGrammar([{ type: 'ping' }, start(), ...end])).toEqual(['#0 ping: the stream must begin with message_start']);
    expect(checkGrammar([{ type: 'error', error: { type: 'api_error', message: 'x' } }])).toEqual([]);
  });

  it('lets tool blocks of every kind take input_json_delta', () => {
    const events: StreamEvent[] = [
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 0 },
      ...end,
    ];
    expect(checkGrammar(events)).toEqual([]);
  });
});

describe('parseToolInput and newId', () => {
  it('parses tool input with the documented fallbacks', () => {
    expect(parseToolInput('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolInput('  ')).toEqual({});
    expect(parseToolInput('[1]')).toEqual({ _raw: '[1]' });
    expect(parseToolInput('{oops')).toEqual({ _raw: '{oops' });
  });

  it('makes prefixed unique ids of 24 base-62 characters, every character equally likely', () => {
    expect(newId('toolu')).toMatch(/^toolu_[A-Za-z0-9]{24}$/);
    const ids = new Set(Array.from({ length: 2000 }, () => newId('msg')));
    expect(ids.size).toBe(2000);
    // 48,000 characters over 62 values: about 774 each; rejection sampling keeps the first eight from being likelier.
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(600);
    for (const n of counts.values()) expect(n).toBeLessThan(950);
  });
});
