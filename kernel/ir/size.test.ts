import { describe, expect, it } from '@jest/globals';
import { estimateRequestSize } from './size.js';

describe('estimateRequestSize', () => {
  it('counts system, tools and messages at 3.5 characters per token, images at 1600', () => {
    const size = estimateRequestSize({
      model: 'm',
      max_tokens: 10,
      system: 'x'.repeat(35),
      tools: [{ name: 'ab', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: 'y'.repeat(70) },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ab', input: { q: 'zz' } }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] }],
        },
      ],
    });
    // 35 system + tool definition (name 4+2, input_schema 12 + type 4+6) + 70 text + tool_use (2 + q 1 + zz 2) = 138 chars.
    expect(size).toEqual({ tokens: Math.ceil(138 / 3.5) + 1600, images: 1 });
  });

  it('skips redacted thinking, whose opaque data the model does not read as text', () => {
    const size = estimateRequestSize({ model: 'm', max_tokens: 1, messages: [{ role: 'assistant', content: [{ type: 'redacted_thinking', data: 'x'.repeat(1000) }] }] });
    expect(size).toEqual({ tokens: 0, images: 0 });
  });
});
