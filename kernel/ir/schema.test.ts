import { describe, expect, it } from '@jest/globals';
import { formatValidationErrors, validateCountTokensRequest, validateMessagesRequest } from './schema.js';

/** The shape of a Claude Code main turn, with the fields newer than the public API docs. */
const claudeCode = {
  model: 'claude-sonnet-4-5',
  max_tokens: 32000,
  stream: true,
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Instructions…', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  messages: [
    { role: 'user', content: [{ type: 'text', text: '<system-reminder>…</system-reminder>' }, { type: 'text', text: 'fix the bug' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Look first.', signature: 'sig' },
        { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a.ts' } },
      ],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'code' }], cache_control: { type: 'ephemeral' } }],
    },
    { role: 'system', content: 'A mid-conversation system message.' },
  ],
  tools: [
    { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  ],
  tool_choice: { type: 'auto' },
  thinking: { type: 'adaptive' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'high' },
  metadata: { user_id: 'user_abc_account__session_0b9c5c1e-1f7a-4a8e-9a47-3f5d1f8e2c11' },
  temperature: 1,
  anthropic_beta_extra: { anything: true },
};

describe('validateMessagesRequest', () => {
  it('accepts what Claude Code sends, unchanged', () => {
    const result = validateMessagesRequest(claudeCode);
    expect(result).toEqual({ ok: true, value: claudeCode });
    expect(result.ok && result.value).toBe(claudeCode);
  });

  it('accepts the smallest request and a null user_id', () => {
    expect(validateMessagesRequest({ model: 'm', max_tokens: 1, messages: [] }).ok).toBe(true);
    expect(validateMessagesRequest({ model: 'm', max_tokens: 1, messages: [], metadata: { user_id: null } }).ok).toBe(true);
  });

  it.each([
    [{ ...claudeCode, model: '' }, 'model', 'Expected a non-empty string'],
    [{ ...claudeCode, model: 3 }, 'model', 'Expected string'],
    [{ ...claudeCode, max_tokens: 0 }, 'max_tokens', 'Expected a number >= 1'],
    [{ ...claudeCode, max_tokens: 1.5 }, 'max_tokens', 'Expected integer'],
    [{ ...claudeCode, max_tokens: '100' }, 'max_tokens', 'Expected integer'],
    [{ ...claudeCode, messages: {} }, 'messages', 'Expected array'],
    [{ ...claudeCode, stream: 'yes' }, 'stream', 'Expected boolean'],
    [{ ...claudeCode, metadata: { user_id: 42 } }, 'metadata.user_id', 'Expected string or null'],
    [{ ...claudeCode, tool_choice: { type: 'sometimes' } }, 'tool_choice.type', 'Expected one of "auto", "any", "tool", "none"'],
    [{ ...claudeCode, tools: [{ description: 'no name' }] }, 'tools[0].name', 'Required'],
    [{ ...claudeCode, system: [{ type: 'text' }] }, 'system[0].text', 'Required'],
  ])('rejects a wrong type on a known field (%#)', (body, path, message) => {
    const result = validateMessagesRequest(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ path, message }]);
  });

  it('names the place inside messages', () => {
    const body = {
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'ok' },
        { role: 'bot', content: 'x' },
        { role: 'user', content: 5 },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { text: 'no type' }] },
      ],
    };
    const result = validateMessagesRequest(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: 'messages[1].role', message: 'Expected one of "user", "assistant", "system"' },
      { path: 'messages[2].content', message: 'Expected string or array' },
      { path: 'messages[3].content[1].type', message: 'Required' },
    ]);
    const block = validateMessagesRequest({ ...body, messages: [{ role: 'user', content: [{ type: 7 }] }] });
    expect(block.ok || block.errors).toEqual([{ path: 'messages[0].content[0].type', message: 'Expected string' }]);
  });

  it('lists every missing required field of the body', () => {
    const result = validateMessagesRequest({});
    expect(result.ok || result.errors.map((e) => e.path)).toEqual(['model', 'messages', 'max_tokens']);
    expect(validateMessagesRequest(null)).toEqual({ ok: false, errors: [{ path: '(root)', message: 'Expected object' }] });
  });
});

describe('validateCountTokensRequest', () => {
  it('does not require max_tokens but still checks it', () => {
    const { max_tokens: _, ...body } = claudeCode;
    expect(validateCountTokensRequest(body).ok).toBe(true);
    expect(validateCountTokensRequest({ ...body, max_tokens: -1 })).toEqual({
      ok: false,
      errors: [{ path: 'max_tokens', message: 'Expected a number >= 1' }],
    });
  });
});

describe('formatValidationErrors', () => {
  it('gives one line and caps the list', () => {
    expect(
      formatValidationErrors([
        { path: 'max_tokens', message: 'Expected integer' },
        { path: 'messages[2].content', message: 'Expected string or array' },
      ]),
    ).toBe('max_tokens: Expected integer; messages[2].content: Expected string or array');
    const many = Array.from({ length: 7 }, (_, i) => ({ path: `messages[${i}].role`, message: 'Required' }));
    const line = formatValidationErrors(many);
    expect(line).not.toContain('\n');
    expect(line.endsWith('messages[4].role: Required; and 2 more')).toBe(true);
  });
});
