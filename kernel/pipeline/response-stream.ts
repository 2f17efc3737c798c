import { LynkrError, toLynkrError } from '../errors.js';
import { errorFromStreamError } from '../http/errors.js';
import type { ErrorBody, MessagesResponse, StreamEvent } from '../ir/types.js';
import { errorBodyOf, MessageAccumulator, StreamError, TAKE_WHOLE, takeWhole, type WholeMessageSource } from '../ir/stream.js';
import { TAKE_VERBATIM, takeVerbatim, type VerbatimAnswer, type VerbatimSource, type VerbatimStream } from '../ir/verbatim.js';
import type { CompiledStages } from './hook-bus.js';
import type { Exchange } from './types.js';

/** Applies the postResponse transforms to one event: an event, several, none, or a promise of them. */
export type Transform = (event: StreamEvent) => StreamEvent | StreamEvent[] | Promise<StreamEvent[]>;

/** How an answer ended: what it carried (usage, stop reason) and, when it failed, why. */
export interface AnswerEnd {
  answer: MessagesResponse | undefined;
  /** `performance.now()` when the answer's first event (or the whole answer) reached its reader; 0 if none did. */
  firstAt: number;
  /**
   * Why the answer failed: an `error` event it carried (the upstream's
   * failure, with the status its type stands for), else what ended the
   * stream (a cut, a stall, a client that left, an end before
   * `message_stop`). Undefined when it was complete.
   */
  error: LynkrError | undefined;
}

/**
 * Called once when the stream ends, fails or is abandoned by its consumer.
 * `end` tells how: call it only when needed, off the response path, as the
 * answer may still have to be parsed.
 */
export type OnEnd = (end: () => AnswerEnd) => void;

/** The failure an `error` event reports, as the error the exchange ended with. */
const failureOf = (body: ErrorBody): LynkrError => errorFromStreamError(new StreamError(body));

/** Events that ended without `message_stop`: a truncated answer must not pass for a complete one. */
const unfinished = (): LynkrError => new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', 'the answer ended before message_stop');

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

/**
 * The answer's event stream as the API plugin iterates it: the provider's
 * events through the postResponse transforms, with usage tracked for the
 * responseSent observers. A hand-written iterator rather than an async
 * generator: it costs one promise reaction per event instead of a
 * generator's several, on the path every streamed token takes.
 */
export class ResponseStream implements AsyncIterableIterator<StreamEvent>, WholeMessageSource, VerbatimSource {
  readonly #source: AsyncIterator<StreamEvent>;
  readonly #transform: Transform | undefined;
  readonly #onEnd: OnEnd;
  /** Made at the first event: an answer taken whole never needs one. */
  #usage: MessageAccumulator | undefined;
  /** The body of an `error` event the answer carried. */
  #failure: ErrorBody | undefined;
  #stopped = false;
  #firstAt = 0;
  #pending: StreamEvent[] = [];
  #at = 0;
  #ended = false;

