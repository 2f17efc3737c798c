import { describe, expect, it } from '@jest/globals';
import { checkGrammar, collectMessage, messageToEvents, StreamError } from '../../ir/stream.js';
import type { MessagesResponse, StreamEvent } from '../../ir/types.js';
import { fromChatStream, toChatStream } from './stream.js';
import type { ChatChunk, ChatChunkDelta, ChatFinishReason, ChatToolCallDelta, ChatUsage } from './types.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const meta = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'qwen' } as const;
const chunk = (delta: ChatChunkDelta, finish: ChatFinishReason | null = null): ChatChunk => ({
  ...meta,
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk = (usage: ChatUsage): ChatChunk => ({ ...meta, choices: [], usage });
const call = (index: number, id: string, name: string, args?: string): ChatChunk =>
  chunk({ tool_calls: [{ index, id, type: 'function', function: args === undefined ? { name } : { name, arguments: args } }] });
const args = (index: number, piece: string): ChatChunk => chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
const text = (content: string) => chunk({ content });

const opts = { model: 'claude-x', messageId: 'msg_1' };

/** Decode `chunks`, check the grammar, and return the events and the message they make. */
async function decode(chunks: ChatChunk[], options: Parameters<typeof fromChatStream>[1] = opts) {
  const events = await all(fromChatStream(from(chunks), options));
  expect(checkGrammar(events)).toEqual([]);
  return { events, message: await collectMessage(from(events)) };
}

/** The deltas as `index:kind:payload` strings, in stream order. */
const deltas = (events: StreamEvent[]) =>
  events.flatMap((e) => {
    if (e.type !== 'content_block_delta') return [];
    const d = e.delta;
    return [`${e.index}:${d.type === 'text_delta' ? d.text : d.type === 'input_json_delta' ? d.partial_json : d.type}`];
  });

describe('fromChatStream', () => {
  it('streams text with usage from the final chunk', async () => {
    const { events, message } = await decode([
      chunk({ role: 'assistant', content: '' }),
      text('Hel'),
      text('lo.'),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 64 } }),
    ]);
    expect(events[0]).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-x',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
    expect(deltas(events)).toEqual(['0:Hel', '0:lo.']);
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 36, output_tokens: 7, cache_read_input_tokens: 64 },
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello.' }]);
  });

  it('is lazy: each event is out before the next chunk is read', async () => {
    const log: string[] = [];
    async function* upstream(): AsyncGenerator<ChatChunk> {
      for (const [i, c] of [text('a'), call(0, 'call_1', 'Read', ''), args(0, '{"p"'), args(0, ':1}'), chunk({}, 'tool_calls')].entries()) {
        log.push(`chunk ${i}`);
        yield c;
      }
    }
    for await (const ev of fromChatStream(upstream(), opts)) {
      log.push(ev.type === 'content_block_delta' ? deltas([ev])[0]! : ev.type);
    }
    expect(log).toEqual([
      'chunk 0',
      'message_start',
      'content_block_start',
      '0:a',
      'chunk 1',
      'content_block_stop',
      'content_block_start',
      'chunk 2',
      '1:{"p"',
      'chunk 3',
      '1::1}',
      'chunk 4',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('gives three interleaved parallel calls a block each, streaming the first live', async () => {
    const { events, message } = await decode([
      text('Three reads.'),
      call(0, 'call_a', 'Read', ''),
      call(1, 'call_b', 'Grep', ''),
      call(2, 'call_c', 'Glob', ''),
      args(0, '{"p":'),
      args(1, '{"q":'),
      args(2, '{"g":'),
      args(0, '"a"}'),
      args(1, '"b"}'),
      args(2, '"c"}'),
      chunk({}, 'tool_calls'),
    ]);
    expect(message.content).toEqual([
      { type: 'text', text: 'Three reads.' },
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { p: 'a' } },
      { type: 'tool_use', id: 'call_b', name: 'Grep', input: { q: 'b' } },
      { type: 'tool_use', id: 'call_c', name: 'Glob', input: { g: 'c' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(deltas(events)).toEqual(['0:Three reads.', '1:{"p":', '1:"a"}', '2:{"q":"b"}', '3:{"g":"c"}']);
    // The first call's pieces go out as they arrive, before the others are complete.
    const first = events.findIndex((e) => e.type === 'content_block_delta' && e.index === 1);
    const second = events.findIndex((e) => e.type === 'content_block_start' && e.index === 2);
    expect(first).toBeLessThan(second);
  });

  it('handles calls sent one after the other, and a call split with its name in the first piece', async () => {
    const { message } = await decode([
      call(0, 'call_a', 'Read', '{"p":"a"}'),
      call(1, 'call_b', 'Read'),
      args(1, '{"p":'),
      args(1, '"b"}'),
      chunk({}, 'tool_calls'),
    ]);
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { p: 'a' } },
      { type: 'tool_use', id: 'call_b', name: 'Read', input: { p: 'b' } },
    ]);
  });

  it('gives {} to calls whose arguments are empty or never arrive', async () => {
    const { events, message } = await decode([call(0, 'call_a', 'Now', ''), call(1, 'call_b', 'Now'), chunk({}, 'tool_calls')]);
    expect(deltas(events)).toEqual(['0:{}', '1:{}']);
    expect(message.content.map((b) => b.input)).toEqual([{}, {}]);
  });

  it('tells calls apart by id when a server sends them all at index 0', async () => {
    const { message } = await decode([call(0, 'call_a', 'Read', '{"p":"a"}'), call(0, 'call_b', 'Read', '{"p":"b"}'), chunk({}, 'tool_calls')]);
    expect(message.content.map((b) => [b.id, b.input])).toEqual([
      ['call_a', { p: 'a' }],
      ['call_b', { p: 'b' }],
    ]);
  });

  it('gives an id to a call that has none', async () => {
    const { message } = await decode([chunk({ tool_calls: [{ index: 0, function: { name: 'Now', arguments: '{}' } } as ChatToolCallDelta] })]);
    expect(message.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'Now', input: {} }]);
  });

  it('opens no block for whitespace alone, and sends text that follows tool calls after them', async () => {
    const { message } = await decode([
      text('\n\n'),
      call(0, 'call_a', 'Read', '{}'),
      text('\n'),
      text('Done calling.'),
      call(1, 'call_b', 'Read', '{}'),
      chunk({}, 'tool_calls'),
    ]);
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Read', input: {} },
      { type: 'tool_use', id: 'call_b', name: 'Read', input: {} },
      { type: 'text', text: '\nDone calling.' },
    ]);
    const leading = await decode([text('\n'), text('  Hi')]);
    expect(leading.message.content).toEqual([{ type: 'text', text: '\n  Hi' }]);
  });

  it('ends properly without a finish reason', async () => {
    const plain = await decode([text('cut')]);
    expect(plain.message.stop_reason).toBe('end_turn');
    expect(plain.message.usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0 });
    const tools = await decode([call(0, 'call_a', 'Read', '{"p":'), args(0, '1}')]);
    expect(tools.message.stop_reason).toBe('tool_use');
    expect(tools.message.content).toEqual([{ type: 'tool_use', id: 'call_a', name: 'Read', input: { p: 1 } }]);
    const nothing = await decode([]);
    expect(nothing.message).toMatchObject({ content: [], stop_reason: 'end_turn' });
  });

  it('maps finish reasons, and says tool_use for tool calls whatever the server says', async () => {
    expect((await decode([text('a'), chunk({}, 'length')])).message.stop_reason).toBe('max_tokens');
    expect((await decode([text('a'), chunk({}, 'content_filter')])).message.stop_reason).toBe('refusal');
    expect((await decode([call(0, 'c', 'Now', '{}'), chunk({}, 'stop')])).message.stop_reason).toBe('tool_use');
  });

  it('drops reasoning, or streams it as a thinking block when asked', async () => {
    const chunks = [chunk({ reasoning_content: 'Let me ' }), chunk({ reasoning_content: 'think.' }), text('Answer.'), chunk({}, 'stop')];
    expect((await decode(chunks)).message.content).toEqual([{ type: 'text', text: 'Answer.' }]);
    const kept = await decode(chunks, { ...opts, keepReasoning: true });
    expect(kept.message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Answer.' },
    ]);
    const ollama = await decode([chunk({ reasoning: 'Hm.' }), text('A.')], { ...opts, keepReasoning: true });
    expect(ollama.message.content[0]).toEqual({ type: 'thinking', thinking: 'Hm.', signature: '' });
  });

  it('lets an upstream error propagate after the events already sent', async () => {
    async function* failing(): AsyncGenerator<ChatChunk> {
      yield text('partial');
      throw new Error('socket hang up');
    }
    const seen: StreamEvent[] = [];
    const run = async () => {
      for await (const ev of fromChatStream(failing(), opts)) seen.push(ev);
    };
    await expect(run()).rejects.toThrow('socket hang up');
    expect(seen.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('throws a StreamError for an error object inside the stream', async () => {
    const errorChunk = { ...meta, choices: [], error: { message: 'context length exceeded', type: 'invalid_request_error', param: null, code: null } };
    await expect(all(fromChatStream(from([text('a'), errorChunk]), opts))).rejects.toBeInstanceOf(StreamError);
  });
});

const answer: MessagesResponse = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content: [
    { type: 'thinking', thinking: 'Plan.', signature: 'sig' },
    { type: 'text', text: 'Reading two files.' },
    { type: 'tool_use', id: 'toolu_a', name: 'Read', input: { p: 'a' } },
    { type: 'tool_use', id: 'toolu_b', name: 'Now', input: {} },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 30, cache_read_input_tokens: 90 },
};
const chatOpts = { id: 'chatcmpl-9', created: 1700000000, model: 'claude-x', includeUsage: true };

