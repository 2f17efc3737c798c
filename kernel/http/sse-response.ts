/**
 * Writes an answer as Server-Sent Events, for every API surface: frames
 * written the moment they are encoded, with backpressure, a keep-alive while
 * the upstream is silent, and a well-formed end when the answer fails after
 * the first byte. The wire format of the frames is the surface's (see
 * {@link SseEncoding}).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { LynkrError, toLynkrError } from '../errors.js';
import type { StreamEvent } from '../ir/types.js';
import { takeVerbatim, type VerbatimStream } from '../ir/verbatim.js';
import type { PipelineResult } from '../plugin/context.js';
import type { Exchange } from '../pipeline/types.js';
import { writeAnswerHead } from './answer.js';

/** An SSE comment: every SSE reader skips it, so it is safe anywhere in the stream, before the first event included. */
const PING_COMMENT = ': ping\n\n';

const SSE_HEADERS = [
  'content-type', 'text/event-stream',
  'cache-control', 'no-cache',
  'connection', 'keep-alive',
  // nginx and similar proxies buffer responses unless told not to, which would hold back every token.
  'x-accel-buffering', 'no',
];

const TIMED_OUT = Symbol('timed out');

/** How a surface frames its answer. @public */
export interface SseEncoding {
  /**
   * The wire whose streams this encoding would write unchanged (`anthropic`
   * for the Anthropic Messages surface): an answer a provider has in that
   * wire then goes to the client as the upstream's bytes, unless a
   * postResponse handler needs its events (see kernel/ir/verbatim.ts).
   */
  wire?: string;
  /** The answer's frames from its IR events, encoded lazily as the events arrive. */
  frames(events: AsyncIterable<StreamEvent>): AsyncIterable<string>;
  /** The last frame of an answer that failed after the first byte, for whatever it threw. */
  errorFrame(error: unknown): string;
  /** Written after the last frame of an answer that did not fail (`data: [DONE]`). */
  end?: string;
  /**
   * The keep-alive frame once `started` (a frame was written): Anthropic's
   * `ping` event, for instance. Default, and always before the first frame:
   * an SSE comment.
   */
  ping?(started: boolean): string;
}

/** @public */
export interface StreamAnswerOptions {
  /** Keep-alive after this much silence; also how long the headers wait for the first event. */
  pingIntervalMs: number;
  encoding: SseEncoding;
}

/**
 * Stream `result` to the client. The headers wait for the first event (at
 * most `pingIntervalMs`), so that an answer failing before it still gets a
 * real HTTP status and OpenAI's error JSON: until then this function throws
 * like any handler. After the first byte it never throws. Resolves once the
 * response is over.
 * @public
 */
export async function streamAnswer(reply: FastifyReply, result: PipelineResult, ex: Exchange, options: StreamAnswerOptions): Promise<void> {
  const { pingIntervalMs, encoding } = options;
  const verbatim = encoding.wire === undefined ? undefined : takeVerbatim(result.events, encoding.wire, true);
  if (verbatim) return streamVerbatim(reply, result, ex, options, verbatim);
  const events = result.events[Symbol.asyncIterator]();
  let gone = false;
  // The kernel aborts the exchange when the client closes the connection (or at shutdown): stop reading at once, which aborts the upstream.
  const onAbort = (): void => {
    gone = true;
    void Promise.resolve(events.return?.()).catch(() => undefined);
  };
  const offAbort = ex.onAbort(onAbort);

  try {
    const waitStart = performance.now();
    const pending = events.next();
    let first: IteratorResult<StreamEvent> | typeof TIMED_OUT;
    try {
      first = await withDeadline(pending, pingIntervalMs);
    } catch (error) {
      if (gone) return hangUp(reply);
      throw error;
    }
    if (gone) return hangUp(reply);
    if (first !== TIMED_OUT && first.done) throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', 'the provider answered with an empty stream');

    writeAnswerHead(reply, result.headers, ex, performance.now() - waitStart, SSE_HEADERS);
    const out = new SseOut(reply.raw, pingIntervalMs, encoding.ping);
    if (first === TIMED_OUT) out.write(PING_COMMENT, true);
    await pump(encoding.frames(resume(pending, events)), out, () => gone, ex, encoding);
  } finally {
    offAbort();
  }
}

/**
 * Stream the upstream's bytes. The provider read the first frame before it
 * answered, so the headers go out at once; after them, the same writer as
 * for events: keep-alives, backpressure, the error frame on a failure.
 */
