import { describe, expect, it } from '@jest/globals';
import { BUILTIN_TOOL, reasoningContent, RESPONSES_FAMILY, type MessagesRequest } from '../../kernel/index.js';
import { fitToUpstream, thinkingFor } from './fit.js';

const anthropic = { provider: 'anthropic', wire: 'anthropic' };
const chat = { provider: 'openai', wire: 'openai-chat' };
const responses = { provider: 'azure', wire: RESPONSES_FAMILY };

const base: MessagesRequest = { model: 'm', max_tokens: 8192, messages: [{ role: 'user', content: 'hi' }] };
const fitted = (request: MessagesRequest, target = anthropic, log: string[] = []) => fitToUpstream(request, target, 'text.format', (m) => log.push(m));

describe('fitToUpstream', () => {
  it('returns the request itself when nothing needs to change', () => {
    expect(fitted(base)).toBe(base);
    const withTools = { ...base, tools: [{ name: 'f' }] };
    expect(fitted(withTools, chat)).toBe(withTools);
  });

  it('drops built-in tools for upstreams that cannot run them, with a debug line, and keeps them for Responses', () => {
    const web = { type: 'web_search', name: 'web_search', [BUILTIN_TOOL]: { type: 'web_search' } };
    const request = { ...base, tools: [{ name: 'f' }, web], tool_choice: { type: 'auto' as const } };
    const log: string[] = [];
    expect(fitted(request, anthropic, log)).toEqual({ ...base, tools: [{ name: 'f' }], tool_choice: { type: 'auto' } });
    expect(log).toEqual(['dropped built-in tools web_search: provider "anthropic" (anthropic) cannot run them']);
    const only = fitted({ ...base, tools: [web], tool_choice: { type: 'any' } }, chat);
    expect(only).not.toHaveProperty('tools');
    expect(only).not.toHaveProperty('tool_choice');
    expect(fitted(request, responses)).toBe(request);
  });

  it('sends reasoning back only to the family that wrote it', () => {
    const claude = { type: 'thinking' as const, thinking: 'Plan.', signature: 'sig-claude' };
    const fromClaude = { type: 'thinking', thinking: 'Plan.', signature: reasoningContent('anthropic', claude) };
    const fromOpenAI = { type: 'thinking', thinking: 'Summary.', signature: 'gAAAA' };
    const unsigned = { type: 'thinking', thinking: 'No state.', signature: '' };
    const call = { type: 'tool_use', id: 't1', name: 'f', input: {} };
    const request: MessagesRequest = {
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [fromClaude, call] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
        { role: 'assistant', content: [fromOpenAI, unsigned] },
        { role: 'user', content: 'more' },
      ],
    };
    expect(fitted(request, anthropic).messages).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [claude, call] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
      { role: 'user', content: 'more' },
    ]);
    expect(fitted(request, responses).messages[3]).toEqual({ role: 'assistant', content: [fromOpenAI] });
    expect(fitted(request, chat).messages[1]).toEqual({ role: 'assistant', content: [call] });
  });

  it('refuses response_format outside the OpenAI family, naming the client\'s parameter', () => {
    const request = { ...base, response_format: { type: 'json_object' } };
    expect(() => fitted(request, anthropic)).toThrow(expect.objectContaining({ status: 400, detail: { param: 'text.format' } }));
    expect(fitted(request, chat)).toBe(request);
    expect(fitted(request, responses)).toBe(request);
  });

  it('turns reasoning_effort into a thinking budget for Anthropic, keeps it for OpenAI, drops it elsewhere', () => {
    const request = { ...base, reasoning_effort: 'high' };
    expect(fitted(request, anthropic)).toEqual({ ...base, thinking: { type: 'enabled', budget_tokens: 4096 } });
    expect(fitted(request, chat)).toBe(request);
    expect(fitted(request, { provider: 'ollama', wire: 'ollama' })).toEqual(base);
    expect(fitted({ ...base, reasoning_effort: 'minimal' }, anthropic)).toEqual(base);
  });
});

describe('thinkingFor', () => {
  it.each<[string, Partial<MessagesRequest>]>([
    ['a budget not under max_tokens', { max_tokens: 2048 }],
    ['a changed temperature', { temperature: 0.2 }],
    ['top_k', { top_k: 5 }],
    ['a low top_p', { top_p: 0.5 }],
    ['a forced tool', { tool_choice: { type: 'tool', name: 'f' } }],
    ['thinking already set', { thinking: { type: 'disabled' } }],
    [
      'a tool loop whose turn was made without thinking',
      {
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
        ],
      },
    ],
  ])('gives no budget with %s', (_why, extra) => {
    expect(thinkingFor({ ...base, ...extra }, 'medium')).toBeUndefined();
  });

  it('gives one in a tool loop whose turn began with its thinking, and with temperature 1', () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 's' }, { type: 'tool_use', id: 't', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
    ];
    expect(thinkingFor({ ...base, messages, temperature: 1 }, 'low')).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });
});
