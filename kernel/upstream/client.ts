/**
 * The HTTP client every provider uses: keep-alive pools per origin on
 * undici, three timeouts instead of one total (a stream may last as long as
 * the model writes), the exchange's abort signal wired to the socket, and
 * every failure as a LynkrError.
 */
import { Pool, type Dispatcher } from 'undici';
import { LynkrError } from '../errors.js';
import { fromSignal } from '../pipeline/exchange.js';
import type { AbortSource } from '../pipeline/types.js';
import { LYNKR_VERSION } from '../version.js';
import { abortError, MAX_ERROR_BODY, parseUpstreamJson, timeoutError, transportError, upstreamHttpError, withoutCredentials } from './errors.js';
import { flattenHeaders } from './headers.js';

/**
 * The three limits of an upstream call, in milliseconds. There is no total
 * limit: a stream that keeps sending may run as long as it needs.
 * @public
 */
export interface UpstreamTimeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /** From sending the request to the first byte of the response body: a local model loading or reading a long prompt. */
  firstByteMs: number;
  /** Between two pieces of the body once it has begun. */
  idleMs: number;
}

/** connect 10 s; first byte 120 s, as local models can be slow to start; idle 90 s. @public */
export const DEFAULT_UPSTREAM_TIMEOUTS: Readonly<UpstreamTimeouts> = Object.freeze({
  connectMs: 10_000,
  firstByteMs: 120_000,
  idleMs: 90_000,
});

/** @public */
export interface UpstreamRequest {
  /** A URL object is read at its first request and remembered (an adapter keeps one per endpoint): do not change it after. */
  url: string | URL;
  /** Default `POST`. */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborting it aborts the request and its body. */
  signal?: AbortSignal;
  /** The same, cheaper: pass the exchange itself (`abort: exchange`). */
  abort?: AbortSource;
  /** Missing fields take {@link DEFAULT_UPSTREAM_TIMEOUTS}. */
  timeouts?: Partial<UpstreamTimeouts>;
  /** Names the upstream in error messages: the provider id. Default: the origin. */
  label?: string;
}

/**
 * A successful (2xx) upstream response whose body has not been read yet.
 * Read it exactly once: through `body`, `bytes()`, `text()` or `json()`.
 * @public
 */
export interface UpstreamResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /**
   * The body, piece by piece as it arrives. Failures come out as
   * LynkrErrors (DISCONNECTED, TIMEOUT, CLIENT_ABORTED). Leaving the loop
   * early aborts the upstream request, unless `release()` was called.
   */
  body: AsyncIterable<Uint8Array>;
  /**
   * What of the body has arrived and not been read yet, in one buffer,
   * without waiting; undefined when nothing has. For a reader of `body` that
   * passes bytes on: an upstream that flushes each event in its own HTTP
   * chunk delivers several pieces per network read, and one write costs less
   * than several.
   */
  takeArrived(): Buffer | undefined;
  /** The whole body as it came. */
  bytes(): Promise<Buffer>;
  /** The whole body as UTF-8 (a lossy decode: invalid bytes become U+FFFD). */
  text(): Promise<string>;
  /** The body as JSON; LYNKR_ERR_UPSTREAM_PROTOCOL when it is not. */
  json(): Promise<unknown>;
  /**
   * Say that the caller has the whole answer (an SSE `[DONE]`, a
   * `message_stop`): when it then leaves the body loop, the rest of the body
   * is read and dropped in the background, so the connection goes back to
   * the pool instead of being closed.
   */
  release(): void;
}

const USER_AGENT = `lynkr/${LYNKR_VERSION}`;

/**
 * The request's headers as undici's flat list (name, value, ...), with
 * Lynkr's user-agent unless the request sets its own: no object of dashed
 * names built per request (see writeAnswerHead in kernel/http/answer.ts).
 */
function headerList(headers: Readonly<Record<string, string>> | undefined): string[] {
  const list: string[] = [];
  let agent = false;
  for (const name in headers) {
    list.push(name, headers[name]!);
    if (name.length === 10 && name.toLowerCase() === 'user-agent') agent = true;
  }
  if (!agent) list.push('user-agent', USER_AGENT);
  return list;
}

