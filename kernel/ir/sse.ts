/**
 * Byte-level framing of streams: Server-Sent Events both ways, and NDJSON
 * (Ollama's native API) in.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { StreamEvent } from './types.js';

/** One decoded SSE frame. @public */
export interface SSEFrame {
  event?: string | undefined;
  data: string;
  id?: string | undefined;
}

/** A body as HTTP clients and in-memory tests give it. @public */
export type ByteStream = AsyncIterable<Uint8Array | string>;

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * One SSE frame. Data with line breaks becomes one `data:` line per line,
 * which a reader joins back with `\n`.
 * @public
 */
export function encodeSSE(event: string | undefined, data: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  // JSON never holds a raw line break: skip the split on the hot path.
  const body = data.includes('\n') || data.includes('\r') ? data.split(LINE_BREAK).join('\ndata: ') : data;
  return `${head}data: ${body}\n\n`;
}

/** An IR event framed as Anthropic sends it: the event name is its `type`. @public */
export function encodeEvent(ev: StreamEvent): string {
  return encodeSSE(ev.type, JSON.stringify(ev));
}

/**
 * Decode an SSE body into frames, yielding each as soon as its blank line
 * arrives. A frame left incomplete when the body ends is discarded, as the
 * SSE standard says: the caller sees a stream that stopped early rather than
 * a half frame.
 *
 * The signal is checked between chunks; to interrupt a read that is waiting
 * on the network, give the same signal to the request that produced `body`.
 * @public
 */
export async function* decodeSSE(body: ByteStream, signal?: AbortSignal): AsyncGenerator<SSEFrame> {
  const frames: SSEFrame[] = [];
  const parser = new SSEParser((frame) => frames.push(frame));
  const decoder = new TextDecoder();
  signal?.throwIfAborted();
  for await (const chunk of body) {
    signal?.throwIfAborted();
    // `stream: true` keeps a multi-byte character split across chunks whole.
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    for (const frame of frames) yield frame;
    frames.length = 0;
  }
  parser.end();
  yield* frames;
}

/**
 * A push parser of SSE text (eventsource-parser) that settles CR line ends
 * across feeds: a CR that ends one feed may be the first half of a CRLF, and
 * the parser loses a blank line so ended, so trailing CRs wait for the next
 * feed, or for `end()`.
 * @public
 */
export class SSEParser {
  readonly #parser: EventSourceParser;
  #held = '';

  constructor(onFrame: (frame: SSEFrame) => void) {
    this.#parser = createParser({ onEvent: onFrame });
  }

  feed(text: string): void {
    if (this.#held) {
      text = this.#held + text;
      this.#held = '';
    }
    if (text.endsWith('\r')) {
      const end = text.length - TRAILING_CRS.exec(text)![0].length;
      this.#held = text.slice(end);
      text = text.slice(0, end);
    }
    this.#parser.feed(text);
  }

  /** The end of the text: held CRs end their lines (an LF after a CR adds no line). */
  end(): void {
    if (!this.#held) return;
    this.#parser.feed(`${this.#held}\n`);
    this.#held = '';
  }
}

const TRAILING_CRS = /\r+$/;

const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINE_LF = Buffer.from('\n\n');

/**
 * How many leading bytes of `bytes` are whole SSE frames: up to the end of
 * its last blank line, or 0. Lines end with CRLF, LF or CR, as the standard
 * allows; `bytes` must begin at the start of a line. A CR as the very last
 * byte may be the first half of a CRLF, so it ends a line only at the end of
 * the body (`atEnd`). Finds where a stream can be cut or interleaved without
 * splitting a frame, so that bytes can pass through without being decoded.
 * @public
 */
export function completeFramesLength(bytes: Buffer, atEnd = false): number {
  // The common case, LF line ends only: one native search from the end.
  if (bytes.indexOf(CR) === -1) {
    const at = bytes.lastIndexOf(BLANK_LINE_LF);
    return at === -1 ? (bytes[0] === LF ? 1 : 0) : at + 2;
  }
  let complete = 0;
  let lineStart = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== LF && c !== CR) {
      lineStart = false;
      continue;
    }
    let next = i + 1;
    if (c === CR) {
      if (next === bytes.length && !atEnd) break;
      if (bytes[next] === LF) next++;
    }
    if (lineStart) complete = next;
    lineStart = true;
    i = next - 1;
  }
  return complete;
}

/**
 * Decode an NDJSON body: one JSON value a line, yielded as each line
 * completes. Blank lines are skipped; a line that is not JSON throws an Error
 * naming its line number.
 * @public
 */
export async function* decodeNDJSON(body: ByteStream, signal?: AbortSignal): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let pending = '';
  let line = 0;
  signal?.throwIfAborted();
  for await (const chunk of body) {
    signal?.throwIfAborted();
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      const text = pending.slice(start, end);
      start = end + 1;
      line += 1;
      if (text.trim() !== '') yield parseLine(text, line);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield parseLine(pending, line + 1);
}

function parseLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new Error(`NDJSON line ${line} is not valid JSON: ${shown}`, { cause });
  }
}
