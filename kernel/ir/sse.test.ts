import { describe, expect, it } from '@jest/globals';
import { decodeNDJSON, decodeSSE, encodeEvent, encodeSSE, type SSEFrame } from './sse.js';

const bytes = (s: string) => new TextEncoder().encode(s);

async function* body(...chunks: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  yield* chunks;
}

async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** Every way of cutting `text`'s bytes in two. */
function splits(text: string): Array<[Uint8Array, Uint8Array]> {
  const b = bytes(text);
  return Array.from({ length: b.length + 1 }, (_, i) => [b.slice(0, i), b.slice(i)]);
}

describe('encodeSSE / encodeEvent', () => {
  it('frames an event', () => {
    expect(encodeSSE('ping', '{"type":"ping"}')).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(encodeSSE(undefined, '[DONE]')).toBe('data: [DONE]\n\n');
  });

  it('writes one data line per line', () => {
    expect(encodeSSE('x', 'a\nb\r\nc')).toBe('event: x\ndata: a\ndata: b\ndata: c\n\n');
  });

  it('names Anthropic events by their type', () => {
    expect(encodeEvent({ type: 'message_stop' })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });
});

describe('decodeSSE', () => {
  it('round-trips frames, multi-line data and ids', async () => {
    const text = `${encodeSSE('a', '1')}${encodeSSE(undefined, 'x\ny')}id: 7\ndata: z\n\n: a comment\n\n`;
    const frames = await all(decodeSSE(body(text)));
    expect(frames.map(({ event, data, id }) => ({ event, data, id }))).toEqual([
      { event: 'a', data: '1', id: undefined },
      { event: undefined, data: 'x\ny', id: undefined },
      { event: undefined, data: 'z', id: '7' },
    ]);
  });

  it('keeps multi-byte characters split across chunks whole', async () => {
    const text = encodeSSE('t', '{"text":"héllo 👋 世界"}');
    for (const [a, b] of splits(text)) {
      const frames = await all(decodeSSE(body(a, b)));
      expect(frames.map((f) => f.data)).toEqual(['{"text":"héllo 👋 世界"}']);
    }
  });

  it('handles CRLF line endings split between chunks', async () => {
    const frames = await all(decodeSSE(body('data: a\r', '\n\r\ndata: b\r\n\r\n')));
    expect(frames.map((f) => f.data)).toEqual(['a', 'b']);
  });

  it('yields each frame as soon as it is complete', async () => {
    const seen: string[] = [];
    async function* slow(): AsyncGenerator<string> {
      yield 'data: 1\n\ndata: 2';
      seen.push('second chunk asked');
      yield '\n\n';
    }
    for await (const frame of decodeSSE(slow())) seen.push(frame.data);
    expect(seen).toEqual(['1', 'second chunk asked', '2']);
  });

  it('discards a frame left incomplete at the end', async () => {
    expect((await all(decodeSSE(body('data: 1\n\ndata: {"trunc')))).map((f) => f.data)).toEqual(['1']);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const frames: SSEFrame[] = [];
    const run = async () => {
      for await (const frame of decodeSSE(body('data: 1\n\n', 'data: 2\n\n'), controller.signal)) {
        frames.push(frame);
        controller.abort(new Error('client left'));
      }
    };
    await expect(run()).rejects.toThrow('client left');
    expect(frames).toHaveLength(1);
  });
});

describe('decodeNDJSON', () => {
  it('parses lines split across chunks and skips blank lines', async () => {
    const text = '{"a":1}\n\n  \n{"b":"é"}\r\n{"c":[1,2]}';
    for (const [x, y] of splits(text)) {
      expect(await all(decodeNDJSON(body(x, y)))).toEqual([{ a: 1 }, { b: 'é' }, { c: [1, 2] }]);
    }
  });

  it('names the line that is not JSON', async () => {
    await expect(all(decodeNDJSON(body('{"ok":1}\n\n{"bad":\n')))).rejects.toThrow('NDJSON line 3 is not valid JSON: {"bad":');
    await expect(all(decodeNDJSON(body('{"ok":1}\nnope')))).rejects.toThrow('NDJSON line 2');
  });
});