interface Target {
  origin: string;
  path: string;
}

/** Origin and path of the URL objects adapters keep for their endpoints: read once, not through URL's getters per request. */
const targets = new WeakMap<URL, Target>();

const partsOf = (url: URL): Target => ({ origin: url.origin, path: url.pathname + url.search });

function targetOf(url: string | URL): Target {
  // A URL given as text is parsed per request (an endpoint naming the model): nothing to remember.
  if (typeof url === 'string') return partsOf(new URL(url));
  let target = targets.get(url);
  if (!target) targets.set(url, (target = partsOf(url)));
  return target;
}

/** What is still read of a released body before the connection is given up. */
const MAX_DRAIN = 64 * 1024;

/**
 * Keep-alive HTTP pools for one plugin, one per origin, created on first
 * use; `close()` (from the plugin's `close`) destroys them. Setup creates
 * the client and opens nothing.
 * @public
 */
export class UpstreamClient {
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  /**
   * Send a request. Resolves once the response headers arrived with a 2xx
   * status; rejects with LYNKR_ERR_UPSTREAM_HTTP (an error status, with the
   * upstream's message, `retry-after` and request id), _UNREACHABLE, _TIMEOUT
   * or _PROTOCOL, or with the exchange's abort error.
   */
  fetch(req: UpstreamRequest): Promise<UpstreamResponse> {
    const { origin, path } = targetOf(req.url);
    const timeouts = req.timeouts ? { ...DEFAULT_UPSTREAM_TIMEOUTS, ...req.timeouts } : DEFAULT_UPSTREAM_TIMEOUTS;
    const label = req.label ?? origin;
    if (this.#closed) return Promise.reject(new LynkrError('LYNKR_ERR_SHUTTING_DOWN', `upstream "${label}": the provider is closed`));
    const abort = req.abort ?? (req.signal && fromSignal(req.signal));
    if (abort?.aborted) return Promise.reject(abortError(abort.reason));
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const call = new Call(label, origin, timeouts, req.headers, resolve, reject);
      call.listen(abort);
      this.#pool(origin, timeouts.connectMs).dispatch(
        {
          path,
          method: req.method ?? 'POST',
          headers: headerList(req.headers),
          body: req.body,
          // The Call's own timers rule: undici's would fire on a slow consumer and cannot say which limit it was.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        call,
      );
    });
  }

  /** Destroy every pool: in-flight requests fail, sockets close. Later fetches are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }

  /** One pool per origin and connect timeout (a pool's connector has one timeout for all its sockets). */
  #pool(origin: string, connectMs: number): Pool {
    const key = `${origin} ${connectMs}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Pool(origin, { connect: { timeout: connectMs } });
      this.#pools.set(key, pool);
    }
    return pool;
  }
}

/** Body bytes held for a reader that has not asked for them yet, beyond which the upstream socket is paused. */
const HIGH_WATER = 256 * 1024;

/** Why Lynkr stopped reading a body nobody will read any more; it reaches nobody, so one instance serves. */
const READER_LEFT = new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the reader left before the end of the upstream answer');

interface Waiter {
  resolve(step: IteratorResult<Uint8Array>): void;
  reject(error: unknown): void;
}

/** A reader of the whole body (`bytes()`, `text()`, an error status's body): resolved once, with everything read up to `limit` bytes. */
interface Collector {
  limit: number;
  resolve(bytes: Buffer): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined });

/** A lossy decode: invalid bytes become U+FFFD. */
const utf8 = (bytes: Buffer): string => bytes.toString('utf8');

/**
 * One upstream request, as undici's dispatch handler: the response, the body
 * as an async iterator over the pieces undici hands over (queued until read,
 * the socket paused when too much waits), the timers and the abort wiring.
 * A dispatch handler rather than undici's `request()` because the latter
 * builds a Readable stream per response and an async generator on top of it
 * to read it, on the path of every request.
 *
 * The first-byte timer runs from the start to the first piece of body; the
 * idle timer then fires only while the reader waits for a piece that does
 * not come, so a slow client does not count against the upstream.
 */
class Call implements Dispatcher.DispatchHandler, AsyncIterator<Uint8Array> {
  readonly #label: string;
  readonly #origin: string;
  readonly #timeouts: Readonly<UpstreamTimeouts>;
  readonly #requestHeaders: Record<string, string> | undefined;
  #resolve: ((res: UpstreamResponse) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #offAbort: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #gotBody = false;
  #status = 0;
  #headers: Record<string, string> = {};
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  /** How the call failed: set once, by a timeout, the exchange's abort or the transport. */
  #error: LynkrError | undefined;
  #waiter: Waiter | undefined;
  #collector: Collector | undefined;
  #released = false;
  /** A released body whose reader left: the rest is read and dropped, so that the connection goes back to the pool. */
  #dropping = false;
  #read = false;

  constructor(
    label: string,
    origin: string,
    timeouts: Readonly<UpstreamTimeouts>,
    requestHeaders: Record<string, string> | undefined,
    resolve: (res: UpstreamResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#label = label;
    this.#origin = origin;
    this.#timeouts = timeouts;
    this.#requestHeaders = requestHeaders;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = setTimeout(this.#onFirstByteTimeout, timeouts.firstByteMs);
    this.#timer.unref();
  }

  listen(abort: AbortSource | undefined): void {
    if (abort) this.#offAbort = abort.onAbort((reason) => this.#fail(abortError(reason)));
  }

  // ---- undici's side -----------------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Failed while the request waited for a connection: it never goes out.
    if (this.#error) controller.abort(this.#error);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    this.#status = status;
    this.#headers = flattenHeaders(headers);
    if (status >= 200 && status < 300) {
      const resolve = this.#resolve!;
      this.#resolve = this.#reject = undefined;
      resolve(this.#response());
      return;
    }
    // An error status: its body says why, up to MAX_ERROR_BODY of it.
    const reject = this.#reject!;
    this.#resolve = this.#reject = undefined;
    const fail = (text: string): void => reject(upstreamHttpError(this.#label, status, this.#headers, withoutCredentials(text, this.#requestHeaders)));
    this.#collect({ limit: MAX_ERROR_BODY, resolve: (bytes) => fail(utf8(bytes)), reject: () => fail('') });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#gotBody) {
      // The first-byte limit is met; the idle timer starts when a reader first waits (a body that comes whole never needs one).
      this.#gotBody = true;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else this.#timer?.refresh();

    if (this.#dropping) {
      // Nothing is queued any more: the count is of what was read and dropped.
      this.#queued += chunk.byteLength;
      if (this.#queued > MAX_DRAIN) this.#stop();
      return;
    }
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: chunk });
      return;
    }
    this.#queue.push(chunk);
    this.#queued += chunk.byteLength;
    const collector = this.#collector;
    if (collector) {
      if (this.#queued >= collector.limit) {
        this.#collector = undefined;
        this.#stop();
        collector.resolve(this.#bytes());
      }
      return;
    }
    if (this.#queued > HIGH_WATER) controller.pause();
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.#finish();
    const collector = this.#collector;
    if (collector) {
      this.#collector = undefined;
      collector.resolve(this.#bytes());
    }
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve(DONE);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // Lynkr's own abort (a timeout, the exchange, a reader that left) has already told everyone.
    if (this.#error || this.#ended) return;
    this.#settle(transportError(this.#label, this.#origin, error, this.#status ? 'body' : 'request', this.#timeouts.connectMs));
  }

  // ---- the reader's side -------------------------------------------------------------------------

  next(): Promise<IteratorResult<Uint8Array>> {
    const queue = this.#queue;
    if (queue.length > 0) {
      const value = queue.shift()!;
      this.#queued -= value.byteLength;
      if (this.#controller?.paused && this.#queued <= HIGH_WATER / 2) this.#controller.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(DONE);
    this.#waiting();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Everything queued, at once: see UpstreamResponse.takeArrived. */
  #takeArrived(): Buffer | undefined {
    if (this.#queue.length === 0) return undefined;
    const bytes = this.#bytes();
    if (this.#controller?.paused) this.#controller.resume();
    return bytes;
  }

  /** The reader left the loop. An unfinished answer is aborted, or, once released, read to its end and dropped. */
  return(): Promise<IteratorResult<Uint8Array>> {
    // A read still waiting (the reader left from another task) ends with the leave.
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(DONE);
    if (this.#ended || this.#error) {
      this.#finish();
      return Promise.resolve(DONE);
    }
    if (this.#released) {
      this.#dropping = true;
      this.#queue = [];
      this.#queued = 0;
      if (this.#controller?.paused) this.#controller.resume();
      this.#waiting();
    } else this.#stop();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const again = this.#claim();
    if (again) throw again;
    return this;
  }

  // ---- inside ------------------------------------------------------------------------------------

  #response(): UpstreamResponse {
    return {
      status: this.#status,
      headers: this.#headers,
      body: this,
      takeArrived: () => this.#takeArrived(),
      bytes: () => this.#whole(),
      text: () => this.#whole().then(utf8),
      json: () => this.#whole().then((bytes) => parseUpstreamJson(utf8(bytes), this.#label)),
      release: () => {
        this.#released = true;
      },
    };
  }

  /** The body is read once, by one reader: the error for a second one, else undefined. */
  #claim(): LynkrError | undefined {
    if (this.#read) return new LynkrError('LYNKR_ERR_INTERNAL', `upstream "${this.#label}": a response body is read once`);
    this.#read = true;
    return undefined;
  }

  #whole(): Promise<Buffer> {
    return new Promise((resolve, reject) => this.#collect({ limit: Infinity, resolve, reject }));
  }

  #collect(collector: Collector): void {
    const again = this.#claim();
    if (again) return collector.reject(again);
    if (this.#error) return collector.reject(this.#error);
    if (this.#ended || this.#queued >= collector.limit) {
      if (!this.#ended) this.#stop();
      return collector.resolve(this.#bytes());
    }
    this.#collector = collector;
    if (this.#controller?.paused) this.#controller.resume();
    this.#waiting();
  }

  /** What was queued, in one buffer (the one piece itself when there is only one). */
  #bytes(): Buffer {
    const queue = this.#queue;
    this.#queue = [];
    this.#queued = 0;
    if (queue.length === 1) return Buffer.from(queue[0]!.buffer, queue[0]!.byteOffset, queue[0]!.byteLength);
    return Buffer.concat(queue);
  }

  readonly #onFirstByteTimeout = (): void => {
    this.#fail(timeoutError(this.#label, 'firstByte', this.#timeouts.firstByteMs));
  };

  /**
   * A reader starts waiting for the body: the idle limit counts from now (or
   * from the next piece), not from the last piece it was given. Before the
   * first piece, the first-byte timer covers the wait.
   */
  #waiting(): void {
    if (!this.#gotBody || this.#error || this.#ended) return;
    if (this.#timer) this.#timer.refresh();
    else {
      this.#timer = setTimeout(this.#onIdle, this.#timeouts.idleMs);
      this.#timer.unref();
    }
  }

  readonly #onIdle = (): void => {
    // Nobody waits (the reader holds pieces, or has not asked for more): the upstream is not late. The next wait re-arms it.
    if (this.#waiter || this.#collector || this.#dropping) this.#fail(timeoutError(this.#label, 'idle', this.#timeouts.idleMs));
  };

  /** Lynkr ends the call (a timeout, the exchange's abort): the upstream request is aborted and everyone waiting is told. */
  #fail(error: LynkrError): void {
    if (this.#error || this.#ended) return;
    // Settled first: undici reports the abort back through onResponseError at once.
    this.#settle(error);
    this.#controller?.abort(error);
  }

  /** The call failed: record why, stop the timers, and reject whoever waits. */
  #settle(error: LynkrError): void {
    this.#error = error;
    this.#finish();
    // A released answer being dropped has no reader left to tell.
    this.#dropping = false;
    const reject = this.#reject ?? this.#waiter?.reject ?? this.#collector?.reject;
    this.#resolve = this.#reject = this.#waiter = this.#collector = undefined;
    reject?.(error);
  }

  /** Stop reading an answer nobody needs the rest of (the connection closes). */
  #stop(): void {
    this.#finish();
    this.#dropping = false;
    this.#error = READER_LEFT;
    this.#controller?.abort(READER_LEFT);
  }

  /** Stop the timers and the abort listener. */
  #finish(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#offAbort?.();
    this.#offAbort = undefined;
  }
}
