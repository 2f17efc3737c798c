/**
 * An Ollama stream's chunks as IR events, lazily: each event is yielded as
 * soon as the chunk that causes it arrives.
 */
import type { ContentBlock, ContentDelta, StreamEvent } from '../../kernel/index.js';
import { AnswerIds, stopReason, toolUse, usageOf, type DecodeOptions } from './answer.js';
import type { OllamaChatChunk, OllamaToolCall } from './wire.js';

/**
 * The events of one answer, in the exact Anthropic grammar.
 *
 * - Text deltas stream into one text block. A text block opens only at its
 *   first non-whitespace text (the newlines a model writes after thinking
 *   go in front of it), so no whitespace-only block is produced.
 * - Thinking deltas (kept only with `keepThinking`) stream into a thinking
 *   block without signature, while nothing else has been sent; thinking
 *   that comes later has no place in an Anthropic answer and is dropped.
 * - Tool calls arrive whole: each becomes one block, opened, filled with
 *   one `input_json_delta` and closed at once. An answer with calls stops
 *   with `tool_use`.
 * - The `done` chunk's counts become the usage of `message_delta`; Ollama
 *   reports the prompt's size only at the end, so `message_start` carries 0.
 *
 * A stream that ends without a `done` chunk still ends in the grammar here;
 * the chunk source is what fails such a stream (see `ollamaChunks`).
 */
export async function* fromOllamaStream(chunks: AsyncIterable<OllamaChatChunk>, opts: DecodeOptions): AsyncGenerator<StreamEvent> {
  const reader = new ChunkReader(opts);
  for await (const chunk of chunks) yield* reader.read(chunk);
  yield* reader.end();
}

class ChunkReader {
  readonly #opts: DecodeOptions;
  readonly #ids = new AnswerIds();
  #out: StreamEvent[] = [];
  #started = false;
  #nextIndex = 0;
  #open: { kind: 'text' | 'thinking'; index: number } | undefined;
  /** Whitespace waiting for the text block it will open. */
  #lead = '';
  #calls = 0;
  #done: OllamaChatChunk | undefined;

  constructor(opts: DecodeOptions) {
    this.#opts = opts;
  }

  read(chunk: OllamaChatChunk): StreamEvent[] {
    this.#start();
    const message = chunk.message;
    if (message?.thinking && this.#opts.keepThinking) this.#thinking(message.thinking);
    if (message?.content) this.#text(message.content);
    for (const call of message?.tool_calls ?? []) this.#toolCall(call);
    if (chunk.done) this.#done = chunk;
    return this.#drain();
  }

  end(): StreamEvent[] {
    this.#start();
    this.#close();
    this.#out.push(
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason(this.#done?.done_reason, this.#calls > 0), stop_sequence: null },
        usage: usageOf(this.#done),
      },
      { type: 'message_stop' },
    );
    return this.#drain();
  }

  #drain(): StreamEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#out.push({
      type: 'message_start',
      message: {
        id: this.#ids.message,
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

  #thinking(text: string): void {
    if (this.#open?.kind === 'thinking') return this.#delta({ type: 'thinking_delta', thinking: text });
    if (this.#nextIndex > 0) return;
    this.#openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
    this.#delta({ type: 'thinking_delta', thinking: text });
  }

  #text(text: string): void {
    if (this.#open?.kind !== 'text') {
      if (text.trim() === '') {
        this.#lead += text;
        return;
      }
      this.#openBlock('text', { type: 'text', text: '' });
      text = this.#lead + text;
      this.#lead = '';
    }
    this.#delta({ type: 'text_delta', text });
  }

  #toolCall(call: OllamaToolCall): void {
    this.#close();
    const use = toolUse(call, this.#ids);
    const index = this.#nextIndex++;
    this.#calls += 1;
    this.#out.push(
      { type: 'content_block_start', index, content_block: { ...use, input: {} } },
      { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(use.input) } },
      { type: 'content_block_stop', index },
    );
  }

  #openBlock(kind: 'text' | 'thinking', block: ContentBlock): void {
    this.#close();
    const index = this.#nextIndex++;
    this.#open = { kind, index };
    this.#out.push({ type: 'content_block_start', index, content_block: block });
  }

  #delta(delta: ContentDelta): void {
    if (this.#open) this.#out.push({ type: 'content_block_delta', index: this.#open.index, delta });
  }

  #close(): void {
    if (!this.#open) return;
    this.#out.push({ type: 'content_block_stop', index: this.#open.index });
    this.#open = undefined;
  }
}
