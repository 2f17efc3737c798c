/**
 * The HTTP client every provider uses: keep-alive pools per origin on
 * undici, three timeouts instead of one total (a stream may last as long as
 * the model writes), the exchange's abort signal wired to the socket, and
 * every failure as a LynkrError.
 */
import { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import { LynkrError } from '../errors.js';
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
 * Read it exactly once: through `body`, `text()` or `json()`.
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

const noop = (): void => undefined;
const USER_AGENT = `lynkr/${LYNKR_VERSION}`;
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
  async fetch(req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
    const timeouts = req.timeouts ? { ...DEFAULT_UPSTREAM_TIMEOUTS, ...req.timeouts } : DEFAULT_UPSTREAM_TIMEOUTS;
    const label = req.label ?? url.origin;
    if (this.#closed) throw new LynkrError('LYNKR_ERR_SHUTTING_DOWN', `upstream "${label}": the provider is closed`);
    const call = new Call(label, url.origin, timeouts, req.abort ?? (req.signal && signalSource(req.signal)));
    if (call.reason) throw call.reason;

    let data;
    try {
      data = await this.#pool(url.origin, timeouts.connectMs).request({
        path: url.pathname + url.search,
        method: req.method ?? 'POST',
        headers: req.headers ? { 'user-agent': USER_AGENT, ...req.headers } : { 'user-agent': USER_AGENT },
        body: req.body,
        signal: call.controller,
        // The Call's own timers rule: undici's would fire on a slow consumer and cannot say which limit it was.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (error) {
      call.finish();
      throw call.reason ?? transportError(label, url.origin, error, 'request', timeouts.connectMs);
    }

    // A body destroyed before anyone reads it (a timeout right after the headers) must not crash the process.
    data.body.on('error', noop);
    const headers = flattenHeaders(data.headers);
    const body = call.watch(data.body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>);
    if (data.statusCode < 200 || data.statusCode >= 300) {
      const text = await readText(body, MAX_ERROR_BODY).catch(() => '');
      throw upstreamHttpError(label, data.statusCode, headers, withoutCredentials(text, req.headers));
    }
    return {
      status: data.statusCode,
      headers,
      body,
      text: () => readText(body),
      json: async () => parseUpstreamJson(await readText(body), label),
      release: () => call.release(),
    };
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

/** An AbortSignal as an abort source. */
function signalSource(signal: AbortSignal): AbortSource {
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason(): unknown {
      return signal.reason;
    },
    onAbort(listener) {
      const handler = (): void => listener(signal.reason);
      signal.addEventListener('abort', handler, { once: true });
      return () => signal.removeEventListener('abort', handler);
    },
  };
}

/** The least undici needs of a signal: `aborted`, and an `abort` event. */
class Aborter extends EventEmitter {
  aborted = false;
  reason: unknown;
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort', reason);
  }
}

/**
 * One request's timers and abort wiring. The first-byte timer runs from the
 * start to the first piece of body; the idle timer then runs only while the
 * caller waits for the next piece, so a slow client does not count against
 * the upstream.
 */
class Call {
  /**
   * What aborts the undici request. undici takes an EventEmitter with `aborted`
   * as well as an AbortSignal, and it costs a fraction of an AbortController,
   * which matters on the path of every request.
   */
  readonly controller = new Aborter();
  /** Why the call was cut short, when Lynkr cut it: a timeout or the client's abort. */
  reason: LynkrError | undefined;
  readonly #label: string;
  readonly #origin: string;
  readonly #timeouts: Readonly<UpstreamTimeouts>;
  #offAbort: (() => void) | undefined;
  #firstByte: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;
  #waiting = false;
  #released = false;

  constructor(label: string, origin: string, timeouts: Readonly<UpstreamTimeouts>, abort: AbortSource | undefined) {
    this.#label = label;
    this.#origin = origin;
    this.#timeouts = timeouts;
    if (abort?.aborted) {
      this.reason = abortError(abort.reason);
      return;
    }
    this.#offAbort = abort?.onAbort((reason) => this.#fail(abortError(reason)));
    this.#firstByte = setTimeout(() => this.#fail(timeoutError(label, 'firstByte', timeouts.firstByteMs)), timeouts.firstByteMs);
    this.#firstByte.unref();
  }

  readonly #onIdle = (): void => {
    // The timer fired while the caller held a piece: the upstream is not late, re-arm.
    if (!this.#waiting) this.#idle?.refresh();
    else this.#fail(timeoutError(this.#label, 'idle', this.#timeouts.idleMs));
  };

  #fail(error: LynkrError): void {
    if (this.reason) return;
    this.reason = error;
    this.controller.abort(error);
    this.finish();
  }

  release(): void {
    this.#released = true;
  }

  /** Stop the timers and the abort listener. */
  finish(): void {
    clearTimeout(this.#firstByte);
    clearTimeout(this.#idle);
    this.#firstByte = this.#idle = undefined;
    this.#offAbort?.();
    this.#offAbort = undefined;
  }

  async *watch(source: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
    let settled = false;
    try {
      for (;;) {
        settled = true;
        const step = await this.#next(source);
        settled = false;
        if (step.done) {
          settled = true;
          return;
        }
        yield step.value;
      }
    } finally {
      // settled: the body ended or failed, and #next has finished the call.
      if (settled) this.finish();
      else if (this.#released) void this.#drain(source);
      else {
        // The caller gave up on an unfinished answer: stop the upstream from writing the rest.
        this.finish();
        this.controller.abort();
        void Promise.resolve(source.return?.()).catch(() => undefined);
      }
    }
  }

  async #next(source: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    this.#waiting = true;
    this.#idle?.refresh();
    let step;
    try {
      step = await source.next();
    } catch (error) {
      this.finish();
      throw this.reason ?? transportError(this.#label, this.#origin, error, 'body', this.#timeouts.connectMs);
    }
    this.#waiting = false;
    if (this.#firstByte) {
      clearTimeout(this.#firstByte);
      this.#firstByte = undefined;
      if (!step.done) {
        this.#idle = setTimeout(this.#onIdle, this.#timeouts.idleMs);
        this.#idle.unref();
      }
    }
    return step;
  }

  /** Read what is left of a finished answer (usually just the end of the chunked body), within the idle timeout. */
  async #drain(source: AsyncIterator<Uint8Array>): Promise<void> {
    let read = 0;
    try {
      for (;;) {
        const step = await this.#next(source);
        if (step.done) break;
        read += step.value.byteLength;
        if (read > MAX_DRAIN) {
          this.controller.abort();
          await source.return?.();
          break;
        }
      }
    } catch {
      // The answer was complete; a failure while draining only costs the connection.
    }
    this.finish();
  }
}

/** Concatenate a body as UTF-8, reading at most `limit` bytes (the rest is dropped and the request aborted). */
async function readText(body: AsyncIterable<Uint8Array>, limit = Infinity): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    read += chunk.byteLength;
    if (read >= limit) break;
  }
  return text + decoder.decode();
}
