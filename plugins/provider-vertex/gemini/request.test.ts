import { describe, expect, it } from '@jest/globals';
import type { MessagesRequest } from '../../../kernel/index.js';
import { toGeminiRequest, type ToGeminiOptions } from './request.js';
import { SKIP_SIGNATURE, ThoughtSignatures } from './signatures.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const opts: ToGeminiOptions = { model: 'gemini-2.5-pro', maxOutputTokens: 65_536 };
const request = (extra: Partial<MessagesRequest>): MessagesRequest => ({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [], ...extra });

describe('toGeminiRequest: contents', () => {
  it('maps roles and the system prompt, and merges consecutive turns of one role', () => {
    const body = toGeminiRequest(
      request({
        system: [{ type: 'text', text: 'You are Claude Code.' }, { type: 'text', text: 'Be brief.' }],
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'user', content: [{ type: 'text', text: 'again' }] },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }, { type: 'text', text: 'Hello.' }] },
          { role: 'system', content: 'Reminder: stay on task.' },
          { role: 'user', content: 'next' },
        ],
      }),
      opts,
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are Claude Code.' }, { text: 'Be brief.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'hi' }, { text: 'again' }] },
      // Thinking from an earlier turn is not sent back.
      { role: 'model', parts: [{ text: 'Hello.' }] },
      { role: 'user', parts: [{ text: 'Reminder: stay on task.' }, { text: 'next' }] },
    ]);
  });

  it('answers each call by name, output or error, ahead of the rest of the turn', () => {
    const body = toGeminiRequest(
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
              { type: 'text', text: 'here you go' },
              { type: 'tool_result', tool_use_id: 'toolu_t', content: [{ type: 'text', text: 'no' }, { type: 'text', text: 'clock' }], is_error: true },
              { type: 'tool_result', tool_use_id: 'toolu_w', content: [{ type: 'text', text: 'sunny' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
              { type: 'tool_result', tool_use_id: 'toolu_unknown', content: 'stray' },
            ],
          },
        ],
      }),
      opts,
    );
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_time', args: {} } }],
    });
    expect(body.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_time', response: { error: 'no\n\nclock' } } },
        { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
        { text: 'here you go' },
        { inlineData: { mimeType: 'image/png', data: PNG } },
        { text: 'Result of tool call toolu_unknown:\nstray' },
      ],
    });
  });

  it('sends images and documents as inline data or file URIs', () => {
    const body = toGeminiRequest(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'AAAA' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.PNG?size=2' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
              { type: 'text', text: '' },
            ],
          },
        ],
      }),
      opts,
    );
    expect(body.contents[0]!.parts).toEqual([
      { inlineData: { mimeType: 'image/webp', data: 'AAAA' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.PNG?size=2' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBE' } },
      { text: 'plain words' },
    ]);
  });
});

describe('toGeminiRequest: thought signatures', () => {
  const history = (): MessagesRequest =>
    request({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_a', name: 'a', input: {} },
            { type: 'tool_use', id: 'toolu_b', name: 'b', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_a', content: '1' },
            { type: 'tool_result', tool_use_id: 'toolu_b', content: '2' },
          ],
        },
      ],
    });

  it('sends back the signature Gemini gave a call', () => {
    const signatures = new ThoughtSignatures();
    signatures.remember('toolu_a', 'sig-a');
    const body = toGeminiRequest(history(), { ...opts, model: 'gemini-3.8-flash', signatures });
    expect(body.contents[1]!.parts).toEqual([{ functionCall: { name: 'a', args: {} }, thoughtSignature: 'sig-a' }, { functionCall: { name: 'b', args: {} } }]);
  });

  it('marks an unsigned first call with Google\'s placeholder for Gemini 3, and sends none to Gemini 2.5', () => {
    const signatures = new ThoughtSignatures();
    expect(toGeminiRequest(history(), { ...opts, model: 'gemini-3.8-flash', signatures }).contents[1]!.parts).toEqual([
      { functionCall: { name: 'a', args: {} }, thoughtSignature: SKIP_SIGNATURE },
      { functionCall: { name: 'b', args: {} } },
    ]);
    expect(toGeminiRequest(history(), { ...opts, signatures }).contents[1]!.parts).toEqual([{ functionCall: { name: 'a', args: {} } }, { functionCall: { name: 'b', args: {} } }]);
  });

  it('keeps a bounded number of signatures, the oldest going first', () => {
    const signatures = new ThoughtSignatures(2);
    signatures.remember('1', 'a');
    signatures.remember('2', 'b');
    signatures.remember('3', 'c');
    expect([signatures.recall('1'), signatures.recall('2'), signatures.recall('3'), signatures.size]).toEqual([undefined, 'b', 'c', 2]);
  });
});

describe('toGeminiRequest: tools and generation settings', () => {
  it('declares client tools only, and maps tool_choice', () => {
    const tools = [
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
      { type: 'web_search_20250305', name: 'web_search' },
    ];
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const auto = toGeminiRequest(request({ tools, messages, tool_choice: { type: 'auto' } }), opts);
    expect(auto.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          { name: 'now' },
        ],
      },
    ]);
    expect(auto.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(toGeminiRequest(request({ tools, messages, tool_choice: { type: 'any' } }), opts).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(toGeminiRequest(request({ tools, messages, tool_choice: { type: 'none' } }), opts).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(toGeminiRequest(request({ tools, messages, tool_choice: { type: 'tool', name: 'now' } }), opts).toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['now'] },
    });
    // Without tools left, no tool settings at all.
    expect(toGeminiRequest(request({ tools: [tools[2]!], messages, tool_choice: { type: 'any' } }), opts)).not.toHaveProperty('tools');
  });

  it('clamps max_tokens, passes sampling, and keeps five stop sequences', () => {
    const body = toGeminiRequest(
      request({ max_tokens: 128_000, temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['1', '2', '3', '4', '5', '6'], metadata: { user_id: 'u' }, messages: [{ role: 'user', content: 'hi' }] }),
      opts,
    );
    expect(body.generationConfig).toEqual({ maxOutputTokens: 65_536, temperature: 0.2, topP: 0.9, topK: 40, stopSequences: ['1', '2', '3', '4', '5'] });
    expect(body).not.toHaveProperty('metadata');
  });

  it('asks for thoughts within the budgets the model takes', () => {
    const budget = { min: 512, max: 24_576 };
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const config = (thinking: MessagesRequest['thinking']) =>
      toGeminiRequest(request({ messages, thinking }), { ...opts, thinkingBudget: budget }).generationConfig.thinkingConfig;
    expect(config({ type: 'enabled', budget_tokens: 100 })).toEqual({ thinkingBudget: 512, includeThoughts: true });
    expect(config({ type: 'enabled', budget_tokens: 31_999 })).toEqual({ thinkingBudget: 24_576, includeThoughts: true });
    expect(config({ type: 'enabled', budget_tokens: 4000 })).toEqual({ thinkingBudget: 4000, includeThoughts: true });
    expect(config({ type: 'adaptive' })).toEqual({ thinkingBudget: -1, includeThoughts: true });
    expect(config({ type: 'disabled' })).toBeUndefined();
    expect(config(undefined)).toBeUndefined();
    // A model that does not think gets no thinking settings.
    const none = toGeminiRequest(request({ messages, thinking: { type: 'enabled', budget_tokens: 4000 } }), opts);
    expect(none.generationConfig).not.toHaveProperty('thinkingConfig');
  });
});
