/**
 * Helpers over IR event streams: transform them lazily, turn a whole answer
 * into events and back, and check a stream against the Anthropic grammar.
 */
import { parseToolInput } from './tool-input.js';
import { TAKE_VERBATIM, type VerbatimSource, type VerbatimWhole } from './verbatim.js';
import type { ContentBlock, ContentDelta, ErrorBody, MessagesResponse, OtherBlock, StreamEvent, Usage } from './types.js';

/**
 * What a stream mapper returns: an event (kept or replaced), several, or
 * `null` to drop the event.
 * @public
 */
export type MappedEvents<U> = U | U[] | null;

/**
 * Transform a stream one event at a time, lazily. `fn` may be async; a
 * synchronous `fn` costs no extra await per event.
 * @public
 */
export async function* mapEvents<T, U = T>(
  source: AsyncIterable<T>,
  fn: (event: T) => MappedEvents<U> | PromiseLike<MappedEvents<U>>,
): AsyncGenerator<U> {
  for await (const event of source) {
    let out = fn(event);
    if (isThenable(out)) out = await out;
    if (out === null) continue;
    if (Array.isArray(out)) yield* out;
    else yield out;
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

/**
 * The events that stream `msg`, in the exact grammar an Anthropic upstream
 * uses. `message_start` carries the input side of the usage with
 * `output_tokens: 0`; `message_delta` carries the full usage.
 * @public
 */
export function messageToEvents(msg: MessagesResponse): StreamEvent[] {
  const events: StreamEvent[] = [
    {
      type: 'message_start',
      message: { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: { ...msg.usage, output_tokens: 0 } },
    },
  ];
  msg.content.forEach((block, index) => {
    const [start, deltas] = splitBlock(block);
    events.push({ type: 'content_block_start', index, content_block: start });
    for (const delta of deltas) events.push({ type: 'content_block_delta', index, delta });
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    { type: 'message_delta', delta: { stop_reason: msg.stop_reason, stop_sequence: msg.stop_sequence }, usage: { ...msg.usage } },
    { type: 'message_stop' },
  );
  return events;
}

/** A block's `content_block_start` form and the deltas that complete it. */
function splitBlock(block: ContentBlock | OtherBlock): [ContentBlock | OtherBlock, ContentDelta[]] {
  switch (block.type) {
    case 'text': {
      const text = block.text as string;
      return [{ ...block, text: '' }, text ? [{ type: 'text_delta', text }] : []];
    }
    case 'tool_use':
      return [{ ...block, input: {} }, [{ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) }]];
    case 'thinking': {
      const { thinking, signature } = block as { thinking: string; signature: string };
      const deltas: ContentDelta[] = [];
      if (thinking) deltas.push({ type: 'thinking_delta', thinking });
      if (signature) deltas.push({ type: 'signature_delta', signature });
      return [{ ...block, thinking: '', signature: '' }, deltas];
    }
    default:
      // redacted_thinking and server blocks arrive whole in their start event.
      return [block, []];
  }
}

/**
 * The brand of an event stream that can hand over its whole message at once:
 * a method that returns the message (and ends the stream), or undefined when
 * the stream must be read event by event.
 * @internal
 */
export const TAKE_WHOLE = Symbol.for('lynkr.take-whole-message');

/** @internal */
export interface WholeMessageSource {
  [TAKE_WHOLE](): MessagesResponse | undefined;
}

/**
 * A whole message as a lazy event stream: what a provider returns for a
 * non-streaming upstream answer, or a preRoute handler's answer. A consumer
 * that wants the message whole (a non-streaming client, when no
 * postResponse handler needs the events) takes it as it is, without the
 * round trip through events. With `verbatim`, the upstream's body in the
 * wire it names, a client of that wire may take those bytes instead (see
 * kernel/ir/verbatim.ts).
 * @public
 */
export function messageStream(msg: MessagesResponse, verbatim?: { wire: string; bytes: Buffer }): AsyncGenerator<StreamEvent> {
  return new WholeMessageStream(msg, verbatim);
}

/**
 * The generator of events is made only if someone reads them: most whole
 * messages are taken whole, and an async generator with a property added to
 * it costs more than this object.
 */
class WholeMessageStream implements AsyncGenerator<StreamEvent>, WholeMessageSource, VerbatimSource {
  readonly #msg: MessagesResponse;
  readonly #verbatim: { wire: string; bytes: Buffer } | undefined;
  #taken = false;
  #events: AsyncGenerator<StreamEvent> | undefined;

  constructor(msg: MessagesResponse, verbatim: { wire: string; bytes: Buffer } | undefined) {
    this.#msg = msg;
    this.#verbatim = verbatim;
  }

  [TAKE_WHOLE](): MessagesResponse | undefined {
    if (this.#taken || this.#events) return undefined;
    this.#taken = true;
    return this.#msg;
  }

  [TAKE_VERBATIM](wire: string, stream: boolean): VerbatimWhole | undefined {
    if (stream || this.#taken || this.#events || this.#verbatim?.wire !== wire) return undefined;
    this.#taken = true;
    return { stream: false, bytes: this.#verbatim.bytes, message: this.#msg };
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    return this.#generator().next();
  }

  return(value?: unknown): Promise<IteratorResult<StreamEvent>> {
    return this.#generator().return(value);
  }

  throw(error?: unknown): Promise<IteratorResult<StreamEvent>> {
    return this.#generator().throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return(undefined);
  }

  #generator(): AsyncGenerator<StreamEvent> {
    return (this.#events ??= eventsOf(this.#msg));
  }
}

async function* eventsOf(msg: MessagesResponse): AsyncGenerator<StreamEvent> {
  yield* messageToEvents(msg);
}

/** The whole message of a stream that has one to hand over, which ends the stream; else undefined. @internal */
export function takeWhole(events: AsyncIterable<StreamEvent>): MessagesResponse | undefined {
  const take = (events as Partial<WholeMessageSource>)[TAKE_WHOLE];
  return typeof take === 'function' ? take.call(events) : undefined;
}

/** @public */
export interface AccumulatorOptions {
  /** `false` tracks only id, model, usage and stop reason: cheap enough for every stream. */
  content?: boolean;
}

/**
 * Rebuilds the answer a stream carries. Usage starts from `message_start`;
 * each field of a `message_delta`'s usage that is present (not null)
 * overrides it, which is how upstreams correct input and cache counts at the
 * end. Events that do not fit (a delta for an unknown block) are ignored:
 * {@link checkGrammar} is the place to find those.
 * @public
 */
export class MessageAccumulator {
  readonly #content: boolean;
  #message: MessagesResponse | undefined;
  readonly #blocks: Array<ContentBlock | OtherBlock> = [];
  /** Partial JSON per block index: parsed once, when the message is read. */
  readonly #json = new Map<number, string>();

  constructor(options: AccumulatorOptions = {}) {
    this.#content = options.content !== false;
  }

  /** Whether a `message_start` was pushed. */
  get started(): boolean {
    return this.#message !== undefined;
  }

  push(ev: StreamEvent): void {
    switch (ev.type) {
      case 'message_start':
        this.#message = { ...ev.message, content: [], usage: { ...ev.message.usage } };
        return;
      case 'message_delta':
        if (!this.#message) return;
        Object.assign(this.#message, ev.delta);
        for (const [key, value] of Object.entries(ev.usage)) if (value != null) this.#message.usage[key] = value;
        return;
      case 'content_block_start':
        if (this.#content) this.#blocks[ev.index] = { ...ev.content_block };
        return;
      case 'content_block_delta':
        if (this.#content) this.#apply(ev.index, ev.delta);
    }
  }

  #apply(index: number, delta: ContentDelta): void {
    const block = this.#blocks[index] as Record<string, unknown> | undefined;
    if (!block) return;
    switch (delta.type) {
      case 'text_delta':
        block.text = `${(block.text as string | undefined) ?? ''}${delta.text}`;
        return;
      case 'input_json_delta':
        this.#json.set(index, (this.#json.get(index) ?? '') + delta.partial_json);
        return;
      case 'thinking_delta':
        block.thinking = `${(block.thinking as string | undefined) ?? ''}${delta.thinking}`;
        return;
      case 'signature_delta':
        block.signature = `${(block.signature as string | undefined) ?? ''}${delta.signature}`;
        return;
      case 'citations_delta':
        block.citations = [...((block.citations as unknown[] | null | undefined) ?? []), delta.citation];
        return;
    }
  }

  /** The answer so far. Throws when no `message_start` was pushed. */
  message(): MessagesResponse {
    if (!this.#message) throw new Error('MessageAccumulator: no message_start event was pushed');
    const content: Array<ContentBlock | OtherBlock> = [];
    this.#blocks.forEach((block, index) => {
      const json = this.#json.get(index);
      content.push(json === undefined ? block : { ...block, input: parseToolInput(json) });
    });
    return { ...this.#message, content, usage: { ...this.#message.usage } };
  }
}

/**
 * An `error` event carried by a stream, or a stream that ended before
 * `message_stop`. `body` is the error as Anthropic's API shapes it.
 * @public
 */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  readonly body: ErrorBody;

  constructor(body: ErrorBody) {
    super(body.message);
    this.body = body;
  }
}

/**
 * An `error` event's body as the IR shapes it: the upstream's `type` and
 * `message` when it sent them as strings, else a generic `api_error` (an
 * upstream may send anything there).
 * @internal
 */
export function errorBodyOf(error: unknown): ErrorBody {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  return typeof type === 'string' ? { type, message: typeof message === 'string' ? message : '' } : { type: 'api_error', message: 'the upstream ended its answer with an error' };
}

/**
 * The whole answer of a stream. Throws a {@link StreamError} when the stream
 * carries an `error` event or ends before `message_stop`: a truncated answer
 * must not pass for a complete one.
 * @public
 */
export async function collectMessage(events: AsyncIterable<StreamEvent>): Promise<MessagesResponse> {
  const whole = takeWhole(events);
  if (whole) return whole;
  const acc = new MessageAccumulator();
  let stopped = false;
  for await (const ev of events) {
    if (ev.type === 'error') throw new StreamError(ev.error);
    if (ev.type === 'message_stop') stopped = true;
    acc.push(ev);
  }
  if (!stopped) throw new StreamError({ type: 'api_error', message: 'The stream ended before message_stop' });
  return acc.message();
}

const DELTA_BLOCK: Record<string, (blockType: string) => boolean> = {
  text_delta: (t) => t === 'text',
  citations_delta: (t) => t === 'text',
  // Server and MCP tool calls stream their input the same way as tool_use.
  input_json_delta: (t) => t.endsWith('tool_use'),
  thinking_delta: (t) => t === 'thinking',
  signature_delta: (t) => t === 'thinking',
};

/**
 * The ways `events` break the Anthropic stream grammar, one message each
 * (empty when the stream is valid). Clients such as Claude Code retry a
 * stream that breaks it without streaming, so every streaming path is
 * tested with this.
 * @public
 */
export function checkGrammar(events: readonly StreamEvent[]): string[] {
  const first = events[0];
  if (!first) return ['the stream is empty'];
  const problems: string[] = [];
  if (first.type !== 'message_start' && first.type !== 'error') {
    problems.push(`#0 ${first.type}: the stream must begin with message_start`);
  }
  let started = false;
  let delta = false;
  let stopped = false;
  let nextIndex = 0;
  let open: { index: number; type: string } | undefined;

  events.forEach((ev, i) => {
    const fail = (what: string) => problems.push(`#${i} ${ev.type}: ${what}`);
    if (stopped) return fail('event after message_stop');
    switch (ev.type) {
      case 'message_start': {
        if (started) return fail('a second message_start');
        started = true;
        const usage = ev.message?.usage as Partial<Usage> | undefined;
        if (typeof usage?.input_tokens !== 'number' || typeof usage.output_tokens !== 'number') {
          fail('message.usage needs numeric input_tokens and output_tokens');
        }
        if (!Array.isArray(ev.message?.content) || ev.message.content.length > 0) fail('message.content must be []');
        return;
      }
      case 'ping':
        return;
      case 'error':
        if (i !== events.length - 1) fail('an error event must be the last');
        return;
      case 'content_block_start':
        if (delta) return fail('a block after message_delta');
        if (open) fail(`block ${open.index} is still open`);
        if (ev.index !== nextIndex) fail(`index ${ev.index}, expected ${nextIndex}`);
        open = { index: ev.index, type: ev.content_block?.type };
        nextIndex = ev.index + 1;
        return;
      case 'content_block_delta': {
        if (open?.index !== ev.index) return fail(`index ${ev.index} is not the open block`);
        const fits = DELTA_BLOCK[ev.delta?.type];
        if (!fits?.(open.type)) fail(`a ${ev.delta?.type} in a ${open.type} block`);
        return;
      }
      case 'content_block_stop':
        if (open?.index !== ev.index) return fail(`index ${ev.index} is not the open block`);
        open = undefined;
        return;
      case 'message_delta':
        if (delta) return fail('a second message_delta');
        delta = true;
        if (open) fail(`block ${open.index} is still open`);
        if (!ev.delta || !('stop_reason' in ev.delta)) fail('delta.stop_reason is missing');
        if (typeof ev.usage?.output_tokens !== 'number') fail('usage.output_tokens must be a number');
        return;
      case 'message_stop':
        if (!delta) fail('message_stop before message_delta');
        stopped = true;
        return;
      default:
        return fail('unknown event type');
    }
  });
  const last = events.at(-1) as StreamEvent;
  if (last.type !== 'error' && !stopped) problems.push('the stream does not end with message_stop');
  return problems;
}