describe('toChatStream', () => {
  it('sends a role chunk, content, tool calls with id and name once, a finish chunk and usage', async () => {
    const chunks = await all(toChatStream(from(messageToEvents(answer)), chatOpts));
    const head = { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1700000000, model: 'claude-x' };
    const c = (delta: ChatChunkDelta, finish_reason: ChatFinishReason | null = null) => ({ ...head, choices: [{ index: 0, delta, finish_reason, logprobs: null }] });
    expect(chunks).toEqual([
      c({ role: 'assistant', content: '' }),
      c({ content: 'Reading two files.' }),
      c({ tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'Read', arguments: '' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: '{"p":"a"}' } }] }),
      c({ tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'Now', arguments: '' } }] }),
      c({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      c({}, 'tool_calls'),
      { ...head, choices: [], usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130, prompt_tokens_details: { cached_tokens: 90 } } },
    ]);
  });

  it('sends no usage chunk unless asked', async () => {
    const chunks = await all(toChatStream(from(messageToEvents({ ...answer, content: [], stop_reason: 'max_tokens' })), { ...chatOpts, includeUsage: false }));
    expect(chunks.map((ch) => [ch.choices[0]?.delta, ch.choices[0]?.finish_reason])).toEqual([
      [{ role: 'assistant', content: '' }, null],
      [{}, 'length'],
    ]);
  });

  it('throws a StreamError for an error event', async () => {
    const events: StreamEvent[] = [messageToEvents(answer)[0]!, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }];
    await expect(all(toChatStream(from(events), chatOpts))).rejects.toMatchObject({ body: { type: 'overloaded_error' } });
  });

  it('round-trips with fromChatStream', async () => {
    const chunks = toChatStream(from(messageToEvents(answer)), chatOpts);
    const events = await all(fromChatStream(chunks, opts));
    expect(checkGrammar(events)).toEqual([]);
    expect(await collectMessage(from(events))).toEqual({ ...answer, content: answer.content.slice(1) });
  });
});
