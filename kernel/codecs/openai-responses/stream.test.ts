import { describe, expect, it } from '@jest/globals';
// The official SDK's own accumulator: the strictest reader of a Responses stream there is.
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { checkGrammar, collectMessage, messageToEvents, StreamError } from '../../ir/stream.js';
import type { MessagesResponse, StreamEvent } from '../../ir/types.js';
import { ResponsesStreamEncoder, type ToResponsesOptions } from './encoder.js';
import { carriedReasoning, RESPONSES_FAMILY } from './reasoning.js';
import { fromResponsesResponse, toResponsesResponse } from './response.js';
import { fromResponsesStream, toResponsesStream } from './stream.js';
import type { ResponsesRequest, ResponsesStreamEvent } from './types.js';

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const message = (content: MessagesResponse['content'], extra: Partial<MessagesResponse> = {}): MessagesResponse => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content,
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 30, cache_read_input_tokens: 90 },
  ...extra,
});

const opts = { id: 'resp_1', createdAt: 1700000000, model: 'gpt-test' };

type Of<T extends ResponsesStreamEvent['type']> = Extract<ResponsesStreamEvent, { type: T }>;
const ofType = <T extends ResponsesStreamEvent['type']>(events: ResponsesStreamEvent[], type: T): Array<Of<T>> =>
  events.filter((e): e is Of<T> => e.type === type);
/** The Response of the stream's last event. */
const last = (events: ResponsesStreamEvent[]) => (events.at(-1) as Of<'response.completed'>).response;

/** Feed events to the SDK's accumulator, as `responses.stream().finalResponse()` does. */
function sdkFinal(events: ResponsesStreamEvent[]): unknown {
  let snapshot: ReturnType<typeof accumulateResponse> | undefined;
  for (const ev of events) snapshot = accumulateResponse(ev as unknown as ResponseStreamEvent, snapshot);
  return snapshot;
}

const encode = (msg: MessagesResponse, extra: Partial<ToResponsesOptions> = {}) =>
  all(toResponsesStream(from(messageToEvents(msg)), { ...opts, ...extra }));

