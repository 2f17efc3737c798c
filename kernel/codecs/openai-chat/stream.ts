/**
 * Streams both ways: Chat Completions chunks → IR events for OpenAI-style
 * upstreams, and IR events → chunks for Lynkr's OpenAI front door.
 */
import { newId } from '../../ir/ids.js';
import { MessageAccumulator, StreamError } from '../../ir/stream.js';
import type { ContentBlock, ContentDelta, StreamEvent, ToolUseBlock } from '../../ir/types.js';
import { finishReasonToStopReason, stopReasonToFinishReason, usageFromChat, usageToChat } from './response.js';
import type { ChatChunk, ChatChunkDelta, ChatFinishReason, ChatToolCallDelta, ChatUsage } from './types.js';

/** @public */
export interface FromChatStreamOptions {
  /** The model name the client should see. */
  model: string;
  /** The answer's id; a fresh `msg_…` id by default. */
  messageId?: string;
  /** Stream reasoning deltas as a thinking block (see `fromChatResponse`). */
  keepReasoning?: boolean;
}

/**
 * Chat Completions chunks as IR events, lazily: each event is yielded as
 * soon as the chunk that causes it arrives, in the exact Anthropic grammar.
 *
 * Parallel tool calls. OpenAI-style upstreams may interleave the argument
 * pieces of several calls by `index`, but Anthropic blocks are sequential:
 * only one block can be open. So the first call opens a block and streams
 * live; the arguments of every other call are held until the open one is
 * known to be complete (the finish reason, or the end of the stream), then
 * each is sent as one block, in the order the calls began. Only those calls
 * wait; text and the first call never do. A piece that names a new `id` at
 * an index already in use starts a new call (servers that send every call at
 * index 0).
 *
 * Text that arrives while tool calls are under way is kept and sent as a
 * text block after them; reasoning that late is dropped, as thinking after
 * a tool call has no place in an Anthropic answer. A text block opens only
 * at its first non-whitespace text, so no whitespace-only block is produced
 * (an Anthropic upstream rejects one when the conversation is sent back).
 *
 * A call whose arguments never arrive gets `{}`. An answer with tool calls
 * stops with `tool_use`, and a stream without a finish reason still ends
 * properly. An `error` object in a chunk throws a {@link StreamError}; an
 * error thrown by `chunks` propagates. Either way the caller writes the
 * error event.
 * @public
 */
export async function* fromChatStream(
  chunks: AsyncIterable<ChatChunk>,
  opts: FromChatStreamOptions,
): AsyncGenerator<StreamEvent> {
  const state = new ChunkReader(opts);
  for await (const chunk of chunks) {
    state.read(chunk);
    yield* state.drain();
  }
  state.end();
  yield* state.drain();
}

interface Call {
  id: string;
  name: string;
  /** Arguments held while another call's block is open. */
  held: string;
  /** Whether any argument text went out in the block. */
  sent: boolean;
  phase: 'waiting' | 'open' | 'closed';
}

type Open = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; call: Call };

class ChunkReader {
  readonly #opts: FromChatStreamOptions;
  #out: StreamEvent[] = [];
  #started = false;
  #nextIndex = 0;
  #open: Open | undefined;
  /** Whitespace before a text block opens. */
  #lead = '';
  /** Text that arrived during tool calls. */
  #tail = '';
  readonly #calls = new Map<number, Call>();
  readonly #waiting: Call[] = [];
  #finish: ChatFinishReason | null = null;
  #usage: ChatUsage | undefined;

  constructor(opts: FromChatStreamOptions) {
    this.#opts = opts;
  }

  drain(): StreamEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  read(chunk: ChatChunk): void {
    this.#start();
    if (chunk.error) throw new StreamError({ type: 'api_error', message: chunk.error.message });
    if (chunk.usage) this.#usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    this.#delta(choice.delta ?? {});
    if (choice.finish_reason) {
      this.#finish = choice.finish_reason;
      this.#closeAll();
    }
  }

