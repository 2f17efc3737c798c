import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { makeStop, type AbortSource, type ClientBody, type Exchange, type ResolvedDecision, type Stop } from './types.js';
import type { MessagesResponse, StreamEvent } from '../ir/types.js';

/**
 * One exchange's abort: a plain listener list, and an AbortSignal made only
 * when someone reads `signal`. On Node 20 the first read of an
 * AbortController's signal costs about 5 µs and each listener on it about
 * 4 µs: the kernel's own listeners (the upstream call, the SSE writer) use
 * the list instead, on the path of every request.
 */
export class ExchangeAbort implements AbortSource {
  aborted = false;
  reason: unknown;
  #listeners: Array<(reason: unknown) => void> = [];
  #controller: AbortController | undefined;

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.aborted) {
      listener(this.reason);
      return noop;
    }
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at !== -1) this.#listeners.splice(at, 1);
    };
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener(reason);
    this.#controller?.abort(reason);
  }
}

const noop = (): void => undefined;

/** An external AbortSignal seen as an abort source. @internal */
export function fromSignal(signal: AbortSignal): AbortSource & { signal: AbortSignal } {
  return {
    signal,
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    onAbort(listener) {
      if (signal.aborted) {
        listener(signal.reason);
        return noop;
      }
      const handler = (): void => listener(signal.reason);
      signal.addEventListener('abort', handler, { once: true });
      return () => signal.removeEventListener('abort', handler);
    },
  };
}

/** @public */
export interface ExchangeInit {
  id: string;
  surface: string;
  log: Logger;
  headers?: IncomingHttpHeaders;
  /** Aborts the exchange (a client's disconnect). Default: never. */
  signal?: AbortSignal;
  team?: string;
  /** The public name of the caller's Lynkr key (see `Exchange.keyId`). */
  keyId?: string;
  startedAt?: number;
  /** The client's JSON body, as text and parsed. */
  body?: ClientBody;
}

class KernelExchange implements Exchange {
  #state: Map<unknown, unknown> | undefined;
  #log: Logger | (() => Logger);
  readonly timings = { upstreamMs: 0 };
  decision: ResolvedDecision | undefined = undefined;

  constructor(
    readonly id: string,
    readonly surface: string,
    readonly headers: Readonly<IncomingHttpHeaders>,
    readonly team: string | undefined,
    log: Logger | (() => Logger),
    readonly startedAt: number,
    readonly abortSource: AbortSource & { signal: AbortSignal },
    readonly body: ClientBody | undefined,
    readonly keyId: string | undefined,
  ) {
    this.#log = log;
  }

  /** Made on first use: most requests never touch it. */
  get state(): Map<unknown, unknown> {
    return (this.#state ??= new Map());
  }

  /** The kernel's exchanges make their logger (a pino child with the request id) on first use: most requests never log. */
  get log(): Logger {
    const log = this.#log;
    return typeof log === 'function' ? (this.#log = log()) : log;
  }

  get signal(): AbortSignal {
    return this.abortSource.signal;
  }

  get aborted(): boolean {
    return this.abortSource.aborted;
  }

  onAbort(listener: (reason: unknown) => void): () => void {
    return this.abortSource.onAbort(listener);
  }

  stop(response: MessagesResponse | AsyncIterable<StreamEvent>): Stop {
    return makeStop(response);
  }
}

/**
 * A new exchange. The kernel makes one per HTTP request; this is for running
 * the pipeline without HTTP (embedding, a server-side tool loop, tests).
 * @public
 */
export function createExchange(init: ExchangeInit): Exchange {
  const source = init.signal ? fromSignal(init.signal) : new ExchangeAbort();
  return new KernelExchange(init.id, init.surface, init.headers ?? {}, init.team, init.log, init.startedAt ?? performance.now(), source, init.body, init.keyId);
}

/** The kernel's own exchanges: aborted through `abort`, by the HTTP shell; the logger made when first used. */
export function createAbortableExchange(init: Omit<ExchangeInit, 'signal' | 'log'> & { log: () => Logger }): { exchange: Exchange; abort: ExchangeAbort } {
  const abort = new ExchangeAbort();
  return {
    exchange: new KernelExchange(init.id, init.surface, init.headers ?? {}, init.team, init.log, init.startedAt ?? performance.now(), abort, init.body, init.keyId),
    abort,
  };
}

/** The runner records the decision on the exchange; plugins only read it. */
export function setDecision(ex: Exchange, decision: ResolvedDecision): void {
  (ex as { decision: ResolvedDecision | undefined }).decision = decision;
}