describe('toResponsesStream', () => {
  it('sends the full typed sequence for a text answer, sequence numbers strictly increasing', async () => {
    const events = await encode(message([{ type: 'text', text: 'Hello.' }]));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(last(events)).toMatchObject({
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'claude-x',
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello.', annotations: [] }] }],
      usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 90 }, output_tokens: 30, total_tokens: 130 },
    });
    expect(events[0]).toMatchObject({ type: 'response.created', response: { status: 'in_progress', output: [], usage: null } });
    expect(sdkFinal(events)).toMatchObject({ output_text: 'Hello.', status: 'completed' });
  });

  it('gives parallel function calls an output item each, names mapped back to their namespace', async () => {
    const msg = message(
      [
        { type: 'text', text: 'Two.' },
        { type: 'tool_use', id: 'call_a', name: 'exec_command', input: { cmd: 'ls' } },
        { type: 'tool_use', id: 'call_b', name: 'multi_agent_v1__spawn_agent', input: {} },
      ],
      { stop_reason: 'tool_use' },
    );
    const toolNames = new Map([['multi_agent_v1__spawn_agent', { name: 'spawn_agent', namespace: 'multi_agent_v1' }]]);
    const events = await encode(msg, { toolNames });
    const added = ofType(events, 'response.output_item.added');
    expect(added.map((e) => [e.output_index, e.item.type])).toEqual([
      [0, 'message'],
      [1, 'function_call'],
      [2, 'function_call'],
    ]);
    const argDeltas = ofType(events, 'response.function_call_arguments.delta');
    expect(argDeltas.map((e) => [e.output_index, e.delta])).toEqual([
      [1, '{"cmd":"ls"}'],
      [2, '{}'],
    ]);
    // Each item is done before the next begins.
    const order = events.filter((e) => e.type.startsWith('response.output_item')).map((e) => `${e.type.slice(21)}:${(e as { output_index: number }).output_index}`);
    expect(order).toEqual(['added:0', 'done:0', 'added:1', 'done:1', 'added:2', 'done:2']);
    const final = last(events);
    expect(final.output.slice(1)).toEqual([
      { type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_a', name: 'exec_command', arguments: '{"cmd":"ls"}', status: 'completed' },
      { type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_b', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{}', status: 'completed' },
    ]);
    expect(sdkFinal(events)).toMatchObject({ output: final.output });
    for (let i = 1; i < events.length; i++) expect(events[i]!.sequence_number).toBeGreaterThan(events[i - 1]!.sequence_number);
  });

  it('streams a custom tool call as custom_tool_call with its free text', async () => {
    const events = await encode(message([{ type: 'tool_use', id: 'c1', name: 'apply_patch', input: { input: '*** Begin Patch' } }], { stop_reason: 'tool_use' }), {
      toolNames: new Map([['apply_patch', { name: 'apply_patch', custom: true }]]),
    });
    expect(events.map((e) => e.type)).toContain('response.custom_tool_call_input.done');
    expect(last(events).output).toEqual([
      { type: 'custom_tool_call', id: expect.stringMatching(/^ctc_/), call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch', status: 'completed' },
    ]);
    expect(sdkFinal(events)).toMatchObject({ output: [{ type: 'custom_tool_call', input: '*** Begin Patch' }] });
  });

  it('turns thinking into reasoning items, showing encrypted_content only when asked', async () => {
    const msg = message([
      { type: 'thinking', thinking: 'Plan.', signature: 'sig-anthropic' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Done.' },
    ]);
    const hidden = await encode(msg, { reasoningFamily: 'anthropic' });
    expect(hidden.map((e) => e.type).slice(2, 9)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    const output = last(hidden).output;
    expect(output.slice(0, 2)).toEqual([
      { type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'Plan.' }] },
      { type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [] },
    ]);
    expect(sdkFinal(hidden)).toMatchObject({ output_text: 'Done.' });

    const shown = await encode(msg, { reasoningFamily: 'anthropic', includeEncrypted: true });
    const [thinking, redacted] = last(shown).output as Array<{ encrypted_content: string }>;
    // Another family's blocks travel whole inside encrypted_content, and come back out as they were.
    expect(carriedReasoning({ type: 'thinking', thinking: 'Plan.', signature: thinking!.encrypted_content })).toEqual({
      family: 'anthropic',
      block: { type: 'thinking', thinking: 'Plan.', signature: 'sig-anthropic' },
    });
    expect(carriedReasoning({ type: 'thinking', thinking: '', signature: redacted!.encrypted_content })).toEqual({
      family: 'anthropic',
      block: { type: 'redacted_thinking', data: 'opaque' },
    });

    const native = await encode(msg, { reasoningFamily: RESPONSES_FAMILY, includeEncrypted: true });
    expect(last(native).output[0]).toMatchObject({ encrypted_content: 'sig-anthropic' });
  });

  it('keeps encrypted_content for the store even when it hides it', () => {
    const encoder = new ResponsesStreamEncoder({ ...opts, reasoningFamily: RESPONSES_FAMILY });
    encoder.start();
    for (const ev of messageToEvents(message([{ type: 'thinking', thinking: 'P.', signature: 'gAAAA' }]))) encoder.push(ev);
    expect(encoder.response.output[0]).not.toHaveProperty('encrypted_content');
    expect(encoder.storedOutput[0]).toMatchObject({ encrypted_content: 'gAAAA' });
  });

  it.each([
    ['max_tokens', { reason: 'max_output_tokens' }],
    ['refusal', { reason: 'content_filter' }],
  ] as const)('ends a %s answer with response.incomplete', async (stop, details) => {
    const events = await encode(message([{ type: 'text', text: 'cut' }], { stop_reason: stop }));
    expect(events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: details } });
  });

  it('ends with response.failed on an error event, a thrown error, or a stream cut short', async () => {
    const start = messageToEvents(message([{ type: 'text', text: 'partial' }])).slice(0, 3);
    const withError: StreamEvent[] = [...start, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }];
    const failed = await all(toResponsesStream(from(withError), opts));
    expect(failed.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error', message: 'Overloaded' }, output: [{ type: 'message', status: 'incomplete', content: [{ text: 'partial' }] }] },
    });
    expect(failed.map((e) => e.sequence_number)).toEqual(failed.map((_, i) => i));

    async function* throwing(): AsyncGenerator<StreamEvent> {
      yield* start;
      throw new StreamError({ type: 'rate_limit_error', message: 'slow down' });
    }
    expect((await all(toResponsesStream(throwing(), opts))).at(-1)).toMatchObject({ type: 'response.failed', response: { error: { code: 'rate_limit_exceeded' } } });
    const described = await all(toResponsesStream(throwing(), opts, () => ({ code: 'mine', message: 'm' })));
    expect(described.at(-1)).toMatchObject({ response: { error: { code: 'mine' } } });
    expect((await all(toResponsesStream(from(start), opts))).at(-1)).toMatchObject({
      type: 'response.failed',
      response: { error: { message: 'the upstream stream ended before the answer was complete' } },
    });
  });

  it('echoes the request parameters in the Response object', async () => {
    const request: ResponsesRequest = { model: 'gpt-test', instructions: 'I.', tools: [{ type: 'function', name: 'f' }], tool_choice: 'required', store: false, max_output_tokens: 50, metadata: { a: 'b' } };
    const events = await encode(message([]), { request });
    expect(last(events)).toMatchObject({
      instructions: 'I.',
      tools: request.tools,
      tool_choice: 'required',
      store: false,
      max_output_tokens: 50,
      metadata: { a: 'b' },
      output: [],
    });
  });
});

