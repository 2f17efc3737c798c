import { describe, expect, it } from '@jest/globals';
import { MAX_OUTPUT_TOKENS, parseCountTokensRequest, parseMessagesRequest } from './request.js';

const body = (content: unknown, extra: Record<string, unknown> = {}) => ({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content }], ...extra });
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the request to be refused');
};

describe('api-anthropic request checks beyond the schema', () => {
  it('names a known block whose fields have the wrong type', () => {
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'text', text: 5 }])))).toBe('messages[0].content[0].text: Expected string');
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'image', source: 'http://x' }])))).toBe('messages[0].content[0].source: Expected an object with a string type');
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 5 } }])))).toBe('messages[0].content[0].source.data: Expected string');
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'document', source: { type: 'url' } }])))).toBe('messages[0].content[0].source.url: Expected string');
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'tool_use', id: 1, name: 'n', input: [] }])))).toBe(
      'messages[0].content[0].id: Expected string; messages[0].content[0].input: Expected object',
    );
    expect(messageOf(() => parseCountTokensRequest(body([{ type: 'tool_result', tool_use_id: 't', content: { text: 'x' } }])))).toBe('messages[0].content[0].content: Expected string or array');
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: null }, 5] }])))).toBe(
      'messages[0].content[0].content[0].text: Expected string; messages[0].content[0].content[1]: Expected an object with a string type',
    );
    expect(messageOf(() => parseMessagesRequest(body([{ type: 'thinking', thinking: 'x', signature: 5 }])))).toBe('messages[0].content[0].signature: Expected string');
  });

  it('refuses a max_tokens no model takes', () => {
    expect(messageOf(() => parseMessagesRequest(body('hi', { max_tokens: 1e12 })))).toBe(`max_tokens: Expected an integer <= ${MAX_OUTPUT_TOKENS}`);
    expect(parseMessagesRequest(body('hi', { max_tokens: MAX_OUTPUT_TOKENS })).max_tokens).toBe(MAX_OUTPUT_TOKENS);
  });

  it('lets through block types it does not read, and the optional fields of those it does, as they are', () => {
    const blocks = [
      { type: 'server_tool_use', id: 5, anything: { goes: true } },
      { type: 'tool_result', tool_use_id: 't' },
      { type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'aGk=' } }], is_error: true },
      { type: 'thinking', thinking: 'hm' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'document', source: { type: 'url', url: 'https://x/y.pdf' }, title: 'y' },
    ];
    expect(parseMessagesRequest(body(blocks)).messages[0]!.content).toBe(blocks);
  });
});
