import { describe, expect, it } from '@jest/globals';
import type { MessagesRequest } from '../../kernel/index.js';
import { LynkrError } from '../../kernel/errors.js';
import { profileOf } from './models.js';
import { toConverseRequest } from './request.js';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA = 'us.amazon.nova-pro-v1:0';

const encode = (request: Partial<MessagesRequest>, model = CLAUDE) =>
  toConverseRequest({ model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }], ...request }, { label: 'bedrock', profile: profileOf(model) });

const PNG = 'iVBORw0KGgo=';

describe('toConverseRequest: messages', () => {
  it('turns the system into text blocks, with a cache point where the client marked one', () => {
    const { body } = encode({ system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: '  ' }, { type: 'text', text: 'Be brief.' }] });
    expect(body.system).toEqual([{ text: 'You are Claude Code.' }, { cachePoint: { type: 'default' } }, { text: 'Be brief.' }]);
    expect(encode({ system: 'Plain.' }).body.system).toEqual([{ text: 'Plain.' }]);
    expect(encode({ system: '' }).body).not.toHaveProperty('system');
  });

  it('merges same-role turns, turns system messages into user text in place, and drops blank text', () => {
    const { body } = encode({
      messages: [
        { role: 'user', content: 'first' },
        { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'text', text: ' \n' }] },
        { role: 'assistant', content: 'answer' },
        { role: 'system', content: 'Plan mode is on.' },
        { role: 'user', content: 'go' },
        { role: 'assistant', content: '' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'first' }, { text: 'second' }] },
      { role: 'assistant', content: [{ text: 'answer' }] },
      { role: 'user', content: [{ text: 'Plan mode is on.' }, { text: 'go' }] },
    ]);
  });

  it('sends tool calls and results with their ids, results first in their turn, with Claude\'s status', () => {
    const { body } = encode({
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'system', content: 'A reminder.' },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: '', is_error: true },
          ],
        },
      ],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } }] });
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [
        { toolResult: { toolUseId: 'toolu_1', content: [{ text: 'sunny' }, { image: { format: 'png', source: { bytes: PNG } } }], status: 'success' } },
        { toolResult: { toolUseId: 'toolu_2', content: [{ text: '(no content)' }], status: 'error' } },
        { text: 'A reminder.' },
      ],
    });
  });

  it('tells other families of a failed tool in the text, since status is Claude\'s alone', () => {
    const { body } = encode(
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'a', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'boom', is_error: true }] },
        ],
      },
      NOVA,
    );
    expect(body.messages[2]!.content).toEqual([{ toolResult: { toolUseId: 't', content: [{ text: 'Error:' }, { text: 'boom' }] } }]);
  });

  it('keeps signed reasoning for Claude, and drops unsigned reasoning and any reasoning for other families', () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'signed', signature: 'sig+/=' },
          { type: 'thinking', thinking: 'from another model', signature: '' },
          { type: 'redacted_thinking', data: 'b3BhcXVl' },
          { type: 'text', text: 'answer' },
        ],
      },
    ];
    const claude = encode({ messages });
    expect(claude.body.messages[1]!.content).toEqual([
      { reasoningContent: { reasoningText: { text: 'signed', signature: 'sig+/=' } } },
      { reasoningContent: { redactedContent: 'b3BhcXVl' } },
      { text: 'answer' },
    ]);
    expect(claude.dropped).toEqual(['thinking']);
    const nova = encode({ messages }, NOVA);
    expect(nova.body.messages[1]!.content).toEqual([{ text: 'answer' }]);
    expect(nova.dropped).toEqual(['thinking', 'thinking', 'redacted_thinking']);
  });

  it('sends base64 images and documents as bytes, and refuses an image URL with a clear 400', () => {
    const { body } = encode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'Q3 report.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
            { type: 'text', text: 'summarise' },
          ],
        },
      ],
    });
    expect(body.messages[0]!.content).toEqual([
      { image: { format: 'jpeg', source: { bytes: PNG } } },
      { document: { format: 'pdf', name: 'Q3 report pdf (1)', source: { bytes: 'JVBERi0=' } } },
      { document: { format: 'txt', name: 'document 2', source: { bytes: Buffer.from('notes').toString('base64') } } },
      { text: 'summarise' },
    ]);
    let err: unknown;
    try {
      encode({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.test/cat.png' } }] }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LynkrError);
    expect(err).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400, message: 'provider "bedrock": Bedrock Converse takes images as bytes only, not by URL; send the image as base64' });
  });

  it('adds cache points after marked blocks, within Anthropic\'s limit of four counted in prefix order', () => {
    const marked = (text: string) => ({ type: 'text' as const, text, cache_control: { type: 'ephemeral' as const } });
    const { body } = encode({
      system: [marked('s')],
      tools: [{ name: 'a', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [marked('1'), marked('2'), marked('3')] }],
    });
    const count = JSON.stringify(body).split('cachePoint').length - 1;
    expect(count).toBe(4);
    expect(body.messages[0]!.content).toEqual([{ text: '1' }, { cachePoint: { type: 'default' } }, { text: '2' }, { cachePoint: { type: 'default' } }, { text: '3' }]);
    expect(body.toolConfig!.tools).toEqual([{ toolSpec: { name: 'a', inputSchema: { json: { type: 'object', properties: {} } } } }, { cachePoint: { type: 'default' } }]);
    // Nova caches the system and messages, not tools; Llama caches nothing.
    const nova = encode({ system: [marked('s')], tools: [{ name: 'a', cache_control: { type: 'ephemeral' } }] }, NOVA).body;
    expect(nova.system).toEqual([{ text: 's' }, { cachePoint: { type: 'default' } }]);
    expect(nova.toolConfig!.tools).toHaveLength(1);
    expect(JSON.stringify(encode({ system: [marked('s')] }, 'meta.llama3-1-70b-instruct-v1:0').body)).not.toContain('cachePoint');
  });
});

