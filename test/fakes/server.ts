/**
 * The base every fake upstream stands on: a node:http server on 127.0.0.1
 * that records each request and lets a handler write the answer byte by
 * byte. Fakes avoid frameworks on purpose: a framework would add headers,
 * buffer writes or fix framing that a test wants to get wrong on purpose.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path with the query string, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** Node lower-cases header names. */
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  json: unknown;
}

/** What a handler gets besides the request: `signal` aborts when the client goes away or the fake closes. */
export interface FakeContext {
  signal: AbortSignal;
}

export type FakeHandler = (
  req: RecordedRequest,
  res: http.ServerResponse,
  ctx: FakeContext,
) => void | Promise<void>;

export interface FakeServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Stops listening and destroys open sockets, streams included. */
  close(): Promise<void>;
}

/** Timing knobs shared by every reply kind of every fake. */
export interface ReplyTiming {
  /** Wait before the first byte of the response (status line included). */
  delayMs?: number;
  /** Wait between two frames of a stream. */
  chunkDelayMs?: number;
}

/** Escape hatch: the test writes the response itself. */
export interface RawReply extends ReplyTiming {
  raw: (req: RecordedRequest, res: http.ServerResponse, ctx: FakeContext) => void | Promise<void>;
}

export async function startFake(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  // Aborting on close wakes handlers that sleep in delayMs/chunkDelayMs, so
  // no timer outlives the fake and keeps jest from exiting.
  const closing = new AbortController();

  const server = http.createServer((req, res) => {
    const request = new AbortController();
    const onClosing = () => request.abort();
    closing.signal.addEventListener('abort', onClosing, { once: true });
    res.on('close', () => {
      request.abort();
      closing.signal.removeEventListener('abort', onClosing);
    });

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json: parseJson(body),
      };
      requests.push(recorded);
      void run(handler, recorded, res, request.signal);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function run(handler: FakeHandler, req: RecordedRequest, res: http.ServerResponse, signal: AbortSignal) {
  try {
    await handler(req, res, { signal });
  } catch (err) {
    if (signal.aborted || res.destroyed) return;
    // A bug in a test's script should show up as a readable 500, not a hang.
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake handler failed: ${err instanceof Error ? err.stack : String(err)}`);
    } else {
      res.destroy();
    }
  }
}

function parseJson(body: string): unknown {
  if (body === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Sleeps unless the request is gone; throws AbortError then, which `run` swallows. */
export async function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (ms && ms > 0) await delay(ms, undefined, { signal });
  signal.throwIfAborted();
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Sends a JSON body but kills the socket halfway through it, so the client
 * sees a truncated response rather than a clean error.
 */
export function sendJsonThenDie(res: http.ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
}

export interface StreamOptions extends ReplyTiming {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Write this many frames, then destroy the socket without ending the body. */
  dieAfter?: number;
  contentType?: string;
}

/**
 * Writes pre-built frames one `write` each (so chunk boundaries on the wire
 * follow frame boundaries when chunkDelayMs is set), then ends the response,
 * or destroys the socket after `dieAfter` frames.
 */
export async function streamFrames(
  res: http.ServerResponse,
  frames: ReadonlyArray<string | Uint8Array>,
  opts: StreamOptions,
): Promise<void> {
  res.writeHead(200, {
    'content-type': opts.contentType ?? 'text/event-stream',
    'cache-control': 'no-cache',
    ...opts.headers,
  });
  res.flushHeaders();
  for (let i = 0; i < frames.length; i++) {
    if (opts.dieAfter !== undefined && i >= opts.dieAfter) break;
    if (i > 0) await pause(opts.chunkDelayMs, opts.signal);
    const frame = frames[i] as string | Uint8Array;
    await new Promise<void>((resolve, reject) => res.write(frame, (err) => (err ? reject(err) : resolve())));
  }
  if (opts.dieAfter !== undefined) res.destroy();
  else res.end();
}

/**
 * Splits text into word-sized deltas ("Hello big world" → "Hello ", "big ",
 * "world") so that a stream carries several deltas, as real models do.
 */
export function splitText(text: string | readonly string[]): string[] {
  if (typeof text !== 'string') return [...text];
  const words = text.match(/\S+\s*|\s+/g);
  return words ?? [text];
}

/** Splits a string into up to `parts` pieces of near-equal length; '' stays one piece. */
export function splitPieces(s: string, parts = 3): string[] {
  if (s.length === 0) return [''];
  const size = Math.ceil(s.length / parts);
  const pieces: string[] = [];
  for (let i = 0; i < s.length; i += size) pieces.push(s.slice(i, i + size));
  return pieces;
}