describe('toResponsesResponse', () => {
  it('builds the same output as the stream', async () => {
    const msg = message([{ type: 'text', text: 'Hi.' }, { type: 'tool_use', id: 'call_a', name: 'f', input: { a: 1 } }], { stop_reason: 'tool_use' });
    const whole = toResponsesResponse(msg, opts);
    const streamed = last(await encode(msg));
    const ids = (r: { output: Array<{ id: string }> }) => r.output.map((i) => ({ ...i, id: i.id.slice(0, 3) }));
    expect(ids(whole)).toEqual(ids(streamed));
    expect(whole.status).toBe('completed');
  });

  it('encodeWhole builds the Response a stream of the same answer ends with', async () => {
    const answers = [
      message([{ type: 'thinking', thinking: 'P.', signature: 'sig' }, { type: 'text', text: 'Hi.' }, { type: 'tool_use', id: 'call_a', name: 'f', input: { a: 1 } }], { stop_reason: 'tool_use' }),
      message([{ type: 'text', text: 'cut' }], { stop_reason: 'max_tokens', usage: { input_tokens: 3, output_tokens: 64 } }),
      message([]),
    ];
    const ids = (r: { output: Array<{ id: string }> }) => ({ ...r, output: r.output.map((i) => ({ ...i, id: i.id.slice(0, 3) })) });
    for (const msg of answers) {
      const encoder = new ResponsesStreamEncoder({ ...opts, includeEncrypted: true });
      const whole = encoder.encodeWhole(msg);
      const streamed = last(await encode(msg, { includeEncrypted: true }));
      expect(ids(whole)).toEqual(ids(streamed));
      expect(encoder.storedOutput.map((i) => i.type)).toEqual(streamed.output.map((i) => i.type));
    }
  });

  it('encodeWhole takes an upstream message without usage (usage null, not a failure)', () => {
    const { usage: _none, ...bare } = message([{ type: 'text', text: 'Hi.' }]);
    const whole = new ResponsesStreamEncoder(opts).encodeWhole(bare as MessagesResponse);
    expect(whole.status).toBe('completed');
    expect(whole.usage).toBeNull();
  });
});

