/**
 * Gemini answers → IR events. A stream is a sequence of whole
 * `GenerateContentResponse` chunks; a non-streaming answer is one of them.
 * Both go through the same reader, so they cannot disagree.
 */
import { randomToken, type ContentBlock, type ContentDelta, type StopReason, type StreamEvent, type Usage } from '../../../kernel/index.js';
import type { ThoughtSignatures } from './signatures.js';
import type { GeminiPart, GeminiResponse, GeminiUsage } from './types.js';

/** @public */
export interface FromGeminiOptions {
  /** The model name the client sees. */
  model: string;
  /** Where the thought signatures of function calls are kept for the next turn. */
  signatures?: ThoughtSignatures;
  /** Told of an answer that ended for a reason other than a normal stop (safety, a malformed call). */
  warn?: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * Finish reasons that mean Gemini withheld (part of) the answer on policy
 * grounds. Anthropic's `refusal` says exactly that to a client, where
 * `end_turn` would pass an empty or cut answer for a complete one.
 */
const REFUSALS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);
/** Normal ends: nothing worth a warning. */
const NORMAL = new Set(['STOP', 'MAX_TOKENS', 'FINISH_REASON_UNSPECIFIED']);

/**
 * Gemini chunks as IR events, lazily: each event is yielded as soon as the
 * chunk that causes it arrives, in the exact Anthropic grammar.
 *
 * Only the first candidate is read. Text parts are deltas of one text
 * block; thought parts (thought summaries) deltas of one thinking block.
 * That block's `signature` stays empty: a Gemini signature there would pass
 * for an Anthropic one, and Claude refuses a conversation holding a
 * signature it did not make (the Claude path drops unsigned thinking; see
 * ../adapter.ts).
 * Function calls arrive whole: each becomes a `tool_use` block with a fresh
 * `toolu_…` id (Gemini gives none) and its arguments in one
 * `input_json_delta`; its thought signature is kept under that id.
 *
 * Stop reasons: `STOP` → `end_turn`, or `tool_use` when the answer has
 * function calls; `MAX_TOKENS` → `max_tokens`; `SAFETY`, `RECITATION` and
 * the other policy reasons, or a prompt blocked outright, → `refusal`;
 * anything else (`MALFORMED_FUNCTION_CALL`, `OTHER`, ...) → `end_turn`, each
 * with a warning. Usage: `input_tokens` is the prompt minus its cached part,
 * `cache_read_input_tokens` the cached part, `output_tokens` the answer and
 * the thoughts (Gemini counts them apart; Anthropic counts thinking as
 * output).
 *
 * The caller decides whether a stream ended too early (see adapter.ts);
 * this reader closes whatever it was given properly.
 * @public
 */
export async function* fromGeminiStream(chunks: AsyncIterable<GeminiResponse>, opts: FromGeminiOptions): AsyncGenerator<StreamEvent> {
  const reader = new GeminiReader(opts);
  for await (const chunk of chunks) {
    reader.read(chunk);
    yield* reader.drain();
  }
  reader.end();
  yield* reader.drain();
}

/** The events of one whole answer. */
export function fromGeminiResponse(response: GeminiResponse, opts: FromGeminiOptions): StreamEvent[] {
  const reader = new GeminiReader(opts);
  reader.read(response);
  reader.end();
  return reader.drain();
}

/** An id in Anthropic's style: Gemini gives its function calls none. */
const newId = (prefix: 'msg' | 'toolu') => `${prefix}_vrtx_${randomToken(24)}`;

type Open = { kind: 'text' | 'thinking'; index: number };

class GeminiReader {
  readonly #opts: FromGeminiOptions;
  #out: StreamEvent[] = [];
  #started = false;
  #nextIndex = 0;
  #open: Open | undefined;
  #calls = 0;
  #finish: string | undefined;
  #blocked: string | undefined;
  #usage: GeminiUsage | undefined;

  constructor(opts: FromGeminiOptions) {
    this.#opts = opts;
  }

  drain(): StreamEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  read(chunk: GeminiResponse): void {
    if (chunk.usageMetadata) this.#usage = chunk.usageMetadata;
    this.#start();
    if (chunk.promptFeedback?.blockReason) this.#blocked = chunk.promptFeedback.blockReason;
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) this.#part(part);
    if (candidate?.finishReason) this.#finish = candidate.finishReason;
  }

  end(): void {
    this.#start();
    this.#close();
    this.#out.push(
      { type: 'message_delta', delta: { stop_reason: this.#stopReason(), stop_sequence: null }, usage: usageFromGemini(this.#usage) },
      { type: 'message_stop' },
    );
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#out.push({
      type: 'message_start',
      message: {
        id: newId('msg'),
        type: 'message',
        role: 'assistant',
        model: this.#opts.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The prompt side is known from the first chunk; the answer's count comes with message_delta.
        usage: { ...usageFromGemini(this.#usage), output_tokens: 0 },
      },
    });
  }

  #part(part: GeminiPart): void {
    if (part.functionCall) return this.#call(part);
    if (typeof part.text !== 'string' || part.text === '') return;
    if (part.thought) {
      if (this.#open?.kind !== 'thinking') this.#openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
      this.#emit({ type: 'thinking_delta', thinking: part.text });
      return;
    }
    if (this.#open?.kind !== 'text') this.#openBlock('text', { type: 'text', text: '' });
    this.#emit({ type: 'text_delta', text: part.text });
  }

  #call(part: GeminiPart): void {
    const call = part.functionCall!;
    this.#close();
    const id = newId('toolu');
    if (part.thoughtSignature) this.#opts.signatures?.remember(id, part.thoughtSignature);
    const index = this.#nextIndex++;
    this.#calls += 1;
    this.#out.push(
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: call.name, input: {} } },
      { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.args ?? {}) } },
      { type: 'content_block_stop', index },
    );
  }

  #openBlock(kind: Open['kind'], block: ContentBlock): void {
    this.#close();
    const index = this.#nextIndex++;
    this.#open = { kind, index };
    this.#out.push({ type: 'content_block_start', index, content_block: block });
  }

  #emit(delta: ContentDelta): void {
    this.#out.push({ type: 'content_block_delta', index: (this.#open as Open).index, delta });
  }

  #close(): void {
    if (!this.#open) return;
    this.#out.push({ type: 'content_block_stop', index: this.#open.index });
    this.#open = undefined;
  }

  #stopReason(): StopReason {
    const reason = this.#finish;
    if (this.#blocked !== undefined && reason === undefined) {
      this.#opts.warn?.('Gemini blocked the prompt', { blockReason: this.#blocked });
      return 'refusal';
    }
    if (reason !== undefined && !NORMAL.has(reason)) this.#opts.warn?.(`Gemini ended the answer with ${reason}`, { finishReason: reason });
    if (reason === 'MAX_TOKENS') return 'max_tokens';
    if (reason !== undefined && REFUSALS.has(reason)) return 'refusal';
    return this.#calls > 0 ? 'tool_use' : 'end_turn';
  }
}

/** Gemini's counts in Anthropic's terms. */
export function usageFromGemini(usage: GeminiUsage | undefined): Usage {
  const prompt = usage?.promptTokenCount ?? 0;
  const cached = usage?.cachedContentTokenCount ?? 0;
  const out: Usage = {
    input_tokens: Math.max(0, prompt - cached),
    output_tokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
  };
  if (usage?.cachedContentTokenCount !== undefined) out.cache_read_input_tokens = cached;
  return out;
}