  end(): void {
    this.#start();
    this.#closeAll();
    const tools = this.#calls.size > 0;
    let stop = finishReasonToStopReason(this.#finish) ?? (tools ? 'tool_use' : 'end_turn');
    if (tools && stop === 'end_turn') stop = 'tool_use';
    this.#out.push(
      { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: usageFromChat(this.#usage) },
      { type: 'message_stop' },
    );
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#out.push({
      type: 'message_start',
      message: {
        id: this.#opts.messageId ?? newId('msg'),
        type: 'message',
        role: 'assistant',
        model: this.#opts.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  #delta(delta: ChatChunkDelta): void {
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning && this.#opts.keepReasoning && this.#calls.size === 0) this.#thinking(reasoning);
    if (delta.content) this.#text(delta.content);
    for (const piece of delta.tool_calls ?? []) this.#toolCall(piece);
  }

  #thinking(text: string): void {
    if (this.#open?.kind !== 'thinking') this.#openBlock({ kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
    this.#emit({ type: 'thinking_delta', thinking: text });
  }

  #text(text: string): void {
    if (this.#calls.size > 0) {
      this.#tail += text;
      return;
    }
    if (this.#open?.kind !== 'text') {
      if (text.trim() === '') {
        this.#lead += text;
        return;
      }
      this.#openBlock({ kind: 'text' }, { type: 'text', text: '' });
      text = this.#lead + text;
      this.#lead = '';
    }
    this.#emit({ type: 'text_delta', text });
  }

  #toolCall(piece: ChatToolCallDelta): void {
    let call = this.#calls.get(piece.index);
    if (!call || (piece.id && call.id && piece.id !== call.id)) {
      call = { id: piece.id ?? '', name: '', held: '', sent: false, phase: 'waiting' };
      this.#calls.set(piece.index, call);
      this.#waiting.push(call);
    }
    call.id ||= piece.id ?? '';
    call.name ||= piece.function?.name ?? '';
    const args = piece.function?.arguments ?? '';
    if (call.phase === 'waiting') call.held += args;
    else if (call.phase === 'open' && args) this.#args(args);
    // Pieces for a closed call cannot be placed in the Anthropic stream: a conformant upstream sends none.
    if (this.#open?.kind !== 'tool') this.#openNextCall();
  }

  /** Open the first waiting call once its name is known: a block cannot start without one. */
  #openNextCall(): void {
    const call = this.#waiting[0];
    if (!call?.name) return;
    this.#waiting.shift();
    this.#openBlock({ kind: 'tool', call }, { type: 'tool_use', id: call.id || newId('toolu'), name: call.name, input: {} });
    call.phase = 'open';
    if (call.held) this.#args(call.held);
    call.held = '';
  }

  #args(json: string): void {
    if (this.#open?.kind === 'tool') this.#open.call.sent = true;
    this.#emit({ type: 'input_json_delta', partial_json: json });
  }

  /** Close the open block, then send every waiting call and the held text, each as a whole block. */
  #closeAll(): void {
    this.#close();
    while (this.#waiting.length > 0) {
      const call = this.#waiting[0] as Call;
      call.name ||= 'unknown';
      this.#openNextCall();
      this.#close();
    }
    if (this.#tail.trim() !== '') {
      this.#openBlock({ kind: 'text' }, { type: 'text', text: '' });
      this.#emit({ type: 'text_delta', text: this.#tail });
      this.#close();
    }
    this.#tail = '';
  }

  #openBlock(open: { kind: 'text' | 'thinking' } | { kind: 'tool'; call: Call }, block: ContentBlock): void {
    this.#close();
    const index = this.#nextIndex++;
    this.#open = { ...open, index };
    this.#out.push({ type: 'content_block_start', index, content_block: block });
  }

  #emit(delta: ContentDelta): void {
    this.#out.push({ type: 'content_block_delta', index: (this.#open as Open).index, delta });
  }

  #close(): void {
    const open = this.#open;
    if (!open) return;
    if (open.kind === 'tool') {
      if (!open.call.sent) this.#args('{}');
      open.call.phase = 'closed';
    }
    this.#out.push({ type: 'content_block_stop', index: open.index });
    this.#open = undefined;
  }
}

/** @public */
export interface ToChatStreamOptions {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
  /** Add the final usage chunk (the client asked for `stream_options.include_usage`). */
  includeUsage: boolean;
}

/**
 * IR events as Chat Completions chunks: a role chunk first, text as
 * `content` deltas, each tool call as `tool_calls` deltas (its `id` and name
 * in its first chunk only), a finish chunk, then a usage chunk with no
 * choices when asked. Thinking is left out. An `error` event throws a
 * {@link StreamError} for the front door to report.
 * @public
 */
export async function* toChatStream(events: AsyncIterable<StreamEvent>, opts: ToChatStreamOptions): AsyncGenerator<ChatChunk> {
  const { id, created, model } = opts;
  const chunk = (delta: ChatChunkDelta, finish: ChatFinishReason | null = null): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const summary = new MessageAccumulator({ content: false });
  /** OpenAI call index by Anthropic block index. */
  const calls = new Map<number, number>();

  for await (const ev of events) {
    summary.push(ev);
    switch (ev.type) {
      case 'message_start':
        yield chunk({ role: 'assistant', content: '' });
        break;
      case 'content_block_start': {
        const block = ev.content_block;
        if (block.type === 'tool_use') {
          const index = calls.size;
          calls.set(ev.index, index);
          const { id: callId, name } = block as ToolUseBlock;
          yield chunk({ tool_calls: [{ index, id: callId, type: 'function', function: { name, arguments: '' } }] });
        } else if (block.type === 'text' && block.text) yield chunk({ content: block.text as string });
        break;
      }
      case 'content_block_delta': {
        const index = calls.get(ev.index);
        if (ev.delta.type === 'text_delta') yield chunk({ content: ev.delta.text });
        else if (ev.delta.type === 'input_json_delta' && index !== undefined) {
          yield chunk({ tool_calls: [{ index, function: { arguments: ev.delta.partial_json } }] });
        }
        break;
      }
      case 'message_stop': {
        const message = summary.message();
        yield chunk({}, stopReasonToFinishReason(message.stop_reason));
        if (opts.includeUsage) {
          yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageToChat(message.usage) };
        }
        break;
      }
      case 'error':
        throw new StreamError(ev.error);
    }
  }
}
