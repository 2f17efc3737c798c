import { describe, expect, it } from '@jest/globals';
import { checkGrammar, MessageAccumulator, type StreamEvent } from '../../kernel/index.js';
import { LynkrError } from '../../kernel/errors.js';
import { eventFrame, exceptionFrame } from '../../test/fakes/bedrock.js';
import { decodeEventStream } from './eventstream.js';
import { converseStreamEvents } from './stream.js';

async function* chunks(...pieces: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* pieces;
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function failure(p: Promise<unknown>): Promise<LynkrError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(LynkrError);
    return error as LynkrError;
  }
  throw new Error('expected a rejection');
}

const concat = (...frames: Uint8Array[]) => new Uint8Array(Buffer.concat(frames));

describe('decodeEventStream', () => {
  const frames = [eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo' } })];

  it('decodes frames that arrive one byte at a time', async () => {
    const bytes = concat(...frames);
    const pieces = [...bytes].map((b) => Uint8Array.of(b));
    const decoded = await collect(decodeEventStream(chunks(...pieces), 'bedrock'));
    expect(decoded.map((f) => f.headers[':event-type'])).toEqual(['messageStart', 'contentBlockDelta']);
    expect(JSON.parse(Buffer.from(decoded[1]!.body).toString('utf8'))).toMatchObject({ delta: { text: 'héllo' } });
  });

  it('decodes several frames in one chunk, and a frame split across chunk boundaries', async () => {
    const bytes = concat(...frames, ...frames);
    const cut = frames[0]!.length + 5;
    const decoded = await collect(decodeEventStream(chunks(bytes.subarray(0, cut), bytes.subarray(cut)), 'bedrock'));
    expect(decoded).toHaveLength(4);
    expect(decoded.map((f) => f.headers[':message-type'])).toEqual(['event', 'event', 'event', 'event']);
  });

  it('fails as DISCONNECTED when the body ends inside a frame', async () => {
    const bytes = concat(...frames);
    const err = await failure(collect(decodeEventStream(chunks(bytes.subarray(0, bytes.length - 3)), 'bedrock')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', message: 'upstream "bedrock" ended its event stream in the middle of a frame' });
  });

  it('fails as PROTOCOL on a bad CRC or an impossible length', async () => {
    const corrupt = concat(frames[1]!);
    // A payload byte: the message CRC no longer matches.
    corrupt[corrupt.length - 8] = corrupt.at(-8)! ^ 0xff;
    let err = await failure(collect(decodeEventStream(chunks(corrupt), 'bedrock')));
    expect(err.code).toBe('LYNKR_ERR_UPSTREAM_PROTOCOL');
    expect(err.message).toMatch(/^upstream "bedrock" sent a malformed event-stream frame: .*checksum/i);
    err = await failure(collect(decodeEventStream(chunks(Uint8Array.of(0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0)), 'bedrock')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', message: 'upstream "bedrock" sent an event-stream frame of impossible length 3' });
  });
});

describe('converseStreamEvents', () => {
  let released = 0;
  const translate = (...frames: Uint8Array[]) =>
    collect(
      converseStreamEvents(decodeEventStream(chunks(...frames), 'bedrock'), {
        model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        label: 'bedrock',
        requestId: 'abc-123',
        release: () => void (released += 1),
      }),
    );
  const delta = (index: number, d: Record<string, unknown>) => eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: d });
  const stop = (index: number) => eventFrame('contentBlockStop', { contentBlockIndex: index });
  const start = (index: number, id: string, name: string) => eventFrame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: id, name } } });
  const message = (events: StreamEvent[]) => {
    const acc = new MessageAccumulator();
    for (const ev of events) acc.push(ev);
    return acc.message();
  };

  it('translates reasoning, text and parallel tool calls, with the usage that comes after messageStop', async () => {
    released = 0;
    const events = await translate(
      eventFrame('messageStart', { role: 'assistant' }),
      delta(0, { reasoningContent: { text: 'Let me ' } }),
      delta(0, { reasoningContent: { text: 'think.' } }),
      delta(0, { reasoningContent: { signature: 'sig/+=' } }),
      stop(0),
      delta(1, { text: 'Checking ' }),
      delta(1, { text: 'both.' }),
      stop(1),
      start(2, 'tooluse_a', 'get_weather'),
      delta(2, { toolUse: { input: '{"city":' } }),
      delta(2, { toolUse: { input: '"Paris"}' } }),
      stop(2),
      start(3, 'tooluse_b', 'list_cities'),
      stop(3),
      eventFrame('messageStop', { stopReason: 'tool_use' }),
      eventFrame('metadata', { usage: { inputTokens: 12, outputTokens: 30, cacheReadInputTokens: 100, cacheWriteInputTokens: 7 }, metrics: { latencyMs: 5 } }),
    );
    expect(checkGrammar(events)).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'message_start', message: { id: 'msg_bdrk_abc123', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(message(events)).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig/+=' },
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'tooluse_a', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'tooluse_b', name: 'list_cities', input: {} },
      ],
      usage: { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 },
    });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 },
    });
    expect(released).toBe(1);
  });

  it('gives a redacted reasoning block its bytes whole, in its start event', async () => {
    const events = await translate(
      delta(0, { reasoningContent: { redactedContent: Buffer.from('opaque-').toString('base64') } }),
      delta(0, { reasoningContent: { redactedContent: Buffer.from('bytes').toString('base64') } }),
      stop(0),
      delta(1, { text: 'ok' }),
      eventFrame('messageStop', { stopReason: 'end_turn' }),
      eventFrame('metadata', { usage: { inputTokens: 1, outputTokens: 1 } }),
    );
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([
      { type: 'redacted_thinking', data: Buffer.from('opaque-bytes').toString('base64') },
      { type: 'text', text: 'ok' },
    ]);
  });

  it.each([
    ['guardrail_intervened', 'refusal'],
    ['content_filtered', 'refusal'],
    ['max_tokens', 'max_tokens'],
    ['model_context_window_exceeded', 'max_tokens'],
    ['something_new', 'end_turn'],
  ])('maps stopReason %s to %s', async (stopReason, expected) => {
    const events = await translate(delta(0, { text: 'x' }), eventFrame('messageStop', { stopReason }), eventFrame('metadata', { usage: {} }));
    expect(message(events).stop_reason).toBe(expected);
  });

  it('reports the matched stop sequence that Claude returns in additionalModelResponseFields', async () => {
    const events = await translate(
      delta(0, { text: 'x' }),
      eventFrame('messageStop', { stopReason: 'stop_sequence', additionalModelResponseFields: { stop_sequence: 'END' } }),
      eventFrame('metadata', { usage: { inputTokens: 1, outputTokens: 1 } }),
    );
    expect(message(events)).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('ends a stopped message whose metadata never came, and fails one cut before messageStop', async () => {
    const events = await translate(delta(0, { text: 'x' }), stop(0), eventFrame('messageStop', { stopReason: 'end_turn' }));
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).usage).toEqual({ input_tokens: 0, output_tokens: 0 });

    const partial: StreamEvent[] = [];
    const source = converseStreamEvents(decodeEventStream(chunks(delta(0, { text: 'half' })), 'bedrock'), { model: 'm', label: 'bedrock', requestId: undefined, release: () => undefined });
    const err = await failure(
      (async () => {
        for await (const ev of source) partial.push(ev);
      })(),
    );
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', message: 'upstream "bedrock" ended its stream before messageStop' });
    expect(partial.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it.each([
    ['throttlingException', 429, 429],
    ['validationException', 400, 400],
    ['modelStreamErrorException', 500, 502],
    ['internalServerException', 500, 502],
    ['serviceUnavailableException', 503, 502],
    ['ThrottlingException', 429, 429],
  ])('fails on a %s frame with the status it stands for', async (type, upstreamStatus, status) => {
    const err = await failure(translate(eventFrame('messageStart', { role: 'assistant' }), exceptionFrame(type, 'Too many tokens, please wait.')));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status, detail: { upstreamStatus } });
    expect(err.message).toBe(`upstream "bedrock" answered ${upstreamStatus}: Too many tokens, please wait.`);
  });

  it('fails on blocks that interleave, instead of merging or splitting them', async () => {
    const err = await failure(translate(start(0, 't1', 'a'), delta(1, { text: 'x' }), delta(0, { toolUse: { input: '{}' } })));
    expect(err).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', message: 'upstream "bedrock" sent tool input for block 0, which is not an open tool call' });
  });

  it('skips empty text deltas and event types it does not know', async () => {
    const events = await translate(
      eventFrame('messageStart', { role: 'assistant' }),
      delta(0, { text: '' }),
      stop(0),
      eventFrame('somethingNew', { x: 1 }),
      start(1, 't1', 'list_cities'),
      stop(1),
      eventFrame('messageStop', { stopReason: 'tool_use' }),
      eventFrame('metadata', { usage: { inputTokens: 1, outputTokens: 1 } }),
    );
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'tool_use', id: 't1', name: 'list_cities', input: {} }]);
  });
});