async function streamVerbatim(reply: FastifyReply, result: PipelineResult, ex: Exchange, options: StreamAnswerOptions, answer: VerbatimStream): Promise<void> {
  let gone = false;
  const offAbort = ex.onAbort(() => {
    gone = true;
    void answer.frames.return?.().catch(() => undefined);
  });
  try {
    if (gone) return hangUp(reply);
    writeAnswerHead(reply, result.headers, ex, 0, SSE_HEADERS);
    await pump(answer.frames, new SseOut(reply.raw, options.pingIntervalMs, options.encoding.ping), () => gone, ex, options.encoding);
  } finally {
    offAbort();
  }
}

/** The events from the one already asked for; leaving early stops the upstream. */
async function* resume(first: Promise<IteratorResult<StreamEvent>>, events: AsyncIterator<StreamEvent>): AsyncGenerator<StreamEvent> {
  let finished = false;
  try {
    for (let step = await first; !step.done; step = await events.next()) yield step.value;
    finished = true;
  } finally {
    if (!finished) await events.return?.();
  }
}

/** Copy frames to the client until the answer ends, the client goes away or the answer fails. */
async function pump(frames: AsyncIterable<string | Buffer>, out: SseOut, isGone: () => boolean, ex: Exchange, encoding: SseEncoding): Promise<void> {
  const it = frames[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await it.next();
      if (isGone()) {
        void Promise.resolve(it.return?.()).catch(() => undefined);
        return out.close();
      }
      if (step.done) break;
      const drained = out.write(step.value);
      if (drained) await drained;
    }
    if (encoding.end) out.write(encoding.end);
    out.end();
  } catch (error) {
    if (isGone()) return out.close();
    const err = toLynkrError(error);
    ex.log[err.status >= 500 ? 'error' : 'warn']({ err }, `stream failed after the first byte: ${err.message}`);
    out.write(encoding.errorFrame(error));
    out.end();
  }
}

/**
 * The response body side: writes with backpressure (a slow client slows the
 * upstream read instead of growing a buffer) and a keep-alive comment
 * whenever nothing was written for `interval` ms. One timer, re-armed only
 * when it fires, so a busy stream costs no timer work per frame.
 */
class SseOut {
  readonly #res: ServerResponse;
  readonly #interval: number;
  readonly #pingFrame: ((started: boolean) => string) | undefined;
  #lastWrite = performance.now();
  #started = false;
  #timer: NodeJS.Timeout;

  constructor(res: ServerResponse, interval: number, pingFrame: ((started: boolean) => string) | undefined) {
    this.#res = res;
    this.#interval = interval;
    this.#pingFrame = pingFrame;
    this.#timer = setTimeout(() => this.#ping(), interval);
  }

  /** Write a frame; returns a promise only when the socket asks to wait (drain or close). */
  write(frame: string | Buffer, keepAlive = false): Promise<void> | undefined {
    if (this.#res.destroyed || this.#res.writableEnded) return undefined;
    if (!keepAlive) this.#started = true;
    this.#lastWrite = performance.now();
    if (this.#res.write(frame)) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off('drain', done);
        this.#res.off('close', done);
        resolve();
      };
      this.#res.once('drain', done);
      this.#res.once('close', done);
    });
  }

  end(): void {
    clearTimeout(this.#timer);
    if (!this.#res.writableEnded) this.#res.end();
  }

  /** The client is gone: release the socket without a clean end. */
  close(): void {
    clearTimeout(this.#timer);
    if (!this.#res.destroyed) this.#res.destroy();
  }

  #ping(): void {
    // A socket already gone: stop re-arming, even while the loop still waits on an event.
    if (this.#res.destroyed || this.#res.writableEnded) return;
    const idle = performance.now() - this.#lastWrite;
    if (idle >= this.#interval) {
      this.write(this.#pingFrame?.(this.#started) ?? PING_COMMENT, true);
      this.#timer = setTimeout(() => this.#ping(), this.#interval);
    } else {
      this.#timer = setTimeout(() => this.#ping(), this.#interval - idle);
    }
  }
}

/** The step, or TIMED_OUT when it takes longer than `ms`; the step's promise stays usable either way. */
async function withDeadline<T>(pending: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)));
  try {
    return await Promise.race([pending, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client went away before the headers: nothing to answer, only the socket to release. */
function hangUp(reply: FastifyReply): void {
  reply.hijack();
  if (!reply.raw.destroyed) reply.raw.destroy();
}
