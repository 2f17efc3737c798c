/**
 * Writes an answer as an Anthropic SSE stream: each event framed with
 * encodeEvent and written the moment it arrives, pings while the upstream
 * is silent, and a well-formed `error` frame when the answer fails after
 * the first byte.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { encodeEvent, errorTypeForStatus, LynkrError, toLynkrError, type Exchange, type PipelineResult, type StreamEvent } from '../../kernel/index.js';
import { errorBody } from './errors.js';
import { answerHeaders } from './headers.js';

const PING_EVENT = encodeEvent({ type: 'ping' });
/**
 * Before `message_start` a `ping` event would break the grammar strict
 * readers check (the stream must begin with message_start), so the
 * keep-alive is an SSE comment, which every SSE parser skips.
 */
const PING_COMMENT = ': ping\n\n';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // nginx and similar proxies buffer responses unless told not to, which would hold back every token.
  'x-accel-buffering': 'no',
};

const TIMED_OUT = Symbol('timed out');

/**
 * Stream `result` to the client. The headers wait for the first event (at
 * most `pingIntervalMs`), so that an answer failing before it still gets a
 * real HTTP status: until then this function throws like any handler.
 * After the first byte it never throws: failures become an `error` frame.
 * Resolves once the response is over.
 */
export async function streamAnswer(reply: FastifyReply, result: PipelineResult, ex: Exchange, pingIntervalMs: number): Promise<void> {
  const events = result.events[Symbol.asyncIterator]();
  const res = reply.raw;
  let gone = false;
  // The kernel aborts ex.signal when the client closes the connection (or at shutdown): stop reading at once, which aborts the upstream.
  const onAbort = (): void => {
    gone = true;
    void Promise.resolve(events.return?.()).catch(() => undefined);
  };
  if (ex.signal.aborted) onAbort();
  else ex.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const waitStart = performance.now();
    let pending = events.next();
    let first: IteratorResult<StreamEvent> | typeof TIMED_OUT;
    try {
      first = await withDeadline(pending, pingIntervalMs);
    } catch (error) {
      if (gone) return hangUp(reply);
      throw error;
    }
    if (gone) return hangUp(reply);
    if (first !== TIMED_OUT && first.done) throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', 'the provider answered with an empty stream');

    reply.hijack();
    // Headers set on the reply (the kernel's x-request-id) would be lost by the hijack: carry them over.
    const headers = { ...reply.getHeaders(), ...answerHeaders(result.headers, ex, performance.now() - waitStart), ...SSE_HEADERS };
    res.writeHead(200, headers as OutgoingHttpHeaders);
    const out = new SseOut(res, pingIntervalMs);
    if (first === TIMED_OUT) out.write(PING_COMMENT);
    else pending = Promise.resolve(first);
    await pump(events, pending, out, () => gone, ex);
  } finally {
    ex.signal.removeEventListener('abort', onAbort);
  }
}

/** Copy events to the client until the answer ends, the client goes away or the answer fails. */
async function pump(
  events: AsyncIterator<StreamEvent>,
  firstStep: Promise<IteratorResult<StreamEvent>>,
  out: SseOut,
  isGone: () => boolean,
  ex: Exchange,
): Promise<void> {
  let pending = firstStep;
  let ended = false;
  try {
    for (;;) {
      const step = await pending;
      if (isGone()) return out.close();
      if (step.done) break;
      const ev = step.value;
      // A terminal event does not end the loop: the iterator's own end is what tells the kernel the answer is complete.
      if (ev.type === 'message_stop' || ev.type === 'error') ended = true;
      const drained = out.write(encodeEvent(ev));
      if (drained) await drained;
      pending = events.next();
    }
    if (!ended) {
      ex.log.warn('the answer ended before message_stop; closing the stream with an error event');
      out.write(errorFrame('api_error', 'the upstream stream ended before message_stop', ex.id));
    }
    out.end();
  } catch (error) {
    if (isGone()) return out.close();
    const err = toLynkrError(error);
    ex.log[err.status >= 500 ? 'error' : 'warn']({ err }, `stream failed after the first byte: ${err.message}`);
    out.write(errorFrame(errorTypeForStatus(err.status), err.message, ex.id));
    out.end();
  }
}

function errorFrame(type: string, message: string, requestId: string): string {
  return `event: error\ndata: ${JSON.stringify(errorBody(type, message, requestId))}\n\n`;
}

/**
 * The response body side: writes with backpressure (a slow client slows the
 * upstream read instead of growing a buffer) and a ping whenever nothing was
 * written for `pingIntervalMs`. One timer, re-armed only when it fires, so a
 * busy stream costs no timer work per event.
 */
class SseOut {
  readonly #res: ServerResponse;
  readonly #interval: number;
  #lastWrite = performance.now();
  #started = false;
  #timer: NodeJS.Timeout;

  constructor(res: ServerResponse, interval: number) {
    this.#res = res;
    this.#interval = interval;
    this.#timer = setTimeout(() => this.#ping(), interval);
  }

  /** Write a frame; returns a promise only when the socket asks to wait (drain or close). */
  write(frame: string): Promise<void> | undefined {
    if (this.#res.destroyed || this.#res.writableEnded) return undefined;
    if (frame !== PING_COMMENT) this.#started = true;
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
      this.write(this.#started ? PING_EVENT : PING_COMMENT);
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
