import { describe, expect, it } from '@jest/globals';
import type { Message, MessagesRequest } from '../../kernel/index.js';
import { detectSideRequest, fromClaudeCode } from './side-requests.js';

/** Headers Claude Code sends with every call, background ones included. */
const CLAUDE = {
  'user-agent': 'claude-cli/2.1.330 (external, cli)',
  'x-app': 'cli',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
  'x-claude-code-session-id': '9e29b164-9ca9-4af8-ae2e-b0c89f1f2ed8',
};
const TOOLS = [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object' } }, { name: 'Read', input_schema: { type: 'object' } }];
const history: Message[] = [
  { role: 'user', content: [{ type: 'text', text: '<system-reminder>context</system-reminder>' }, { type: 'text', text: 'Refactor the retry helper.' }] },
  { role: 'assistant', content: [{ type: 'text', text: 'Done: the helper now backs off exponentially.' }] },
];
/** The main loop's request: tools, the whole history. */
const main = (last: Message): MessagesRequest => ({ model: 'claude-sonnet-4-5', max_tokens: 32_000, stream: true, tools: TOOLS, messages: [...history, last] });
const side = (request: MessagesRequest, headers: Record<string, string> = CLAUDE) => detectSideRequest(request, headers, []);

describe('side requests', () => {
  it('recognises the max_tokens: 1 probes (quota, model check, key check)', () => {
    for (const content of ['quota', '.', 'test']) {
      expect(side({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content }], metadata: { user_id: '{}' } })).toBe('probe');
    }
  });

  it('recognises the calls that fork the conversation by the prompt they append', () => {
    expect(side(main({ role: 'user', content: '[SUGGESTION MODE: Suggest what the user might naturally type next into Claude Code.]\n\nReply with ONLY the suggestion.' }))).toBe('suggestion');
    expect(side(main({ role: 'user', content: [{ type: 'text', text: 'The user stepped away and is coming back. Recap in under 40 words.' }] }))).toBe('summary');
    expect(side(main({ role: 'user', content: 'Generate a short kebab-case name (2-4 words) that captures the main topic of this conversation.' }))).toBe('title');
    expect(side(main({ role: 'user', content: 'Your task is to create a detailed summary of the conversation so far, paying close attention to the user\'s explicit requests.' }))).toBe('compaction');
  });

  it('recognises Claude Code\'s tool-free helpers: titles, summaries, page digests', () => {
    const title: MessagesRequest = {
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      system: [{ type: 'text', text: 'Generate a concise title for this conversation.' }],
      messages: [{ role: 'user', content: 'Refactor the retry helper.' }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } },
    };
    expect(side(title)).toBe('title');
    expect(side({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Write a one-line summary of these tool calls:\nRead src/a.ts\n\nLabel:' }] })).toBe('summary');
    expect(side({ model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Web page content:\n---\n<html>...</html>\n---\nWhat does the page say about rate limits?' }] })).toBe('helper');
  });

  it('leaves real turns alone: Claude Code\'s main loop, and any client without Claude Code\'s headers', () => {
    expect(side(main({ role: 'user', content: 'now add tests for it' }))).toBeUndefined();
    expect(side(main({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] }))).toBeUndefined();
    expect(side({ model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'Summarize this article title' }] }, { 'user-agent': 'OpenAI/JS 6.30.1' })).toBeUndefined();
  });

  it('takes more markers from the config', () => {
    const request = main({ role: 'user', content: 'INTERNAL-LINTER: classify this diff' });
    expect(detectSideRequest(request, CLAUDE, ['INTERNAL-LINTER:'])).toBe('helper');
    expect(detectSideRequest(request, CLAUDE, [])).toBeUndefined();
  });

  it('knows Claude Code by any of its headers', () => {
    expect(fromClaudeCode({ 'user-agent': 'claude-cli/2.1.330 (external, sdk-cli)' })).toBe(true);
    expect(fromClaudeCode({ 'x-app': 'cli' })).toBe(true);
    expect(fromClaudeCode({ 'anthropic-beta': 'claude-code-20250219' })).toBe(true);
    expect(fromClaudeCode({ 'user-agent': 'curl/8.0' })).toBe(false);
  });
});
