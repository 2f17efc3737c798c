import { describe, expect, it } from '@jest/globals';
import { cleanText, inToolExchange, latestTypedText, systemText, typedText } from './text.js';

describe('typed text', () => {
  it('removes harness envelopes and Lynkr badge lines', () => {
    expect(cleanText('<system-reminder>\nCLAUDE.md says: think hard\n</system-reminder>\nfix the bug')).toBe('fix the bug');
    expect(cleanText('<environment_context>cwd=/repo</environment_context>explain this')).toBe('explain this');
    expect(cleanText('<command-name>/review</command-name><command-message>review</command-message>')).toBe('');
    expect(cleanText('*[Lynkr] COMPLEX → claude-sonnet-4-5 (anthropic) · score 54*\nsure')).toBe('sure');
    expect(cleanText('why did [Lynkr] pick this?')).toBe('why did [Lynkr] pick this?');
    expect(cleanText('<system-reminder>never closed')).toBe('');
  });

  it('treats harness notices as nothing typed', () => {
    expect(cleanText('This session is being continued from a previous conversation that ran out of context.')).toBe('');
    expect(cleanText('[Request interrupted by user]')).toBe('');
  });

  it('joins a message\'s text blocks and ignores tool results and images', () => {
    expect(
      typedText({
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't', content: 'SECURITY AUDIT FAILED' },
          { type: 'text', text: '<system-reminder>x</system-reminder>' },
          { type: 'text', text: 'first' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          { type: 'text', text: 'second' },
        ],
      }),
    ).toBe('first\n\nsecond');
    expect(typedText({ role: 'assistant', content: 'I will refactor everything' })).toBe('');
    expect(typedText({ role: 'system', content: 'Environment: prod' })).toBe('');
  });

  it('finds the latest message the user typed, walking back over tool results', () => {
    const request = {
      model: 'm',
      max_tokens: 1,
      messages: [
        { role: 'user' as const, content: 'the ask' },
        { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 't', name: 'Bash', input: {} }] },
        { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 't', content: 'ok' }] },
      ],
    };
    expect(latestTypedText(request)).toBe('the ask');
    expect(inToolExchange(request)).toBe(true);
    expect(inToolExchange({ ...request, messages: request.messages.slice(0, 1) })).toBe(false);
  });

  it('reads the system prompt in either shape', () => {
    expect(systemText({ model: 'm', max_tokens: 1, messages: [], system: 'be brief' })).toBe('be brief');
    expect(systemText({ model: 'm', max_tokens: 1, messages: [], system: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] })).toBe('a\nb\n');
  });
});
