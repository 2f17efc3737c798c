import { describe, expect, it } from '@jest/globals';
import type { MessagesRequest } from '../../ir/types.js';
import { ChatRequestError, fromChatRequest, toChatRequest } from './request.js';
import type { ChatRequest } from './types.js';

const base = { model: 'claude-sonnet-4-5', max_tokens: 1000 };
const opts = { model: 'qwen3-coder', stream: false };
const png = { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } as const;

describe('toChatRequest', () => {
  it('passes on the OpenAI-only fields an OpenAI front door carried', () => {
    const req = { model: 'm', max_tokens: 10, messages: [{ role: 'user' as const, content: 'json please' }], response_format: { type: 'json_object' }, reasoning_effort: 'high' };
    expect(toChatRequest(req, { model: 'gpt-4o', stream: false })).toMatchObject({ response_format: { type: 'json_object' }, reasoning_effort: 'high' });
    expect(toChatRequest({ ...req, response_format: undefined, reasoning_effort: undefined }, { model: 'gpt-4o', stream: false })).not.toHaveProperty('response_format');
  });

  it('puts the system prompt first, as one message, without cache_control', () => {
    const out = toChatRequest(
      {
        ...base,
        system: [
          { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } },
        ],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      },
      opts,
    );
    expect(out).toEqual({
      model: 'qwen3-coder',
      max_tokens: 1000,
      messages: [
        { role: 'system', content: 'You are Claude Code.\n\nBe brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(JSON.stringify(out)).not.toContain('cache_control');
  });

  it('keeps mid-conversation system messages in place', () => {
    const out = toChatRequest(
      {
        ...base,
        system: 'S',
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
          { role: 'system', content: [{ type: 'text', text: 'Plan mode is on.' }] },
          { role: 'user', content: 'c' },
        ],
      },
      opts,
    );
    expect(out.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'S'],
      ['user', 'a'],
      ['assistant', 'b'],
      ['system', 'Plan mode is on.'],
      ['user', 'c'],
    ]);
  });

  it('sends images of both kinds as image_url parts', () => {
    const out = toChatRequest(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'compare' },
              { type: 'image', source: png },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            ],
          },
        ],
      },
      opts,
    );
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'compare' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
        ],
      },
    ]);
  });

  it('sends documents as text or file parts', () => {
    const out = toChatRequest(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
              { type: 'document', title: 'spec.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
              { type: 'document', source: { type: 'file', file_id: 'f1' } },
            ],
          },
        ],
      },
      opts,
    );
    expect(out.messages[0]?.content).toEqual([
      { type: 'text', text: 'notes' },
      { type: 'file', file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBER' } },
    ]);
  });

  it('turns tools into function tools, fixing empty schemas and dropping server tools', () => {
    const out = toChatRequest(
      {
        ...base,
        messages: [{ role: 'user', content: 'x' }],
        tools: [
          { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { p: { type: 'string' } }, required: ['p'] }, cache_control: { type: 'ephemeral' } },
          { name: 'Now' },
          { name: 'Exit', input_schema: { type: 'object', additionalProperties: false } },
          { name: 'Mine', type: 'custom', input_schema: { type: 'object', properties: {} } },
          { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        ],
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      },
      opts,
    );
    expect(out.tools).toEqual([
      {
        type: 'function',
        function: { name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { p: { type: 'string' } }, required: ['p'] } },
      },
      { type: 'function', function: { name: 'Now', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'Exit', parameters: { type: 'object', additionalProperties: false, properties: {} } } },
      { type: 'function', function: { name: 'Mine', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(out.tool_choice).toBe('auto');
    expect(out.parallel_tool_calls).toBe(false);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
    [{ type: 'tool', name: 'Read' }, { type: 'function', function: { name: 'Read' } }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    const out = toChatRequest({ ...base, messages: [], tools: [{ name: 'Read' }], tool_choice: choice }, opts);
    expect(out.tool_choice).toEqual(expected);
    expect(out.parallel_tool_calls).toBeUndefined();
  });

  it('sends no tools and no tool_choice when only server tools were given', () => {
    const out = toChatRequest(
      { ...base, messages: [], tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'any' } },
      opts,
    );
    expect(out).not.toHaveProperty('tools');
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('turns tool_use into tool_calls and tool_result into tool messages before the rest of the turn', () => {
    const out = toChatRequest(
      {
        ...base,
        messages: [
          { role: 'user', content: 'read both' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Reading.' },
              { type: 'tool_use', id: 'toolu_a', name: 'Read', input: { p: 'a' } },
              { type: 'tool_use', id: 'toolu_b', name: 'Read', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_a', content: [{ type: 'text', text: 'A1' }, { type: 'text', text: 'A2' }] },
              { type: 'tool_result', tool_use_id: 'toolu_b', content: 'No such file', is_error: true },
              { type: 'text', text: 'and then?' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_c', name: 'Now', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_c' }] },
        ],
      },
      opts,
    );
    expect(out.messages).toEqual([
      { role: 'user', content: 'read both' },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          { id: 'toolu_a', type: 'function', function: { name: 'Read', arguments: '{"p":"a"}' } },
          { id: 'toolu_b', type: 'function', function: { name: 'Read', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_a', content: 'A1\n\nA2' },
      { role: 'tool', tool_call_id: 'toolu_b', content: 'Error: No such file' },
      { role: 'user', content: 'and then?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_c', type: 'function', function: { name: 'Now', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_c', content: '' },
    ]);
  });

  it('moves images of a tool result into the following user message', () => {
    const out = toChatRequest(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_s', content: [{ type: 'text', text: 'Screenshot taken' }, { type: 'image', source: png }] },
              { type: 'tool_result', tool_use_id: 'toolu_t', content: [{ type: 'image', source: png }], is_error: true },
              { type: 'text', text: 'what do you see?' },
            ],
          },
        ],
      },
      opts,
    );
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    expect(out.messages).toEqual([
      { role: 'tool', tool_call_id: 'toolu_s', content: 'Screenshot taken\n\n(The image output is in the next user message.)' },
      { role: 'tool', tool_call_id: 'toolu_t', content: 'Error: (The image output is in the next user message.)' },
      { role: 'user', content: [image, image, { type: 'text', text: 'what do you see?' }] },
    ]);
  });

  it('drops thinking, or keeps it as text when asked', () => {
    const req: MessagesRequest = {
      ...base,
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Done.' },
          ],
        },
      ],
    };
    expect(toChatRequest(req, opts).messages).toEqual([{ role: 'assistant', content: 'Done.' }]);
    expect(toChatRequest(req, { ...opts, thinking: 'text' }).messages).toEqual([
      { role: 'assistant', content: '<thinking>\nHmm.\n</thinking>\n\nDone.' },
    ]);
  });

  it('clamps max_tokens and maps the sampling fields', () => {
    const req: MessagesRequest = {
      ...base,
      max_tokens: 32000,
      messages: [],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      thinking: { type: 'enabled', budget_tokens: 1024 },
    };
    expect(toChatRequest(req, { ...opts, maxOutputTokens: 8192 })).toEqual({
      model: 'qwen3-coder',
      messages: [],
      max_tokens: 8192,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
    expect(toChatRequest({ ...req, max_tokens: 1 }, { ...opts, maxOutputTokens: 8192 }).max_tokens).toBe(1);
    expect(toChatRequest(req, { ...opts, maxTokensField: 'max_completion_tokens' })).toMatchObject({ max_completion_tokens: 32000 });
    expect(toChatRequest(req, { ...opts, maxTokensField: 'max_completion_tokens' })).not.toHaveProperty('max_tokens');
  });

  it('asks for usage when streaming, and can leave the model out', () => {
    const out = toChatRequest({ ...base, messages: [] }, { ...opts, stream: true, includeModel: false });
    expect(out).toEqual({ messages: [], max_tokens: 1000, stream: true, stream_options: { include_usage: true } });
  });

  it('passes a short user_id as user and leaves a long one out', () => {
    const short = toChatRequest({ ...base, messages: [], metadata: { user_id: 'alice' } }, opts);
    expect(short.user).toBe('alice');
    const long = toChatRequest({ ...base, messages: [], metadata: { user_id: `user_${'a'.repeat(64)}_account__session_x` } }, opts);
    expect(long).not.toHaveProperty('user');
  });
});

describe('fromChatRequest', () => {
  const chat = (extra: Partial<ChatRequest>): ChatRequest => ({ model: 'gpt-4o', messages: [], ...extra });

  it('turns leading system and developer messages into system blocks, later ones into system messages', () => {
    const out = fromChatRequest(
      chat({
        messages: [
          { role: 'system', content: 'You help.' },
          { role: 'developer', content: [{ type: 'text', text: 'Be terse.' }] },
          { role: 'user', content: 'hi' },
          { role: 'developer', content: 'Now in French.' },
        ],
      }),
    );
    expect(out).toEqual({
      model: 'gpt-4o',
      max_tokens: 4096,
      system: [
        { type: 'text', text: 'You help.' },
        { type: 'text', text: 'Be terse.' },
      ],
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Now in French.' },
      ],
    });
  });

  it('turns tool calls into tool_use and tool messages into one user message of tool_result blocks', () => {
    const out = fromChatRequest(
      chat({
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"p":"a"}' } },
              { id: 'call_2', type: 'function', function: { name: 'Now', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'A' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'noon' }] },
          { role: 'user', content: 'thanks' },
          { role: 'assistant', content: '' },
          { role: 'user', content: [{ type: 'text', text: 'more' }] },
        ],
      }),
    );
    expect(out.messages).toEqual([
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'Read', input: { p: 'a' } },
          { type: 'tool_use', id: 'call_2', name: 'Now', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'A' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'noon' },
          { type: 'text', text: 'thanks' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'more' }] },
    ]);
  });

  it('reads images, files, tools, tool_choice and limits', () => {
    const out = fromChatRequest(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
              { type: 'image_url', image_url: { url: 'https://example.com/x.png', detail: 'high' } },
              { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBER' } },
              { type: 'file', file: { file_id: 'file-1' } },
            ],
          },
        ],
        tools: [
          { type: 'function', function: { name: 'Read', description: 'r', parameters: { type: 'object', properties: {} } } },
          { type: 'function', function: { name: 'Now' } },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
        max_tokens: 100,
        max_completion_tokens: 200,
        stop: 'END',
        temperature: 0,
        stream: true,
        user: 'u1',
      }),
    );
    expect(out).toEqual({
      model: 'gpt-4o',
      max_tokens: 200,
      stream: true,
      temperature: 0,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      tools: [
        { name: 'Read', description: 'r', input_schema: { type: 'object', properties: {} } },
        { name: 'Now', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
            { type: 'document', title: 'a.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
          ],
        },
      ],
    });
  });

  it.each([
    ['auto', false, { type: 'auto' }],
    ['none', false, { type: 'none' }],
    [{ type: 'function', function: { name: 'Read' } }, false, { type: 'tool', name: 'Read' }],
    [undefined, true, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, false, undefined],
  ] as const)('maps tool_choice %j (serial: %s)', (choice, serial, expected) => {
    const tools = [{ type: 'function', function: { name: 'Read' } }] as const;
    const out = fromChatRequest(chat({ tools: [...tools], tool_choice: choice, parallel_tool_calls: !serial }));
    expect(out.tool_choice).toEqual(expected);
    expect(fromChatRequest(chat({ tool_choice: choice }))).not.toHaveProperty('tool_choice');
  });

  it('reads null parameters as unset', () => {
    const out = fromChatRequest(chat({ n: null, max_tokens: null, tool_choice: null, stop: null, tools: [{ type: 'function', function: { name: 'Now' } }] } as never));
    expect(out).toEqual({ model: 'gpt-4o', messages: [], max_tokens: 4096, tools: [{ name: 'Now', input_schema: { type: 'object', properties: {} } }] });
  });

  it('rejects n other than 1, naming the parameter', () => {
    expect(fromChatRequest(chat({ n: 1 })).max_tokens).toBe(4096);
    const error = (() => {
      try {
        fromChatRequest(chat({ n: 2 }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ChatRequestError);
    expect(error).toMatchObject({ param: 'n' });
  });
});

describe('round trips', () => {
  it('IR → Chat → IR keeps a conversation', () => {
    const req: MessagesRequest = {
      model: 'qwen3-coder',
      max_tokens: 2048,
      stream: true,
      temperature: 0.5,
      stop_sequences: ['</done>'],
      system: [{ type: 'text', text: 'You are a coder.' }],
      metadata: { user_id: 'bob' },
      tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { p: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: 'Read', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'look' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { p: 'a.ts' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'const a = 1;' },
            { type: 'text', text: 'well?' },
            { type: 'image', source: png },
          ],
        },
        { role: 'system', content: 'Answer briefly.' },
        { role: 'assistant', content: [{ type: 'text', text: 'It is fine.' }] },
      ],
    };
    expect(fromChatRequest(toChatRequest(req, { model: 'qwen3-coder', stream: true }))).toEqual(req);
  });

  it('Chat → IR → Chat keeps a conversation', () => {
    const chat: ChatRequest = {
      model: 'gpt-4o',
      max_tokens: 512,
      messages: [
        { role: 'system', content: 'Sys.' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Now', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'noon' },
        { role: 'user', content: [{ type: 'text', text: 'and?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
        { role: 'assistant', content: 'ok' },
      ],
      tools: [{ type: 'function', function: { name: 'Now', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'auto',
    };
    expect(toChatRequest(fromChatRequest(chat), { model: 'gpt-4o', stream: false })).toEqual(chat);
  });
});
