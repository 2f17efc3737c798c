import { describe, expect, it } from '@jest/globals';
import type { CountTokensRequest } from '../../kernel/index.js';
import {
  countRequestTokens,
  IMAGE_MAX_TOKENS,
  imageTokens,
  loadTokenizer,
  MESSAGE_TOKENS,
  PDF_PAGE_TOKENS,
  TOOL_PROMPT_TOKENS,
} from './count-tokens.js';

/** A PNG header of the given size, base64: all imageTokens reads. */
function pngBase64(width: number, height: number): string {
  const head = Buffer.alloc(24);
  head.writeUInt32BE(0x89504e47, 0);
  head.writeUInt32BE(0x0d0a1a0a, 4);
  head.writeUInt32BE(13, 8);
  head.write('IHDR', 12, 'latin1');
  head.writeUInt32BE(width, 16);
  head.writeUInt32BE(height, 20);
  return head.toString('base64');
}

/** Counts nothing, but records the text it was given: what the request contributes as text. */
function recorder() {
  const seen: string[] = [];
  return { seen, count: (text: string) => (seen.push(text), 0) };
}

const request = (extra: Partial<CountTokensRequest>): CountTokensRequest => ({ model: 'claude-x', messages: [], ...extra });

describe('countRequestTokens', () => {
  it('counts the system prompt, every message\'s text, tool uses with their input, and tool results', () => {
    const r = recorder();
    const extra = countRequestTokens(
      request({
        system: [{ type: 'text', text: 'SYSTEM', cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: [{ type: 'text', text: 'calling' }, { type: 'tool_use', id: 't1', name: 'read', input: { path: '/a' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'file body' }] }] },
          { role: 'system', content: 'mid-conversation note' },
        ],
      }),
      r.count,
    );
    expect(r.seen).toEqual(['SYSTEM\nhello\ncalling\nread\n{"path":"/a"}\nfile body\nmid-conversation note']);
    expect(extra).toBe(4 * MESSAGE_TOKENS);
  });

  it('serializes tool definitions without cache_control, and adds Anthropic\'s tool prompt', () => {
    const tool = { name: 'Bash', description: 'run', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' as const } };
    const r = recorder();
    expect(countRequestTokens(request({ tools: [tool] }), r.count)).toBe(TOOL_PROMPT_TOKENS.auto);
    expect(r.seen).toEqual(['{"name":"Bash","description":"run","input_schema":{"type":"object","properties":{}}}']);
    expect(countRequestTokens(request({ tools: [tool], tool_choice: { type: 'any' } }), () => 0)).toBe(TOOL_PROMPT_TOKENS.forced);
  });

  it('counts thinking only in the last assistant message, and never redacted thinking', () => {
    const r = recorder();
    const thinking = (t: string) => ({ type: 'thinking' as const, thinking: t, signature: 'sig' });
    countRequestTokens(
      request({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [thinking('old'), { type: 'text', text: 'b' }] },
          { role: 'user', content: 'c' },
          { role: 'assistant', content: [thinking('new'), { type: 'redacted_thinking', data: 'xyz' }] },
        ],
      }),
      r.count,
    );
    expect(r.seen).toEqual(['a\nb\nc\nnew']);
  });

  it('counts unknown block types by their JSON', () => {
    const r = recorder();
    countRequestTokens(request({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: { q: 'x' } }] }] }), r.count);
    expect(r.seen).toEqual(['{"type":"server_tool_use","id":"s","name":"web_search","input":{"q":"x"}}']);
  });

  it('counts images and documents with Anthropic\'s estimates', () => {
    const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: pngBase64(200, 300) } };
    const pdf = Buffer.from('%PDF-1.4 /Type /Pages /Type /Page /Type /Page /Type/Page').toString('base64');
    const r = recorder();
    const extra = countRequestTokens(
      request({
        messages: [
          {
            role: 'user',
            content: [
              image,
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain doc' }, title: 'T' },
            ],
          },
        ],
      }),
      r.count,
    );
    expect(extra).toBe(MESSAGE_TOKENS + 80 + 3 * PDF_PAGE_TOKENS);
    expect(r.seen).toEqual(['T\nplain doc']);
  });
});

describe('imageTokens', () => {
  it('is width × height / 750', () => {
    expect(imageTokens({ type: 'base64', media_type: 'image/png', data: pngBase64(200, 300) })).toBe(80);
    expect(imageTokens({ type: 'base64', media_type: 'image/png', data: pngBase64(1000, 1000) })).toBe(1334);
  });

  it('scales the long edge down to 1568 px and caps at about 1600 tokens', () => {
    // 3136 × 400 scales to 1568 × 200: 419 tokens.
    expect(imageTokens({ type: 'base64', media_type: 'image/png', data: pngBase64(3136, 400) })).toBe(419);
    expect(imageTokens({ type: 'base64', media_type: 'image/png', data: pngBase64(4000, 4000) })).toBe(IMAGE_MAX_TOKENS);
  });

  it('counts an image it cannot measure at the maximum', () => {
    expect(imageTokens({ type: 'url', url: 'https://example.com/a.png' })).toBe(IMAGE_MAX_TOKENS);
    expect(imageTokens({ type: 'base64', media_type: 'image/png', data: 'bm90IGFuIGltYWdl' })).toBe(IMAGE_MAX_TOKENS);
  });
});

describe('the o200k_base counter', () => {
  it('counts real tokens, and treats special-token text as plain text', async () => {
    const count = await loadTokenizer();
    expect(count('')).toBe(0);
    expect(count('Hello, world')).toBe(3);
    expect(count('a <|endoftext|> b')).toBeGreaterThan(3);
  });
});
