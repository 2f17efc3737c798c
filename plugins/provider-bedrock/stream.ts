/**
 * ConverseStream's events as IR stream events, translated one frame at a
 * time as frames arrive.
 *
 * Converse numbers its content blocks, opens a text or reasoning block with
 * its first delta (only tool calls have a start event), and sends the usage
 * in a `metadata` event after `messageStop`: so `message_delta` and
 * `message_stop` go out when both have arrived (or at the end of the body,
 * when the usage never came). `message_start` waits for the first frame
 * with content, so that an exception Bedrock sends right after
 * `messageStart` still fails the call with its own status.
 */
import { LynkrError, upstreamHttpError } from '../../kernel/index.js';
import type { ContentBlock, StreamEvent } from '../../kernel/index.js';
import { framePayload, type EventFrame } from './eventstream.js';
import { messageId, stopReasonOf, stopSequenceOf, toolUseId, usageOf } from './response.js';
import type { ConverseUsage, StreamPayloads } from './types.js';

export interface StreamContext {
  model: string;
  label: string;
  requestId: string | undefined;
  /** Called once the answer is complete, before its last events are yielded, so the connection can be reused. */
  release(): void;
}

/**
 * The HTTP status each in-stream exception stands for, as Bedrock answers it
 * over HTTP. Keys are lower camel case, as in the `:exception-type` header.
 */
const EXCEPTION_STATUS: Record<string, number> = {
  validationException: 400,
  serviceQuotaExceededException: 400,
  accessDeniedException: 403,
  resourceNotFoundException: 404,
  modelTimeoutException: 408,
  throttlingException: 429,
  modelNotReadyException: 429,
  internalServerException: 500,
  modelStreamErrorException: 500,
  modelErrorException: 500,
  serviceUnavailableException: 503,
};

type Kind = 'text' | 'tool_use' | 'thinking' | 'redacted_thinking';

interface Block {
  /** The block's index in the IR stream: Converse's numbering is not trusted to be dense. */
  index: number;
  kind: Kind;
  closed: boolean;
  /** A redacted block's bytes: its IR form carries them whole in the start event, so they wait for the block's end. */
  redacted?: Buffer[];
}

/** The translation state of one stream. */
class Translator {
  /** True once `message_stop` is out. */
  done = false;
  readonly #ctx: StreamContext;
  readonly #blocks = new Map<number, Block>();
  #open: Block | undefined;
  #next = 0;
  #started = false;
  #stop: StreamPayloads['messageStop'] | undefined;
  #usage: ConverseUsage | undefined;

  constructor(ctx: StreamContext) {
    this.#ctx = ctx;
  }

