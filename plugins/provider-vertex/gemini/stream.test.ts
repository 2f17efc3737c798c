import { describe, expect, it } from '@jest/globals';
import { checkGrammar, MessageAccumulator, type StreamEvent } from '../../../kernel/index.js';
import { ThoughtSignatures } from './signatures.js';
import { fromGeminiResponse, fromGeminiStream, usageFromGemini } from './stream.js';
import type { GeminiPart, GeminiResponse } from './types.js';

const chunk = (parts: GeminiPart[], finishReason?: string, usage?: GeminiResponse['usageMetadata']): GeminiResponse => ({
  candidates: [{ content: { role: 'model', parts }, ...(finishReason && { finishReason }), index: 0 }],
  ...(usage && { usageMetadata: usage }),
});

async function collect(chunks: GeminiResponse[], opts: Parameters<typeof fromGeminiStream>[1] = { model: 'gemini-2.5-pro' }): Promise<StreamEvent[]> {
  async function* source() {
    yield* chunks;
  }
  const events: StreamEvent[] = [];
  for await (const ev of fromGeminiStream(source(), opts)) events.push(ev);
  return events;
}

function message(events: StreamEvent[]) {
  const acc = new MessageAccumulator();
  for (const ev of events) acc.push(ev);
  return acc.message();
}

describe('fromGeminiStream', () => {
  it('streams text chunks as deltas of one block, with the usage in Anthropic terms', async () => {
    const events = await collect([
      chunk([{ text: 'Hello ' }], undefined, { promptTokenCount: 100, cachedContentTokenCount: 60 }),
      chunk([{ text: 'there' }]),
      chunk([{ text: '.' }], 'STOP', { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 5, thoughtsTokenCount: 7, totalTokenCount: 112 }),
    ]);
    expect(checkGrammar(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'content_block_delta').map((e) => (e as { delta: { text: string } }).delta.text)).toEqual(['Hello ', 'there', '.']);
    expect(events[0]).toMatchObject({ type: 'message_start', message: { model: 'gemini-2.5-pro', usage: { input_tokens: 40, output_tokens: 0, cache_read_input_tokens: 60 } } });
    expect(message(events)).toMatchObject({
      content: [{ type: 'text', text: 'Hello there.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 40, output_tokens: 12, cache_read_input_tokens: 60 },
    });
  });

  it('turns function calls into tool_use blocks with fresh ids, keeping their signature, and stops with tool_use', async () => {
    const signatures = new ThoughtSignatures();
    const events = await collect(
      [
        chunk([{ text: 'Checking.' }]),
        chunk(
          [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig/1' },
            { functionCall: { name: 'list_cities' } },
          ],
          'STOP',
          { promptTokenCount: 30, candidatesTokenCount: 12 },
        ),
      ],
      { model: 'gemini-3.8-flash', signatures },
    );
    expect(checkGrammar(events)).toEqual([]);
    const answer = message(events);
    expect(answer).toMatchObject({
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', name: 'list_cities', input: {} },
      ],
    });
    const [first, second] = answer.content.slice(1) as Array<{ id: string }>;
    expect(first!.id).toMatch(/^toolu_vrtx_[A-Za-z0-9]{24}$/);
    expect(second!.id).not.toBe(first!.id);
    expect(signatures.recall(first!.id)).toBe('sig/1');
    expect(signatures.recall(second!.id)).toBeUndefined();
  });

  it('streams thought summaries as a thinking block before the text', async () => {
    const events = await collect([chunk([{ text: 'Let me ', thought: true }]), chunk([{ text: 'see.', thought: true }]), chunk([{ text: 'Done.' }], 'STOP')]);
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).content).toEqual([
      { type: 'thinking', thinking: 'Let me see.', signature: '' },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it.each([
    ['MAX_TOKENS', 'max_tokens', false],
    ['SAFETY', 'refusal', true],
    ['RECITATION', 'refusal', true],
    ['PROHIBITED_CONTENT', 'refusal', true],
    ['MALFORMED_FUNCTION_CALL', 'end_turn', true],
    ['OTHER', 'end_turn', true],
  ])('maps the finish reason %s to %s', async (finishReason, stopReason, warned) => {
    const warnings: string[] = [];
    const events = await collect([chunk([{ text: 'partial' }], finishReason)], { model: 'm', warn: (m) => warnings.push(m) });
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events).stop_reason).toBe(stopReason);
    expect(warnings).toEqual(warned ? [`Gemini ended the answer with ${finishReason}`] : []);
  });

  it('answers a blocked prompt with an empty refusal', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const events = await collect([{ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9 } }], {
      model: 'm',
      warn: (_m, detail) => warnings.push(detail),
    });
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({ content: [], stop_reason: 'refusal', usage: { input_tokens: 9, output_tokens: 0 } });
    expect(warnings).toEqual([{ blockReason: 'SAFETY' }]);
  });

  it('closes properly whatever it was given, empty parts and an empty stream included', async () => {
    expect(checkGrammar(await collect([chunk([{ text: '' }]), chunk([], 'STOP')]))).toEqual([]);
    expect(checkGrammar(await collect([]))).toEqual([]);
  });
});

describe('fromGeminiResponse and usageFromGemini', () => {
  it('reads a whole answer the way it reads a stream', () => {
    const events = fromGeminiResponse(chunk([{ text: 'All of it.' }, { functionCall: { name: 'x', args: { a: 1 } } }], 'STOP', { promptTokenCount: 3, candidatesTokenCount: 2 }), {
      model: 'gemini-2.5-flash',
    });
    expect(checkGrammar(events)).toEqual([]);
    expect(message(events)).toMatchObject({ content: [{ type: 'text', text: 'All of it.' }, { type: 'tool_use', name: 'x', input: { a: 1 } }], stop_reason: 'tool_use' });
  });

  it('leaves cache_read_input_tokens out when Gemini reports no cache', () => {
    expect(usageFromGemini({ promptTokenCount: 10, candidatesTokenCount: 4 })).toEqual({ input_tokens: 10, output_tokens: 4 });
    expect(usageFromGemini(undefined)).toEqual({ input_tokens: 0, output_tokens: 0 });
  });
});
