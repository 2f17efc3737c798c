/**
 * An Anthropic upstream's streamed answer, readable two ways: as IR events
 * (each frame decoded and its JSON parsed), for a client of another wire or
 * a response path that changes events; or, for a client of the same wire
 * when nothing changes events, as the upstream's own bytes (see
 * kernel/ir/verbatim.ts). The bytes are then parsed only where the
 * exchange's summary needs them (`message_start`, `message_delta`) and only
 * after they went on to the client.
 */
import { LynkrError } from '../errors.js';
import { completeFramesLength, decodeSSE, SSEParser, type SSEFrame } from '../ir/sse.js';
import { errorBodyOf, MessageAccumulator } from '../ir/stream.js';
import type { ErrorBody, MessagesResponse, StreamEvent } from '../ir/types.js';
import { TAKE_VERBATIM, type VerbatimSource, type VerbatimStream } from '../ir/verbatim.js';
import type { UpstreamResponse } from '../upstream/client.js';
import { credentialsOf, parseUpstreamJson, redacted, upstreamBodyError, withoutCredentials } from '../upstream/errors.js';

type Sent = Readonly<Record<string, string>>;

/**
 * The stream of `res`, once its first event is in: an `error` before
 * anything else (Anthropic's "overloaded" often comes so) rejects instead,
 * with its status (529), which a fallback and the client's retry logic
 * understand.
 */
export async function anthropicStream(res: UpstreamResponse, label: string, sent: Sent): Promise<AsyncIterableIterator<StreamEvent> & VerbatimSource> {
  const body = new RecordingBody(res.body[Symbol.asyncIterator]());
  const seen: FirstFrame = { named: false };
  const events = anthropicEvents(res, body, label, sent, seen);
  const first = await events.next();
  // Only a stream framed as Anthropic frames it passes as bytes: clients such as the SDK dispatch on the event name.
  if (!seen.named) body.recorded = undefined;
  return new AnthropicStream(first, events, body, res, label, sent);
}

/** What the first frame looked like: named as Anthropic names events (`event:` equal to the data's `type`). */
interface FirstFrame {
  named: boolean;
}

/**
 * The stream's events, parsed and yielded as they arrive, pings and `error`
 * events included. `message_stop` or `error` ends it; a body that ends
 * before either was cut.
 */
async function* anthropicEvents(res: UpstreamResponse, body: AsyncIterable<Uint8Array>, label: string, sent: Sent, seen: FirstFrame): AsyncGenerator<StreamEvent> {
  let first = true;
  for await (const frame of decodeSSE(body)) {
    if (frame.data === '') continue;
    let event = parseUpstreamJson(frame.data, label) as StreamEvent;
    if (first && event.type === 'error') throw upstreamBodyError(label, event, sent);
    if (first) seen.named = frame.event === event.type;
    // An error event goes on to the client as it came: without the key, should the upstream quote it.
    if (event.type === 'error') event = JSON.parse(withoutCredentials(frame.data, sent)) as StreamEvent;
    first = false;
    const last = event.type === 'message_stop' || event.type === 'error';
    // Before the yield: a consumer that stops at the last event must not cost the connection.
    if (last) res.release();
    yield event;
    if (last) return;
  }
  throw cutError(label);
}

