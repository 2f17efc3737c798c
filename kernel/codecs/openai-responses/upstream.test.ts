import { describe, expect, it } from '@jest/globals';
import { LynkrError } from '../../errors.js';
import type { SSEFrame } from '../../ir/sse.js';
import { checkGrammar, collectMessage, MessageAccumulator, messageToEvents } from '../../ir/stream.js';
import type { MessagesRequest, MessagesResponse, StreamEvent } from '../../ir/types.js';
import { toResponsesStream } from './stream.js';
import { toResponsesResponse } from './response.js';
import { fromResponsesUpstreamResponse, fromResponsesUpstreamStream, RESPONSES_MIN_OUTPUT_TOKENS, toResponsesUpstreamRequest } from './upstream.js';
import type { ResponsesStreamEvent } from './types.js';

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** Events as an upstream frames them: `event: <type>` and the JSON. */
const framed = (events: ReadonlyArray<{ type: string }>): SSEFrame[] => events.map((e) => ({ event: e.type, data: JSON.stringify(e) }));

/** Every IR event, and the error that ended the stream, if any. */
async function read(frames: SSEFrame[], opts: { release?: () => void } = {}): Promise<{ events: StreamEvent[]; error: LynkrError | undefined }> {
  const events: StreamEvent[] = [];
  try {
    for await (const ev of fromResponsesUpstreamStream(from(frames), { label: 'up', model: 'gpt-up', ...opts })) events.push(ev);
  } catch (error) {
    expect(error).toBeInstanceOf(LynkrError);
    return { events, error: error as LynkrError };
  }
  return { events, error: undefined };
}

const answer = (content: MessagesResponse['content'], extra: Partial<MessagesResponse> = {}): MessagesResponse => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'gpt-up',
  content,
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 30, cache_read_input_tokens: 90 },
  ...extra,
});

/** An IR answer as OpenAI would stream it: the front door's encoder is checked against the official SDK (stream.test.ts). */
async function upstreamFrames(msg: MessagesResponse): Promise<SSEFrame[]> {
  const out: ResponsesStreamEvent[] = [];
  for await (const ev of toResponsesStream(from(messageToEvents(msg)), { id: 'resp_1', createdAt: 1, model: 'gpt-up' })) out.push(ev);
  return framed(out);
}

const message = (events: StreamEvent[]) => {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
};

const seq = (type: string, fields: object, n = 0) => ({ type, sequence_number: n, ...fields });
const created = seq('response.created', { response: { id: 'resp_1', status: 'in_progress', output: [] } });
const textItem = seq('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_a', role: 'assistant', status: 'in_progress', content: [] } });
const textDelta = (delta: string) => seq('response.output_text.delta', { item_id: 'msg_a', output_index: 0, content_index: 0, delta, logprobs: [] });

describe('toResponsesUpstreamRequest', () => {
  const ir: MessagesRequest = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1,
    system: 'You code.',
    thinking: { type: 'enabled', budget_tokens: 20_000 },
    tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { p: { type: 'string' } } } }, { name: 'Now' }],
    tool_choice: { type: 'any' },
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Looking.' }, { type: 'tool_use', id: 'call_1', name: 'Read', input: { p: 'a' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'gone', is_error: true }, { type: 'text', text: 'well?' }] },
    ],
  };

  it('builds a stateless request: instructions, items, flat tools, forced choice, effort from the thinking budget', () => {
    expect(toResponsesUpstreamRequest(ir, { model: 'gpt-5-codex', stream: true })).toEqual({
      model: 'gpt-5-codex',
      store: false,
      stream: true,
      instructions: 'You code.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBO', detail: 'auto' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'Read', arguments: '{"p":"a"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Error: gone' },
        { role: 'user', content: [{ type: 'input_text', text: 'well?' }] },
      ],
      tools: [
        { type: 'function', name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { p: { type: 'string' } } }, strict: false },
        { type: 'function', name: 'Now', parameters: { type: 'object', properties: {} }, strict: false },
      ],
      tool_choice: 'required',
      // Claude Code's max_tokens: 1 probe: the API refuses anything under 16.
      max_output_tokens: RESPONSES_MIN_OUTPUT_TOKENS,
      reasoning: { effort: 'high' },
    });
  });

  it('clamps max_output_tokens to the model\'s limit and sends no stream flag for a whole answer', () => {
    const body = toResponsesUpstreamRequest({ ...ir, max_tokens: 64_000, thinking: undefined }, { model: 'm', stream: false, maxOutputTokens: 32_768 });
    expect(body.max_output_tokens).toBe(32_768);
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('reasoning');
  });
});