  constructor(source: AsyncIterable<StreamEvent>, transform: Transform | undefined, onEnd: OnEnd) {
    this.#source = source[Symbol.asyncIterator]();
    this.#transform = transform;
    this.#onEnd = onEnd;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The whole answer at once, when the provider had it whole and no
   * postResponse handler needs to see its events; the stream then ends (the
   * responseSent observers run). Undefined otherwise, or once reading began.
   */
  [TAKE_WHOLE](): MessagesResponse | undefined {
    if (this.#transform || this.#ended || this.#at > 0 || this.#usage?.started) return undefined;
    const whole = takeWhole(this.#source as unknown as AsyncIterable<StreamEvent>);
    if (!whole) return undefined;
    this.#ended = true;
    const firstAt = performance.now();
    this.#onEnd(() => ({ answer: whole, firstAt, error: undefined }));
    return whole;
  }

  /**
   * The answer as the upstream's bytes, when the provider has them in `wire`
   * and no postResponse handler needs the events (see kernel/ir/verbatim.ts).
   * The responseSent observers still get the answer's usage and stop reason,
   * once the bytes are all through. Undefined otherwise, or once reading began.
   */
  [TAKE_VERBATIM](wire: string, stream: boolean): VerbatimAnswer | undefined {
    if (this.#transform || this.#ended || this.#at > 0 || this.#usage?.started) return undefined;
    const taken = takeVerbatim(this.#source, wire, stream);
    if (!taken) return undefined;
    this.#ended = true;
    if (!taken.stream) {
      const firstAt = performance.now();
      this.#onEnd(() => ({ answer: taken.message, firstAt, error: undefined }));
      return taken;
    }
    return { stream: true, frames: new ObservedPieces(taken, this.#onEnd), answer: taken.answer, failure: taken.failure };
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.#at < this.#pending.length) return Promise.resolve(this.#emit(this.#pending[this.#at++]!));
    if (this.#ended) return Promise.resolve(DONE);
    return this.#source.next().then(
      (step) => this.#step(step),
      (error: unknown) => this.#fail(error),
    );
  }

  /** The consumer stopped early (the client went away, or it broke out of its loop): stop the upstream too. */
  async return(): Promise<IteratorResult<StreamEvent>> {
    if (!this.#ended) {
      this.#end(new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client went away before the answer was complete'));
      await this.#source.return?.();
    }
    return DONE;
  }

  #step(step: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> {
    if (step.done) {
      this.#end(undefined);
      return DONE;
    }
    if (!this.#transform) return this.#emit(step.value);
    let out;
    try {
      out = this.#transform(step.value);
    } catch (error) {
      return this.#fail(error);
    }
    if (isPromise(out)) {
      return out.then(
        (events) => this.#expand(events),
        (error: unknown) => this.#fail(error),
      );
    }
    return Array.isArray(out) ? this.#expand(out) : this.#emit(out);
  }

  #expand(events: StreamEvent[]): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> {
    // A transform that dropped the event: move on to the next one.
    if (events.length === 0) return this.next();
    this.#pending = events;
    this.#at = 1;
    return this.#emit(events[0]!);
  }

  #emit(event: StreamEvent): IteratorResult<StreamEvent> {
    if (this.#firstAt === 0) this.#firstAt = performance.now();
    // Normalised: a provider may pass on whatever its upstream put there.
    if (event.type === 'error') this.#failure = errorBodyOf(event.error);
    else if (event.type === 'message_stop') this.#stopped = true;
    else (this.#usage ??= new MessageAccumulator({ content: false })).push(event);
    return { value: event, done: false };
  }

  #fail(error: unknown): never {
    if (!this.#ended) {
      this.#end(toLynkrError(error));
      void Promise.resolve(this.#source.return?.()).catch(() => undefined);
    }
    throw error;
  }

  #end(error: LynkrError | undefined): void {
    this.#ended = true;
    this.#pending = [];
    // A stream that never started has nothing to report but the error.
    const usage = this.#usage;
    // An error event is how the answer ended, even when its consumer then stopped reading (a collect throws on it).
    const failure = this.#failure;
    const cut = !failure && !error && !this.#stopped;
    const firstAt = this.#firstAt;
    this.#onEnd(() => ({ answer: usage?.started ? usage.message() : undefined, firstAt, error: failure ? failureOf(failure) : cut ? unfinished() : error }));
  }
}

/**
 * The stream's pieces, telling `onEnd` once how it ended: complete, failed,
 * or left by its reader. Hand-written, like the pieces themselves: a
 * generator never started would ignore `return()`.
 */
class ObservedPieces implements AsyncIterableIterator<Buffer> {
  readonly #pieces: AsyncIterableIterator<Buffer>;
  #ended = false;
  #firstAt = 0;

  constructor(
    private readonly answer: VerbatimStream,
    private readonly onEnd: OnEnd,
  ) {
    this.#pieces = answer.frames;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    return this.#pieces.next().then(
      (step) => {
        if (step.done) this.#end(undefined);
        else if (this.#firstAt === 0) this.#firstAt = performance.now();
        return step;
      },
      (error: unknown) => {
        this.#end(toLynkrError(error));
        throw error;
      },
    );
  }

  async return(): Promise<IteratorResult<Buffer>> {
    if (!this.#ended) this.#end(new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client went away before the answer was complete'));
    await this.#pieces.return?.();
    return DONE as IteratorResult<Buffer>;
  }

  #end(error: LynkrError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    const firstAt = this.#firstAt;
    this.onEnd(() => {
      const failure = this.answer.failure();
      return { answer: this.answer.answer(), firstAt, error: failure ? failureOf(failure) : error };
    });
  }
}

/** Bind the compiled postResponse handlers to one exchange, or undefined when there are none. */
export function transformFor(
  handlers: CompiledStages['postResponse'],
  ex: Exchange,
  wrap: (error: unknown, plugin: string) => LynkrError,
): Transform | undefined {
  if (!handlers.length) return undefined;
  const general = (t: number, current: StreamEvent[], k: number, next: StreamEvent[]): StreamEvent[] | Promise<StreamEvent[]> => {
    for (; t < handlers.length; t++) {
      const r = handlers[t]!;
      for (; k < current.length; k++) {
        let out;
        try {
          out = r.handler(current[k]!, ex);
        } catch (error) {
          throw wrap(error, r.plugin);
        }
        if (isPromise(out)) {
          const [tt, kk, cur, acc] = [t, k, current, next];
          return out.then(
            (value) => (collect(acc, cur[kk]!, value), general(tt, cur, kk + 1, acc)),
            (error: unknown) => {
              throw wrap(error, r.plugin);
            },
          );
        }
        collect(next, current[k]!, out);
      }
      current = next;
      next = [];
      k = 0;
    }
    return current;
  };
  // The common case, where each handler keeps or replaces the event, allocates nothing.
  return (event) => {
    let current = event;
    for (let t = 0; t < handlers.length; t++) {
      const r = handlers[t]!;
      let out;
      try {
        out = r.handler(current, ex);
      } catch (error) {
        throw wrap(error, r.plugin);
      }
      if (out === undefined) continue;
      if (out === null) return [];
      if (Array.isArray(out)) return general(t + 1, out, 0, []);
      if (isPromise(out)) {
        const kept = current;
        return out.then(
          (value) => {
            const acc: StreamEvent[] = [];
            collect(acc, kept, value);
            return general(t + 1, acc, 0, []);
          },
          (error: unknown) => {
            throw wrap(error, r.plugin);
          },
        );
      }
      current = out;
    }
    return current;
  };
}

function collect(into: StreamEvent[], original: StreamEvent, out: StreamEvent | StreamEvent[] | null | void): void {
  if (out === undefined) into.push(original);
  else if (Array.isArray(out)) into.push(...out);
  else if (out !== null) into.push(out);
}
