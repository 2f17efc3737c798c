/**
 * An answer in its upstream's own wire, handed over as bytes. When the client
 * speaks the wire the provider answered in (Claude Code in front of an
 * Anthropic upstream) and nothing on the response path changes events, the
 * API surface writes the upstream's bytes as they came instead of decoding
 * them into IR events and encoding those again.
 */
import type { ErrorBody, MessagesResponse } from './types.js';

/**
 * The brand of an event stream that can also hand over its answer as the
 * upstream's bytes: a method that returns them (and from then on the stream
 * must not be read as events), or undefined when it cannot.
 * @internal
 */
export const TAKE_VERBATIM = Symbol.for('lynkr.take-verbatim');

/** A whole (non-streamed) answer: its body as the upstream sent it, and the message it holds. @public */
export interface VerbatimWhole {
  stream: false;
  bytes: Buffer;
  message: MessagesResponse;
}

/** A streamed answer as the upstream sent it. @public */
export interface VerbatimStream {
  stream: true;
  /**
   * The body, in pieces that each end at a frame's end (a frame the upstream
   * split across two reads comes in one piece, after its end arrived), so a
   * keep-alive or an error frame written between two pieces never lands
   * inside a frame. It fails as the event stream would (the upstream cut
   * the stream, stalled, the client left); leaving it early aborts the
   * upstream request.
   */
  frames: AsyncIterableIterator<Buffer>;
  /** The answer the pieces so far carried, without its content: id, model, stop reason and usage. */
  answer(): MessagesResponse | undefined;
  /** The body of the `error` event the pieces so far ended with (the upstream's failure), if they did. */
  failure(): ErrorBody | undefined;
}

/** @public */
export type VerbatimAnswer = VerbatimWhole | VerbatimStream;

/** @internal */
export interface VerbatimSource {
  [TAKE_VERBATIM](wire: string, stream: boolean): VerbatimAnswer | undefined;
}

/**
 * The answer as the upstream's bytes, when `events` came from an upstream
 * that speaks `wire`, answered as asked (`stream`), and has not been read as
 * events; else undefined, and `events` is still to be read.
 * @public
 */
export function takeVerbatim(events: object, wire: string, stream: true): VerbatimStream | undefined;
export function takeVerbatim(events: object, wire: string, stream: false): VerbatimWhole | undefined;
export function takeVerbatim(events: object, wire: string, stream: boolean): VerbatimAnswer | undefined;
export function takeVerbatim(events: object, wire: string, stream: boolean): VerbatimAnswer | undefined {
  const take = (events as Partial<VerbatimSource>)[TAKE_VERBATIM];
  return typeof take === 'function' ? take.call(events, wire, stream) : undefined;
}