const cutError = (label: string): LynkrError =>
  new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before message_stop`);

/** The upstream body, keeping what was read of it while the answer may still be taken as bytes. */
class RecordingBody implements AsyncIterableIterator<Uint8Array> {
  /** What was read so far; undefined once the answer is read as events or taken as bytes. */
  recorded: Uint8Array[] | undefined = [];

  constructor(readonly source: AsyncIterator<Uint8Array>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    const recorded = this.recorded;
    if (!recorded) return this.source.next();
    return this.source.next().then((step) => {
      if (!step.done) recorded.push(step.value);
      return step;
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    return this.source.return ? this.source.return() : Promise.resolve({ done: true, value: undefined });
  }
}

/** The first event already read, then the rest, unless the whole answer is taken as bytes first. */
class AnthropicStream implements AsyncIterableIterator<StreamEvent>, VerbatimSource {
  #first: IteratorResult<StreamEvent> | undefined;
  #verbatim = false;

  constructor(
    first: IteratorResult<StreamEvent>,
    private readonly events: AsyncGenerator<StreamEvent>,
    private readonly body: RecordingBody,
    private readonly res: UpstreamResponse,
    private readonly label: string,
    private readonly sent: Sent,
  ) {
    this.#first = first;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    const first = this.#first;
    if (!first) return this.events.next();
    this.#first = undefined;
    this.body.recorded = undefined;
    return Promise.resolve(first);
  }

  return(): Promise<IteratorResult<StreamEvent>> {
    this.#first = undefined;
    // Taken as bytes: the body is theirs now, and their reader ends it.
    if (this.#verbatim) return Promise.resolve({ done: true, value: undefined });
    return this.events.return(undefined);
  }

  /**
   * The bytes from the start: what the event decoder read for the first
   * event, then the rest of the body. The decoder is dropped where it
   * stands, never resumed, so it neither reads on nor ends the body.
   */
  [TAKE_VERBATIM](wire: string, stream: boolean): VerbatimStream | undefined {
    const head = this.body.recorded;
    if (wire !== 'anthropic' || !stream || !this.#first || !head) return undefined;
    this.#first = undefined;
    this.body.recorded = undefined;
    this.#verbatim = true;
    return verbatimStream(head, this.body.source, this.res, this.label, this.sent);
  }
}

function verbatimStream(head: Uint8Array[], source: AsyncIterator<Uint8Array>, res: UpstreamResponse, label: string, sent: Sent): VerbatimStream {
  const pieces = new VerbatimPieces(head, source, res, label, sent);
  return { stream: true, frames: pieces, answer: () => pieces.summary.answer(), failure: () => pieces.summary.failure() };
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The body in pieces of whole frames. A hand-written iterator rather than a
 * generator: a generator that was never started ignores `return()`, and
 * this one must end the upstream request however its reader leaves.
 */
class VerbatimPieces implements AsyncIterableIterator<Buffer> {
  readonly summary = new StreamSummary();
  /** The request's credentials, kept out of what goes back to the client. */
  readonly #credentials: string[];
  /** The bytes of a frame whose end has not come yet. */
  #pending: Buffer | undefined;
  /** The piece last handed out, read for the summary when the next is asked for. */
  #given: Buffer | undefined;
  #done = false;

  constructor(
    private readonly head: Uint8Array[],
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly res: UpstreamResponse,
    private readonly label: string,
    sent: Sent,
  ) {
    this.#credentials = credentialsOf(sent);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    if (this.#done) return DONE;
    try {
      // The client has the last piece: if its last frame ends the answer, the answer is complete.
      const given = this.#given;
      this.#given = undefined;
      if (given) {
        this.summary.add(given);
        if (endsAnswer(given)) return await this.#complete();
      }
      for (;;) {
        const chunk = await this.#nextChunk();
        if (!chunk) {
          // The body ended. What is left is a frame a CR ended, or half a frame, dropped as the SSE standard says.
          const rest = this.#pending;
          this.#pending = undefined;
          const end = rest ? completeFramesLength(rest, true) : 0;
          if (end > 0) return this.#give(rest!.subarray(0, end));
          // An upstream may end a frame or two after message_stop: the whole answer says whether it came.
          if (this.summary.ended) return await this.#complete();
          throw cutError(this.label);
        }
        const bytes = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
        const end = completeFramesLength(bytes);
        this.#pending = end < bytes.length ? bytes.subarray(end) : undefined;
        if (end > 0) return this.#give(bytes.subarray(0, end));
      }
    } catch (error) {
      await this.#close();
      throw error;
    }
  }

  /** The answer is complete: the rest of the body is dropped and the connection kept. */
  async #complete(): Promise<IteratorResult<Buffer>> {
    this.res.release();
    await this.#close();
    return DONE;
  }

  /** The reader left: the upstream request is aborted (or, once released, read to its end). */
  async return(): Promise<IteratorResult<Buffer>> {
    if (!this.#done) await this.#close();
    return DONE;
  }

  /**
   * What the event decoder read first, then the rest of the body, each time
   * with whatever else has arrived already; undefined at the body's end.
   */
  async #nextChunk(): Promise<Buffer | undefined> {
    let chunks: Uint8Array[];
    if (this.head.length) {
      chunks = this.head.splice(0);
    } else {
      const step = await this.source.next();
      if (step.done) return undefined;
      chunks = [step.value];
    }
    const arrived = this.res.takeArrived();
    if (arrived) chunks.push(arrived);
    if (chunks.length > 1) return Buffer.concat(chunks);
    const only = chunks[0]!;
    return Buffer.from(only.buffer, only.byteOffset, only.byteLength);
  }

  #give(piece: Buffer): IteratorResult<Buffer> {
    this.#given = withoutCredentialBytes(piece, this.#credentials);
    return { done: false, value: this.#given };
  }

  async #close(): Promise<void> {
    this.#done = true;
    await this.source.return?.();
  }
}

/**
 * What a verbatim stream said, for the exchange's summary: `message_start`
 * and `message_delta` parsed into usage and stop reason, `message_stop` or
 * `error` as its end. Read only when asked, which for the usage is once the
 * client has the whole answer; a piece that holds none of those frames
 * (content deltas, pings) is never decoded at all.
 */
class StreamSummary {
  /** Both made at the first read: with no observer to ask, a stream's summary is never read. */
  #usage: MessageAccumulator | undefined;
  #parser: SSEParser | undefined;
  /** Pieces that hold frames this reads, not parsed yet. */
  #unread: Buffer[] = [];
  #ended = false;
  #failure: ErrorBody | undefined;

  /** A piece that went to the client. */
  add(piece: Buffer): void {
    if (!piece.includes(MESSAGE_TYPE) && !piece.includes(ERROR_TYPE)) return;
    this.#unread.push(piece);
    // Content may quote those names too (a model writing about this very API): what is held stays bounded.
    if (this.#unread.length >= MAX_UNREAD) this.#read();
  }

  /** Whether a `message_stop` or an `error` came. */
  get ended(): boolean {
    this.#read();
    return this.#ended;
  }

  answer(): MessagesResponse | undefined {
    this.#read();
    return this.#usage?.started ? this.#usage.message() : undefined;
  }

  /** The body of the `error` event the stream ended with, if it did. */
  failure(): ErrorBody | undefined {
    this.#read();
    return this.#failure;
  }

  #read(): void {
    if (this.#unread.length === 0) return;
    const parser = (this.#parser ??= new SSEParser((frame) => this.#frame(frame)));
    for (const piece of this.#unread) {
      parser.feed(piece.toString('utf8'));
      // A piece is whole frames: a CR it ends with ends a line (completeFramesLength never cuts between a CR and its LF).
      parser.end();
    }
    this.#unread = [];
  }

  #frame(frame: SSEFrame): void {
    if (this.#ended || frame.event?.startsWith('content_block') || frame.event === 'ping' || frame.data === '') return;
    const event = parseFrame(frame);
    if (event?.type === 'error') this.#failure = errorBodyOf(event.error);
    if (event?.type === 'message_stop' || event?.type === 'error') this.#ended = true;
    else if (event) (this.#usage ??= new MessageAccumulator({ content: false })).push(event);
  }
}

/** A frame's event, or undefined when its data is not JSON: it is already with the client, as the upstream sent it. */
function parseFrame(frame: SSEFrame): StreamEvent | undefined {
  try {
    return JSON.parse(frame.data) as StreamEvent;
  } catch {
    return undefined;
  }
}

/**
 * Whether the last frame of `piece` ends the answer (`message_stop` or
 * `error`): a look at that frame only, so that the answer ends the moment
 * its last frame is through, with no decoding of the content before it.
 */
function endsAnswer(piece: Buffer): boolean {
  // The last frame starts after the blank line before the piece's final one; with CRs about, the whole piece is read.
  const at = piece.indexOf(CR_BYTE) === -1 ? piece.lastIndexOf(BLANK_LINE, piece.length - 3) : -1;
  const last = at === -1 ? piece : piece.subarray(at + 2);
  if (!last.includes(STOP_TYPE) && !last.includes(ERROR_TYPE)) return false;
  let ends = false;
  const parser = new SSEParser((frame) => {
    const type = parseFrame(frame)?.type;
    ends = type === 'message_stop' || type === 'error';
  });
  // Whole frames, as in StreamSummary#read.
  parser.feed(last.toString('utf8'));
  parser.end();
  return ends;
}

/** In every frame that matters to the summary: the value of its `type`, `"message_…` or `"error"`. */
const MESSAGE_TYPE = Buffer.from('"message_');
const STOP_TYPE = Buffer.from('"message_stop"');
const ERROR_TYPE = Buffer.from('"error"');
const BLANK_LINE = Buffer.from('\n\n');
/** Pieces held unparsed at most: a stream's own need is two (its start and its end). */
const MAX_UNREAD = 8;
const CR_BYTE = 0x0d;

/** `piece` as it is, or, in the rare piece that quotes one of the request's credentials, with them taken out (see withoutCredentials). */
export function withoutCredentialBytes(piece: Buffer, credentials: readonly string[]): Buffer {
  for (const secret of credentials) if (piece.includes(secret)) return Buffer.from(redacted(piece.toString('utf8'), credentials));
  return piece;
}