describe('fromResponsesUpstreamStream', () => {
  it('reads text and parallel function calls as they stream, in the Anthropic grammar, cached tokens apart', async () => {
    const msg = answer(
      [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_b', name: 'list_cities', input: {} },
      ],
      { stop_reason: 'tool_use' },
    );
    let released = 0;
    const { events, error } = await read(await upstreamFrames(msg), { release: () => void released++ });
    expect(error).toBeUndefined();
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({
      model: 'gpt-up',
      content: msg.content,
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 30, cache_read_input_tokens: 90 },
    });
    expect(released).toBe(1);
  });

  it('maps an incomplete response to max_tokens or refusal', async () => {
    for (const [stop, reason] of [
      ['max_tokens', 'max_tokens'],
      ['refusal', 'refusal'],
    ] as const) {
      const { events } = await read(await upstreamFrames(answer([{ type: 'text', text: 'cut' }], { stop_reason: stop })));
      expect(checkGrammar(events)).toEqual([]);
      expect(message(events).stop_reason).toBe(reason);
    }
  });

  it('passes a streamed refusal on as text, and skips [DONE]', async () => {
    const refusal = seq('response.refusal.delta', { item_id: 'msg_a', output_index: 0, content_index: 0, delta: 'I cannot help with that.' });
    const done = seq('response.completed', { response: { status: 'completed', incomplete_details: null, usage: null, output: [] } });
    const { events } = await read([...framed([created, textItem, refusal, done]), { data: '[DONE]' }]);
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
  });

  it('throws before the first IR event when the response fails before any output, with the status its code stands for', async () => {
    const rateLimited = seq('response.failed', { response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Too many requests' } } });
    const { events, error } = await read(framed([created, seq('response.in_progress', {}), rateLimited]));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 429, message: 'upstream "up" answered 429: Too many requests' });

    const filtered = await read(framed([created, seq('error', { code: 'content_filter', message: 'The prompt was filtered', param: null })]));
    expect(filtered.error).toMatchObject({ status: 400, message: 'upstream "up" answered 400: The prompt was filtered' });
  });

  it('ends with the upstream error after what already streamed', async () => {
    const failed = seq('response.failed', { response: { status: 'failed', error: { code: 'server_error', message: 'The model crashed' } } });
    const { events, error } = await read(framed([created, textItem, textDelta('par'), failed]));
    expect(message(events).content).toEqual([{ type: 'text', text: 'par' }]);
    // A server error is the gateway's 502, the upstream's words in the message.
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_HTTP', status: 502, message: expect.stringContaining('The model crashed') });
    expect(checkGrammar([...events, { type: 'error', error: { type: 'api_error', message: error!.message } }])).toEqual([]);
  });

  it('fails a stream that ends before response.completed as DISCONNECTED, and a frame that is not JSON as PROTOCOL', async () => {
    const cut = await read(framed([created, textItem, textDelta('half')]));
    expect(cut.error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', message: 'upstream "up" ended its stream before response.completed' });
    const garbled = await read([...framed([created, textItem]), { data: '{nope' }]);
    expect(garbled.error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL' });
  });

  it('gives {} to a call whose arguments never stream', async () => {
    const call = { type: 'function_call', id: 'fc_1', call_id: 'call_x', name: 'now', arguments: '', status: 'in_progress' };
    const frames = framed([
      created,
      seq('response.output_item.added', { output_index: 0, item: call }),
      seq('response.output_item.done', { output_index: 0, item: { ...call, status: 'completed' } }),
      seq('response.completed', { response: { status: 'completed', incomplete_details: null, usage: null, output: [] } }),
    ]);
    const { events } = await read(frames);
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({ content: [{ type: 'tool_use', id: 'call_x', name: 'now', input: {} }], stop_reason: 'tool_use' });
  });
});

describe('fromResponsesUpstreamResponse', () => {
  const opts = { label: 'up', model: 'gpt-up' };

  it('reads a Response object', async () => {
    const msg = answer([{ type: 'text', text: 'Hi.' }, { type: 'tool_use', id: 'call_1', name: 'Read', input: { p: 1 } }], { stop_reason: 'tool_use' });
    const res = toResponsesResponse(msg, { id: 'resp_1', createdAt: 1, model: 'gpt-up' });
    const read = fromResponsesUpstreamResponse(JSON.parse(JSON.stringify(res)), opts);
    expect(read).toMatchObject({ content: msg.content, stop_reason: 'tool_use', usage: msg.usage, model: 'gpt-up' });
    expect(checkGrammar(messageToEvents(read))).toEqual([]);
    expect((await collectMessage(from(messageToEvents(read)))).content).toEqual(msg.content);
  });

  it('throws for a failed response, an error body, and something that is not a response', () => {
    const thrown = (body: unknown): unknown => {
      try {
        fromResponsesUpstreamResponse(body, opts);
      } catch (error) {
        return error;
      }
      throw new Error('expected a throw');
    };
    expect(thrown({ object: 'response', status: 'failed', output: [], error: { code: 'rate_limit_exceeded', message: 'later' } })).toMatchObject({
      code: 'LYNKR_ERR_UPSTREAM_HTTP',
      status: 429,
    });
    expect(thrown({ error: { message: 'bad deployment', code: 404 } })).toMatchObject({ status: 404, message: 'upstream "up" answered 404: bad deployment' });
    expect(thrown({ hello: 1 })).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL' });
  });
});
