/**
 * The fakes are only worth trusting if the official SDKs parse them: this
 * checks each fake's richest stream through the SDK's own accumulator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeAnthropic, type FakeAnthropic } from './anthropic.js';
import { startFakeOpenAI, type FakeOpenAI } from './openai-chat.js';

let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
});

describe('official SDKs read the fakes', () => {
  it('@anthropic-ai/sdk accumulates thinking, text and tool use from the stream', async () => {
    anthropic.enqueue({
      thinking: { text: 'Hmm, a file.', signature: 'sig==' },
      text: 'Reading it.',
      toolUses: [{ id: 'toolu_1', name: 'read', input: { path: '/a', lines: [1, 2] } }],
      usage: { input: 12, output: 34, cacheRead: 5 },
    });
    const client = new Anthropic({ baseURL: anthropic.url, apiKey: 'sk-ant-fake', maxRetries: 0 });
    const final = await client.messages
      .stream({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] })
      .finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Hmm, a file.', signature: 'sig==' },
      { type: 'text', text: 'Reading it.' },
      { type: 'tool_use', id: 'toolu_1', name: 'read', input: { path: '/a', lines: [1, 2] } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 34, cache_read_input_tokens: 5 });
  });

  it('openai accumulates interleaved parallel tool calls and usage from the stream', async () => {
    openai.enqueue({
      toolCalls: [
        { id: 'call_1', name: 'read', arguments: '{"path":"/a"}' },
        { id: 'call_2', name: 'now', arguments: '' },
      ],
      interleave: true,
      usage: { prompt: 9, completion: 4 },
    });
    const client = new OpenAI({ baseURL: `${openai.url}/v1`, apiKey: 'sk-fake', maxRetries: 0 });
    const final = await client.chat.completions
      .stream({ model: 'gpt-x', messages: [{ role: 'user', content: 'go' }], stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'read', arguments: '{"path":"/a"}' } },
      { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4 });
  });
});