describe('toConverseRequest: tools and settings', () => {
  it('declares tools with an object schema even without parameters, and leaves out server tools', () => {
    const { body, dropped } = encode({
      tools: [
        { name: 'list_cities', description: 'Every city' },
        { name: 'noop', input_schema: { type: 'object' } },
        { name: 'web_search', type: 'web_search_20250305' },
      ],
    });
    expect(body.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: 'list_cities', description: 'Every city', inputSchema: { json: { type: 'object', properties: {} } } } },
        { toolSpec: { name: 'noop', inputSchema: { json: { type: 'object', properties: {} } } } },
      ],
    });
    expect(dropped).toEqual(['tool web_search_20250305']);
  });

  it.each([
    [{ type: 'auto' }, { auto: {} }],
    [{ type: 'any' }, { any: {} }],
    [{ type: 'tool', name: 'a' }, { tool: { name: 'a' } }],
  ] as const)('maps tool_choice %j to %j', (choice, expected) => {
    expect(encode({ tools: [{ name: 'a' }], tool_choice: choice }).body.toolConfig?.toolChoice).toEqual(expected);
  });

  it('leaves the tools out for tool_choice none, unless the history holds tool blocks', () => {
    expect(encode({ tools: [{ name: 'a' }], tool_choice: { type: 'none' } }).body).not.toHaveProperty('toolConfig');
    const history: MessagesRequest['messages'] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
    ];
    const none = encode({ tools: [{ name: 'Bash' }], tool_choice: { type: 'none' }, messages: history }).body.toolConfig;
    expect(none).toEqual({ tools: [{ toolSpec: { name: 'Bash', inputSchema: { json: { type: 'object', properties: {} } } } }] });
    // A summary request: the history has tool blocks but the request offers no tools; Converse still needs a toolConfig.
    const summary = encode({ messages: history }).body.toolConfig;
    expect(summary).toEqual({ tools: [{ toolSpec: { name: 'Bash', description: 'A tool used earlier in this conversation.', inputSchema: { json: { type: 'object', properties: {} } } } }] });
  });

  it('clamps maxTokens to the model and passes temperature, top_p and stop sequences', () => {
    const { body } = encode({ max_tokens: 200_000, temperature: 0.2, top_p: 0.9, stop_sequences: ['END'], top_k: 5 });
    expect(body.inferenceConfig).toEqual({ maxTokens: 64_000, temperature: 0.2, topP: 0.9, stopSequences: ['END'] });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 5 });
    expect(body.additionalModelResponseFieldPaths).toEqual(['/stop_sequence']);
    expect(encode({ max_tokens: 32_000 }, NOVA).body.inferenceConfig).toEqual({ maxTokens: 5000 });
    expect(encode({ top_k: 5, stop_sequences: ['x'] }, NOVA).body).not.toHaveProperty('additionalModelRequestFields');
  });

  it('passes thinking to Claude, raising a budget under the minimum and leaving out one that does not fit', () => {
    expect(encode({ max_tokens: 32_000, thinking: { type: 'enabled', budget_tokens: 10_000 } }).body.additionalModelRequestFields).toEqual({
      thinking: { type: 'enabled', budget_tokens: 10_000 },
    });
    expect(encode({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 100 } }).body.additionalModelRequestFields).toEqual({
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    const probe = encode({ max_tokens: 1, thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(probe.body).not.toHaveProperty('additionalModelRequestFields');
    expect(probe.dropped).toEqual(['thinking (budget does not fit max_tokens)']);
    expect(encode({ thinking: { type: 'adaptive' } }).body.additionalModelRequestFields).toEqual({ thinking: { type: 'adaptive' } });
    expect(encode({ thinking: { type: 'enabled', budget_tokens: 2000 } }, NOVA).body).not.toHaveProperty('additionalModelRequestFields');
    expect(encode({ thinking: { type: 'enabled', budget_tokens: 2000 } }, 'anthropic.claude-3-5-haiku-20241022-v1:0').body).not.toHaveProperty('additionalModelRequestFields');
  });
});