describe('fromResponsesStream', () => {
  const answer = message(
    [
      { type: 'text', text: 'Reading two files.' },
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { p: 'a' } },
      { type: 'tool_use', id: 'call_b', name: 'ns__Now', input: {} },
    ],
    { stop_reason: 'tool_use' },
  );

  it('round-trips with toResponsesStream in the Anthropic grammar', async () => {
    const toolNames = new Map([['ns__Now', { name: 'Now', namespace: 'ns' }]]);
    const responses = toResponsesStream(from(messageToEvents(answer)), { ...opts, toolNames });
    const events = await all(fromResponsesStream(responses, { model: 'claude-x', messageId: 'msg_1' }));
    expect(checkGrammar(events)).toEqual([]);
    expect(await collectMessage(from(events))).toEqual(answer);
  });

  it('keeps reasoning as thinking only when asked', async () => {
    const msg = message([{ type: 'thinking', thinking: 'P.', signature: 'gAAAA' }, { type: 'text', text: 'A.' }]);
    const encoded = await all(toResponsesStream(from(messageToEvents(msg)), { ...opts, includeEncrypted: true }));
    const kept = await all(fromResponsesStream(from(encoded), { model: 'claude-x', messageId: 'msg_1', keepReasoning: true }));
    expect(checkGrammar(kept)).toEqual([]);
    expect((await collectMessage(from(kept))).content).toEqual(msg.content);
    const dropped = await all(fromResponsesStream(from(encoded), { model: 'claude-x' }));
    expect((await collectMessage(from(dropped))).content).toEqual([{ type: 'text', text: 'A.' }]);
  });

  it('throws a StreamError for response.failed, an error event, or a stream cut short', async () => {
    const failed = await all(toResponsesStream(from([messageToEvents(answer)[0]!, { type: 'error', error: { type: 'api_error', message: 'boom' } }] as StreamEvent[]), opts));
    await expect(all(fromResponsesStream(from(failed), { model: 'm' }))).rejects.toMatchObject({ body: { message: 'boom' } });
    const error = { type: 'error', code: 'rate_limit_exceeded', message: 'slow', param: null, sequence_number: 2 } as const;
    await expect(all(fromResponsesStream(from([failed[0]!, error]), { model: 'm' }))).rejects.toMatchObject({ body: { type: 'rate_limit_error' } });
    await expect(all(fromResponsesStream(from(failed.slice(0, 2)), { model: 'm' }))).rejects.toBeInstanceOf(StreamError);
  });

  it('gives {} to a call whose arguments never stream', async () => {
    const events: ResponsesStreamEvent[] = [
      { type: 'response.created', sequence_number: 0, response: toResponsesResponse(message([]), opts) },
      { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'Now', arguments: '', status: 'in_progress' } },
      { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'Now', arguments: '', status: 'completed' } },
      { type: 'response.completed', sequence_number: 3, response: toResponsesResponse(message([]), opts) },
    ];
    const out = await collectMessage(fromResponsesStream(from(events), { model: 'm' }));
    expect(out.content).toEqual([{ type: 'tool_use', id: 'c', name: 'Now', input: {} }]);
    expect(out.stop_reason).toBe('tool_use');
  });
});

describe('fromResponsesResponse', () => {
  it('reads output items, usage and status', () => {
    const res = toResponsesResponse(
      message([{ type: 'text', text: 'Hi.' }, { type: 'tool_use', id: 'call_a', name: 'f', input: { a: 1 } }], { stop_reason: 'tool_use' }),
      opts,
    );
    expect(fromResponsesResponse(res, { model: 'claude-x', messageId: 'msg_1' })).toEqual(
      message([{ type: 'text', text: 'Hi.' }, { type: 'tool_use', id: 'call_a', name: 'f', input: { a: 1 } }], { stop_reason: 'tool_use' }),
    );
    const cut = toResponsesResponse(message([{ type: 'text', text: 'x' }], { stop_reason: 'max_tokens' }), opts);
    expect(fromResponsesResponse(cut, { model: 'm' }).stop_reason).toBe('max_tokens');
    expect(() => fromResponsesResponse({ ...cut, status: 'failed', error: { code: 'server_error', message: 'no' } }, { model: 'm' })).toThrow('no');
  });
});
