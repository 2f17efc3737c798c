import { describe, expect, it } from '@jest/globals';
import { completeFramesLength, decodeNDJSON, decodeSSE, encodeEvent, encodeSSE, type SSEFrame } from './sse.js';

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

describe('decodeSSE with CR line ends', () => {
  it('ends a frame whose blank line is a CR at the end of a chunk', async () => {
    const frames = await all(decodeSSE(body('data: 1\r\r', 'data: 2\r', '\r', 'data: 3\r\r\r', 'event: x\rdata: 4\r\r')));
    expect(frames.map((f) => f.data)).toEqual(['1', '2', '3', '4']);
    expect(frames[3]!.event).toBe('x');
  });

  it('keeps a CRLF split across two chunks one line end', async () => {
    const frames = await all(decodeSSE(body('data: 1\r', '\ndata: 2\r\n\r', '\n')));
    expect(frames.map((f) => f.data)).toEqual(['1\n2']);
  });
});

describe('completeFramesLength', () => {
  const length = (s: string, atEnd = false) => completeFramesLength(Buffer.from(s), atEnd);

  it('ends at the last blank line, whatever the line ends', () => {
    expect(length('event: a\ndata: 1\n\nevent: b\ndata: 2\n\n')).toBe(36);
    expect(length('data: 1\n\ndata: 2\n')).toBe(9);
    expect(length('data: 1\r\n\r\ndata: 2')).toBe(11);
    expect(length('data: 1\r\rdata: 2')).toBe(9);
    expect(length('data: 1\n\r\ndata: 2\r\n\n')).toBe(20);
  });

  it('is 0 until a frame ends', () => {
    expect(length('')).toBe(0);
    expect(length('event: a\ndata: 1\n')).toBe(0);
    expect(length('event: a\r\ndata: 1\r\n')).toBe(0);
  });

  it('counts a blank line at the start, and blank lines between frames', () => {
    expect(length('\ndata: 1')).toBe(1);
    expect(length('data: 1\n\n\n\ndata: 2')).toBe(11);
  });

  it('waits for the byte after a final CR, unless the body has ended', () => {
    // "\r" then "\n" in the next read would be one line end, not two.
    expect(length('data: 1\r\n\r')).toBe(0);
    expect(length('data: 1\r\n\r', true)).toBe(10);
    expect(length('data: 1\r\r', true)).toBe(9);
  });

  it('agrees with the decoder on where frames end', async () => {
    const text = 'event: a\r\ndata: 1\r\n\r\n: comment\n\nevent: b\rdata: 2\r\r\ndata: 3\n';
    const end = length(text);
    const whole = await all(decodeSSE(body(text.slice(0, end))));
    expect(whole.map((f) => f.data)).toEqual(['1', '2']);
    expect(end).toBe(text.indexOf('data: 3'));
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
