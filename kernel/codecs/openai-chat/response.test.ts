import { describe, expect, it } from '@jest/globals';
import type { MessagesResponse, StopReason } from '../../ir/types.js';
import { finishReasonToStopReason, fromChatResponse, stopReasonToFinishReason, toChatResponse } from './response.js';
import type { ChatFinishReason, ChatResponse, ChatResponseMessage } from './types.js';

const completion = (message: Partial<ChatResponseMessage>, finish: ChatFinishReason | null = 'stop', extra: Partial<ChatResponse> = {}): ChatResponse => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 60 } },
  ...extra,
});

describe('stop reason mapping', () => {
  it.each<[string | null, StopReason | null]>([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    ['eos', 'end_turn'],
    [null, null],
  ])('finish_reason %s → %s', (finish, stop) => {
    expect(finishReasonToStopReason(finish)).toBe(stop);
  });

  it.each<[StopReason | null, ChatFinishReason]>([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
  ])('stop_reason %s → %s', (stop, finish) => {
    expect(stopReasonToFinishReason(stop)).toBe(finish);
  });
});

describe('fromChatResponse', () => {
  it('maps text, usage with cached tokens and the finish reason', () => {
    expect(fromChatResponse(completion({ content: 'Hello.' }, 'length'), { model: 'claude-x', messageId: 'msg_1' })).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 20, cache_read_input_tokens: 60 },
    });
  });

  it('maps tool calls, with empty, missing and broken arguments', () => {
    const res = completion(
      {
        content: 'Calling.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"p":"a"}' } },
          { id: 'call_2', type: 'function', function: { name: 'Now', arguments: '' } },
          { id: 'call_3', type: 'function', function: { name: 'Now' } as never },
          { id: '', type: 'function', function: { name: 'Bad', arguments: '{"p":' } },
        ],
      },
      // Ollama and some vLLM parsers say `stop` for an answer with tool calls.
      'stop',
    );
    const msg = fromChatResponse(res, { model: 'm' });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.content).toEqual([
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', id: 'call_1', name: 'Read', input: { p: 'a' } },
      { type: 'tool_use', id: 'call_2', name: 'Now', input: {} },
      { type: 'tool_use', id: 'call_3', name: 'Now', input: {} },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'Bad', input: { _raw: '{"p":' } },
    ]);
  });

  it('drops reasoning unless asked to keep it', () => {
    const res = completion({ content: 'Yes.', reasoning_content: 'Think.' });
    expect(fromChatResponse(res, { model: 'm' }).content).toEqual([{ type: 'text', text: 'Yes.' }]);
    expect(fromChatResponse(completion({ content: 'Yes.', reasoning: 'Think.' }), { model: 'm', keepReasoning: true }).content).toEqual([
      { type: 'thinking', thinking: 'Think.', signature: '' },
      { type: 'text', text: 'Yes.' },
    ]);
  });

  it('reads a refusal, and a reply without usage or choices', () => {
    const refused = fromChatResponse(completion({ refusal: 'I cannot help with that.' }), { model: 'm' });
    expect(refused.content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
    expect(refused.stop_reason).toBe('refusal');
    const empty = fromChatResponse({ ...completion({}), choices: [], usage: undefined }, { model: 'm' });
    expect(empty).toMatchObject({ content: [], stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } });
  });
});

describe('toChatResponse', () => {
  const msg: MessagesResponse = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content: [
      { type: 'thinking', thinking: 'Hmm.', signature: 's' },
      { type: 'text', text: 'Part one, ' },
      { type: 'text', text: 'part two.' },
      { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { p: 'a' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 30, cache_creation_input_tokens: 2 },
  };

  it('builds a completion with text, tool calls and usage', () => {
    expect(toChatResponse(msg, { id: 'chatcmpl-x', created: 1, model: 'claude-x' })).toEqual({
      id: 'chatcmpl-x',
      object: 'chat.completion',
      created: 1,
      model: 'claude-x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Part one, part two.',
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"p":"a"}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 42, completion_tokens: 5, total_tokens: 47, prompt_tokens_details: { cached_tokens: 30 } },
    });
  });

  it('gives null content when there is no text', () => {
    const out = toChatResponse({ ...msg, content: [], stop_reason: 'end_turn' }, { id: 'c', created: 1, model: 'm' });
    expect(out.choices[0]?.message).toEqual({ role: 'assistant', content: null });
  });

  it('round-trips through fromChatResponse', () => {
    const plain: MessagesResponse = {
      ...msg,
      content: [{ type: 'text', text: 'Part one, part two.' }, msg.content[3]!],
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 30 },
    };
    const back = fromChatResponse(toChatResponse(plain, { id: 'c', created: 1, model: 'claude-x' }), { model: 'claude-x', messageId: 'msg_1' });
    expect(back).toEqual(plain);
  });
});
