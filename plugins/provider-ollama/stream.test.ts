import { describe, expect, it, jest } from '@jest/globals';
import { checkGrammar, collectMessage, LynkrError, messageToEvents, type StreamEvent, type UpstreamResponse } from '../../kernel/index.js';
import { fromOllamaResponse } from './answer.js';
import { ollamaChunks, wholeAnswer } from './chunks.js';
import { fromOllamaStream } from './stream.js';
import type { OllamaChatChunk } from './wire.js';

const opts = { model: 'qwen3:8b', keepThinking: false };

const part = (message: OllamaChatChunk['message']): OllamaChatChunk => ({ model: 'qwen3:8b', message: { role: 'assistant', content: '', ...message }, done: false });
const done = (extra: Partial<OllamaChatChunk> = {}): OllamaChatChunk => ({
  model: 'qwen3:8b',
  message: { role: 'assistant', content: '' },
  done: true,
  done_reason: 'stop',
  prompt_eval_count: 21,
  eval_count: 7,
  ...extra,
});

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function events(chunks: OllamaChatChunk[], options = opts): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of fromOllamaStream(iterate(chunks), options)) out.push(ev);
  return out;
}

const message = (evs: StreamEvent[]) => collectMessage(iterate(evs));

describe('fromOllamaStream', () => {
  it('streams text into one block and takes the usage from the done chunk', async () => {
    const evs = await events([part({ content: 'Hello' }), part({ content: ' world' }), done()]);
    expect(checkGrammar(evs)).toEqual([]);
    expect(evs.filter((e) => e.type === 'content_block_delta')).toHaveLength(2);
    expect(evs[0]).toMatchObject({ type: 'message_start', message: { model: 'qwen3:8b', usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(await message(evs)).toMatchObject({
      content: [{ type: 'text', text: 'Hello world' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 21, output_tokens: 7 },
    });
  });

  it('keeps thinking as a leading block only when asked, and opens no block for whitespace', async () => {
    const chunks = [part({ thinking: 'Let me ' }), part({ thinking: 'think.' }), part({ content: '\n\n' }), part({ content: 'Answer.' }), part({ thinking: 'late' }), done()];
    const kept = await events(chunks, { ...opts, keepThinking: true });
    expect(checkGrammar(kept)).toEqual([]);
    expect((await message(kept)).content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: '\n\nAnswer.' },
    ]);
    const dropped = await events(chunks);
    expect(checkGrammar(dropped)).toEqual([]);
    expect((await message(dropped)).content).toEqual([{ type: 'text', text: '\n\nAnswer.' }]);

    const blank = await events([part({ content: ' \n' }), done()]);
    expect(checkGrammar(blank)).toEqual([]);
    expect((await message(blank)).content).toEqual([]);
  });

  it('gives each whole tool call its own block, with a fresh unique id unless Ollama sent one, and stops with tool_use', async () => {
    const evs = await events([
      part({ content: 'Checking.' }),
      part({
        tool_calls: [
          { function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } },
          { function: { index: 1, name: 'list_cities', arguments: {} } },
        ],
      }),
      part({ tool_calls: [{ id: 'call_kept', function: { index: 2, name: 'get_time', arguments: '{"city":"Tokyo"}' } }] }),
      part({ tool_calls: [{ function: { name: 'broken', arguments: '{"city":' } }] }),
      // Ollama says `stop` with tool calls.
      done(),
    ]);
    expect(checkGrammar(evs)).toEqual([]);
    const answer = await message(evs);
    expect(answer.stop_reason).toBe('tool_use');
    expect(answer.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_[A-Za-z0-9]{24}_0$/), name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_[A-Za-z0-9]{24}_1$/), name: 'list_cities', input: {} },
      { type: 'tool_use', id: 'call_kept', name: 'get_time', input: { city: 'Tokyo' } },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'broken', input: { _raw: '{"city":' } },
    ]);
    const ids = answer.content.map((b) => b.id).filter(Boolean);
    expect(new Set(ids).size).toBe(4);
    // Another answer gets other ids.
    const again = await message(await events([part({ tool_calls: [{ function: { name: 'get_weather', arguments: {} } }] }), done()]));
    expect(ids).not.toContain(again.content[0]!.id);
  });

  it('maps done_reason length to max_tokens', async () => {
    const evs = await events([part({ content: 'cut' }), done({ done_reason: 'length' })]);
    expect((await message(evs)).stop_reason).toBe('max_tokens');
  });

  it('makes the same answer as the non-streamed path', async () => {
    const whole = fromOllamaResponse(
      done({
        message: { role: 'assistant', content: 'Checking.', thinking: 'hmm', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
        done_reason: 'stop',
      }),
      { ...opts, keepThinking: true },
    );
    expect(checkGrammar(messageToEvents(whole))).toEqual([]);
    expect(whole).toMatchObject({
      id: expect.stringMatching(/^msg_[A-Za-z0-9]{24}$/),
      model: 'qwen3:8b',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: '' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 21, output_tokens: 7 },
    });
    const streamed = await message(
      await events(
        [part({ thinking: 'hmm' }), part({ content: 'Checking.' }), part({ tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] }), done()],
        { ...opts, keepThinking: true },
      ),
    );
    expect({ ...streamed, id: '', content: streamed.content.map((b) => ({ ...b, id: '' })) }).toEqual({
      ...whole,
      id: '',
      content: whole.content.map((b) => ({ ...b, id: '' })),
    });
  });
});