  /** The IR events one frame stands for, in order. */
  push(frame: EventFrame): StreamEvent[] {
    const type = frame.headers[':message-type'];
    if (type === 'exception') throw this.#exception(frame);
    if (type === 'error') {
      const code = frame.headers[':error-code'] ?? 'error';
      throw upstreamHttpError(this.#ctx.label, 500, {}, JSON.stringify({ message: `${code}: ${frame.headers[':error-message'] ?? 'no message'}` }));
    }
    const out: StreamEvent[] = [];
    switch (frame.headers[':event-type']) {
      case 'contentBlockStart':
        this.#blockStart(this.#payload<'contentBlockStart'>(frame), out);
        break;
      case 'contentBlockDelta':
        this.#delta(this.#payload<'contentBlockDelta'>(frame), out);
        break;
      case 'contentBlockStop': {
        const block = this.#blocks.get(this.#payload<'contentBlockStop'>(frame).contentBlockIndex ?? 0);
        if (block && block === this.#open) this.#closeOpen(out);
        break;
      }
      case 'messageStop':
        this.#start(out);
        this.#closeOpen(out);
        this.#stop = this.#payload<'messageStop'>(frame);
        if (this.#usage) this.#finish(out);
        break;
      case 'metadata':
        this.#usage = this.#payload<'metadata'>(frame).usage ?? {};
        if (this.#stop) this.#finish(out);
        break;
      default:
      // messageStart carries nothing the IR needs; unknown events are skipped.
    }
    return out;
  }

  /** The events still owed when the body ends: the end of a stopped message, or an error for a cut one. */
  end(): StreamEvent[] {
    if (this.done) return [];
    if (!this.#stop) {
      throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${this.#ctx.label}" ended its stream before messageStop`);
    }
    const out: StreamEvent[] = [];
    this.#finish(out);
    return out;
  }

  #payload<K extends keyof StreamPayloads>(frame: EventFrame): StreamPayloads[K] {
    return framePayload(frame, this.#ctx.label) as StreamPayloads[K];
  }

  #blockStart(event: StreamPayloads['contentBlockStart'], out: StreamEvent[]): void {
    const tool = event.start?.toolUse;
    // Other starts (server tool results, images) have no IR form: their deltas are skipped too.
    if (tool) this.#block(event.contentBlockIndex ?? 0, 'tool_use', out, tool);
  }

  #delta(event: StreamPayloads['contentBlockDelta'], out: StreamEvent[]): void {
    const index = event.contentBlockIndex ?? 0;
    const delta = event.delta ?? {};
    if (typeof delta.text === 'string') {
      // An empty text delta opens no block: Converse sometimes sends one before a tool call.
      if (delta.text === '') return;
      const block = this.#block(index, 'text', out);
      out.push({ type: 'content_block_delta', index: block.index, delta: { type: 'text_delta', text: delta.text } });
    } else if (delta.toolUse) {
      const block = this.#blocks.get(index);
      if (block?.kind !== 'tool_use' || block.closed) throw this.#protocol(`tool input for block ${index}, which is not an open tool call`);
      const json = delta.toolUse.input ?? '';
      if (json !== '') out.push({ type: 'content_block_delta', index: block.index, delta: { type: 'input_json_delta', partial_json: json } });
    } else if (delta.reasoningContent) {
      const { text, signature, redactedContent } = delta.reasoningContent;
      if (typeof redactedContent === 'string') {
        this.#block(index, 'redacted_thinking', out).redacted?.push(Buffer.from(redactedContent, 'base64'));
        return;
      }
      const block = this.#block(index, 'thinking', out);
      if (text) out.push({ type: 'content_block_delta', index: block.index, delta: { type: 'thinking_delta', thinking: text } });
      if (signature) out.push({ type: 'content_block_delta', index: block.index, delta: { type: 'signature_delta', signature } });
    }
    // Citation and other deltas have no IR form here.
  }

  /** The IR block for Converse block `index`, opened (and the previous one closed) on first sight. */
  #block(index: number, kind: Kind, out: StreamEvent[], tool?: { toolUseId?: string; name?: string }): Block {
    const known = this.#blocks.get(index);
    if (known) {
      if (known.closed) throw this.#protocol(`block ${index} continued after another block began`);
      if (known.kind !== kind) throw this.#protocol(`a ${kind} delta in ${known.kind} block ${index}`);
      return known;
    }
    this.#start(out);
    this.#closeOpen(out);
    const block: Block = { index: this.#next++, kind, closed: false, ...(kind === 'redacted_thinking' && { redacted: [] }) };
    this.#blocks.set(index, block);
    this.#open = block;
    if (kind !== 'redacted_thinking') out.push({ type: 'content_block_start', index: block.index, content_block: startOf(kind, tool) });
    return block;
  }

  #closeOpen(out: StreamEvent[]): void {
    const block = this.#open;
    if (!block) return;
    block.closed = true;
    this.#open = undefined;
    if (block.redacted) {
      const data = Buffer.concat(block.redacted).toString('base64');
      out.push({ type: 'content_block_start', index: block.index, content_block: { type: 'redacted_thinking', data } });
    }
    out.push({ type: 'content_block_stop', index: block.index });
  }

  #start(out: StreamEvent[]): void {
    if (this.#started) return;
    this.#started = true;
    const { model, requestId } = this.#ctx;
    out.push({
      type: 'message_start',
      message: {
        id: messageId(requestId),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  #finish(out: StreamEvent[]): void {
    this.#start(out);
    this.#closeOpen(out);
    const reason = stopReasonOf(this.#stop?.stopReason);
    out.push(
      {
        type: 'message_delta',
        delta: { stop_reason: reason, stop_sequence: stopSequenceOf(reason, this.#stop?.additionalModelResponseFields) },
        usage: usageOf(this.#usage),
      },
      { type: 'message_stop' },
    );
    this.done = true;
  }

  #exception(frame: EventFrame): LynkrError {
    const type = frame.headers[':exception-type'] ?? 'exception';
    const status = EXCEPTION_STATUS[type] ?? EXCEPTION_STATUS[lowerFirst(type)] ?? 500;
    return upstreamHttpError(this.#ctx.label, status, {}, Buffer.from(frame.body).toString('utf8'));
  }

  #protocol(what: string): LynkrError {
    return new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${this.#ctx.label}" sent ${what}`);
  }
}

function startOf(kind: Exclude<Kind, 'redacted_thinking'>, tool: { toolUseId?: string; name?: string } | undefined): ContentBlock {
  switch (kind) {
    case 'text':
      return { type: 'text', text: '' };
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'tool_use':
      return { type: 'tool_use', id: tool?.toolUseId || toolUseId(), name: tool?.name ?? '', input: {} };
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * The IR events of a ConverseStream body's frames, lazily: each frame is
 * translated when it arrives. An exception frame fails the stream with its
 * status; a body that ends before `messageStop` fails it as DISCONNECTED.
 */
export async function* converseStreamEvents(frames: AsyncIterable<EventFrame>, ctx: StreamContext): AsyncGenerator<StreamEvent> {
  const translator = new Translator(ctx);
  for await (const frame of frames) {
    const events = translator.push(frame);
    if (translator.done) {
      // Before the yield: a consumer that stops at message_stop must not cost the connection.
      ctx.release();
      yield* events;
      return;
    }
    yield* events;
  }
  yield* translator.end();
}
