import { describe, expect, it } from '@jest/globals';
import type { MessagesRequest } from '../../kernel/index.js';
import { DOCUMENT_NOTE, URL_IMAGE_NOTE, toOllamaRequest, type EncodeOptions } from './request.js';

const base: EncodeOptions = { model: 'qwen2.5-coder:7b', stream: true, maxOutputTokens: 8192, thinkingHistory: 'drop' };
const PNG = 'iVBORw0KGgo=';

const request = (extra: Partial<MessagesRequest>): MessagesRequest => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('toOllamaRequest', () => {
  it('puts the system prompt first and keeps mid-conversation system messages in place', () => {
    const body = toOllamaRequest(
      request({
        system: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'Answer in English.' },
        ],
        messages: [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
          { role: 'system', content: [{ type: 'text', text: 'Reminder.' }] },
          { role: 'user', content: [{ type: 'text', text: 'three' }, { type: 'text', text: 'four' }] },
        ],
      }),
      base,
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
      { role: 'system', content: 'Reminder.' },
      { role: 'user', content: 'three\n\nfour' },
    ]);
  });

  it('sends tool calls with object arguments, and results as tool messages named after their call, in order, before the user text', () => {
    const body = toOllamaRequest(
      request({
        messages: [
          { role: 'user', content: 'weather and time?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_w', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_t', name: 'get_time', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_w', content: [{ type: 'text', text: 'sunny' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
              { type: 'tool_result', tool_use_id: 'toolu_t', content: 'no clock', is_error: true },
              { type: 'tool_result', tool_use_id: 'toolu_gone', content: 'from a call no longer in the history' },
              { type: 'text', text: 'Thanks.' },
            ],
          },
        ],
      }),
      base,
    );
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_w', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
          { id: 'toolu_t', function: { name: 'get_time', arguments: {} } },
        ],
      },
      { role: 'tool', content: 'sunny', images: [PNG], tool_name: 'get_weather', tool_call_id: 'toolu_w' },
      { role: 'tool', content: 'Error: no clock', tool_name: 'get_time', tool_call_id: 'toolu_t' },
      { role: 'tool', content: 'from a call no longer in the history', tool_call_id: 'toolu_gone' },
      { role: 'user', content: 'Thanks.' },
    ]);
  });

  it('sends base64 images, and a note instead of a URL image or a binary document', () => {
    const body = toOllamaRequest(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              { type: 'image', source: { type: 'url', url: 'https://example.test/cat.png' } },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'the notes' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
              { type: 'text', text: 'what is this?' },
            ],
          },
        ],
      }),
      base,
    );
    expect(body.messages).toEqual([{ role: 'user', content: [URL_IMAGE_NOTE, 'the notes', DOCUMENT_NOTE, 'what is this?'].join('\n\n'), images: [PNG] }]);
  });

  it('drops earlier thinking by default, or keeps it as text; redacted thinking always goes', () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'let me see', signature: 'sig-from-claude' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'text', text: 'answer' },
        ],
      },
    ];
    expect(toOllamaRequest(request({ messages }), base).messages[1]).toEqual({ role: 'assistant', content: 'answer' });
    expect(toOllamaRequest(request({ messages }), { ...base, thinkingHistory: 'text' }).messages[1]).toEqual({
      role: 'assistant',
      content: '<thinking>\nlet me see\n</thinking>\n\nanswer',
    });
  });

  it('offers client tools only, with an object schema that has properties; tool_choice none offers none', () => {
    const tools: MessagesRequest['tools'] = [
      { name: 'read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'now', input_schema: { type: 'object' } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
    ];
    expect(toOllamaRequest(request({ tools }), base).tools).toEqual([
      {
        type: 'function',
        function: { name: 'read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(toOllamaRequest(request({ tools, tool_choice: { type: 'none' } }), base)).not.toHaveProperty('tools');
    expect(toOllamaRequest(request({ tools: [tools[2]!] }), base)).not.toHaveProperty('tools');
  });

  it('puts sampling, the clamped output limit, num_ctx, keep_alive, think and the output schema where Ollama reads them', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
    const body = toOllamaRequest(
      request({ max_tokens: 32_000, temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['###'], output_config: { format: { type: 'json_schema', schema } } }),
      { ...base, numCtx: 16_384, keepAlive: '30m', think: 'high', extraOptions: { repeat_penalty: 1.1, temperature: 0.8, num_predict: 5 } },
    );
    expect(body).toEqual({
      model: 'qwen2.5-coder:7b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      think: 'high',
      keep_alive: '30m',
      format: schema,
      // The request's own values win over the configured extras.
      options: { repeat_penalty: 1.1, temperature: 0.2, num_predict: 8192, num_ctx: 16_384, top_p: 0.9, top_k: 40, stop: ['###'] },
    });
  });

  it('leaves out what is not configured, and always says whether to stream (Ollama streams by default)', () => {
    const body = toOllamaRequest(request({ max_tokens: 1, output_format: { type: 'json_schema', schema: { type: 'object' } } }), { ...base, stream: false });
    expect(body).toEqual({
      model: 'qwen2.5-coder:7b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
      format: { type: 'object' },
      options: { num_predict: 1 },
    });
  });
});