/** An upstream response whose body is the given pieces, as the kernel's client hands it over. */
function response(pieces: ReadonlyArray<string | Uint8Array>): UpstreamResponse & { release: jest.Mock<() => void> } {
  const encoder = new TextEncoder();
  return {
    status: 200,
    headers: { 'content-type': 'application/x-ndjson' },
    body: iterate(pieces.map((p) => (typeof p === 'string' ? encoder.encode(p) : p))),
    takeArrived: () => undefined,
    bytes: () => Promise.reject(new Error('not used')),
    text: () => Promise.reject(new Error('not used')),
    json: () => Promise.reject(new Error('not used')),
    release: jest.fn<() => void>(),
  };
}

async function chunksOf(res: UpstreamResponse): Promise<{ chunks: OllamaChatChunk[]; error?: LynkrError }> {
  const chunks: OllamaChatChunk[] = [];
  try {
    for await (const c of ollamaChunks(res, 'ollama')) chunks.push(c);
  } catch (error) {
    expect(error).toBeInstanceOf(LynkrError);
    return { chunks, error: error as LynkrError };
  }
  return { chunks };
}

describe('ollamaChunks', () => {
  const lines = [part({ content: 'héllo' }), part({ content: ' wörld' }), done()].map((c) => `${JSON.stringify(c)}\n`).join('');

  it('reads lines cut anywhere across reads, a character split between two of them, and a last line without newline', async () => {
    const bytes = new TextEncoder().encode(lines.slice(0, -1));
    // Every 7 bytes: lines, and the two-byte é and ö, fall across piece boundaries.
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
    const res = response(pieces);
    const { chunks, error } = await chunksOf(res);
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.message?.content)).toEqual(['héllo', ' wörld', '']);
    expect(chunks.at(-1)).toMatchObject({ done: true, eval_count: 7 });
    expect(res.release).toHaveBeenCalledTimes(1);
  });

  it('stops at the done chunk and releases the connection', async () => {
    const res = response([lines, `${JSON.stringify(part({ content: 'after the end' }))}\n`]);
    const { chunks } = await chunksOf(res);
    expect(chunks).toHaveLength(3);
    expect(res.release).toHaveBeenCalledTimes(1);
  });

  it('fails a body that ends without the done chunk as DISCONNECTED', async () => {
    const res = response([`${JSON.stringify(part({ content: 'half' }))}\n`]);
    const { chunks, error } = await chunksOf(res);
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', message: 'upstream "ollama" ended its stream before the done chunk' });
    expect(res.release).not.toHaveBeenCalled();
  });

  it('fails on an error line with Ollama\'s message', async () => {
    const { chunks, error } = await chunksOf(response([`${JSON.stringify(part({ content: 'a' }))}\n{"error":"an error was encountered while running the model"}\n`]));
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'LYNKR_ERR_UPSTREAM_HTTP',
      status: 502,
      message: 'upstream "ollama" answered 502: an error was encountered while running the model',
    });
  });

  it('fails on a line that is not JSON, or not an object, as PROTOCOL', async () => {
    let { error } = await chunksOf(response(['{"model":"m","message":{"content":"a"},"done":false}\n{oops\n']));
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', message: 'upstream "ollama" sent a stream line that is not JSON: NDJSON line 2 is not valid JSON: {oops' });
    ({ error } = await chunksOf(response(['[1,2]\n'])));
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_PROTOCOL', message: 'upstream "ollama" sent [1,2] where a JSON object belongs' });
  });
});

describe('wholeAnswer', () => {
  it('takes an answer with a message, and fails on an error Ollama sent with a 200 or on an answer without message', () => {
    expect(wholeAnswer(done(), 'ollama')).toMatchObject({ done: true });
    expect(() => wholeAnswer({ error: 'model requires more system memory' }, 'ollama')).toThrow('upstream "ollama" answered 502: model requires more system memory');
    expect(() => wholeAnswer({ done: true }, 'ollama')).toThrow('upstream "ollama" answered without a message');
  });
});
