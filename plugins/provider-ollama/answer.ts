/**
 * Ollama's answers in the IR: a whole answer as a message, and the pieces a
 * stream shares with it (stop reason, usage, tool calls and their ids).
 */
import { randomToken, type ContentBlock, type MessagesResponse, type StopReason, type ToolUseBlock, type Usage } from '../../kernel/index.js';
import type { OllamaChatChunk, OllamaToolCall } from './wire.js';

export interface DecodeOptions {
  /** The model name the client sees. */
  model: string;
  /**
   * Keep Ollama's `thinking` text as a leading thinking block. The block has
   * no signature, so an Anthropic upstream would reject it if the
   * conversation later moves there: off unless configured.
   */
  keepThinking: boolean;
}

/**
 * Ids for one answer: the message's, and its tool calls'. Ollama gives its
 * calls no ids (newer servers do, and those are kept); the client needs one
 * per call to send the results back. Derived from the message id and the
 * call's position, they are unique across answers and stable within one.
 */
export class AnswerIds {
  readonly message: string;
  readonly #base: string;
  #calls = 0;

  constructor() {
    this.#base = randomToken(24);
    this.message = `msg_${this.#base}`;
  }

  call(call: OllamaToolCall): string {
    const n = this.#calls++;
    return call.id || `toolu_${this.#base}_${n}`;
  }
}

/**
 * An answer with tool calls stops with `tool_use` whatever Ollama says (it
 * says `stop`); `length` is the output limit; anything else (`stop`, `load`,
 * `unload`) ends the turn.
 */
export function stopReason(doneReason: string | undefined, hasToolCalls: boolean): StopReason {
  if (hasToolCalls) return 'tool_use';
  return doneReason === 'length' ? 'max_tokens' : 'end_turn';
}

/** Ollama counts the prompt and the answer; it reports nothing about cached prompt tokens. */
export function usageOf(chunk: OllamaChatChunk | undefined): Usage {
  return { input_tokens: chunk?.prompt_eval_count ?? 0, output_tokens: chunk?.eval_count ?? 0 };
}

/**
 * A call's arguments as a tool input. Ollama sends an object; text (from a
 * proxy, or an older server) is parsed, and text that is not a JSON object
 * is kept whole as `{ _raw }`, so that the tool rejects it and the model
 * sees its mistake, rather than the turn failing.
 */
export function toolInput(args: OllamaToolCall['function']['arguments'] | null): Record<string, unknown> {
  if (args == null) return {};
  if (typeof args !== 'string') return Array.isArray(args) ? { _raw: JSON.stringify(args) } : args;
  if (args.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Kept raw below.
  }
  return { _raw: args };
}

export function toolUse(call: OllamaToolCall, ids: AnswerIds): ToolUseBlock {
  return { type: 'tool_use', id: ids.call(call), name: call.function.name, input: toolInput(call.function.arguments) };
}

/**
 * A whole (non-streamed) Ollama answer as an IR message: thinking (when
 * kept), then the text, then the tool calls. Whitespace-only text is left
 * out: an Anthropic upstream rejects such a block when the conversation
 * is sent back.
 */
export function fromOllamaResponse(chunk: OllamaChatChunk, opts: DecodeOptions): MessagesResponse {
  const ids = new AnswerIds();
  const message = chunk.message ?? {};
  const content: ContentBlock[] = [];
  if (opts.keepThinking && message.thinking) content.push({ type: 'thinking', thinking: message.thinking, signature: '' });
  if (message.content && message.content.trim() !== '') content.push({ type: 'text', text: message.content });
  const calls = message.tool_calls ?? [];
  for (const call of calls) content.push(toolUse(call, ids));
  return {
    id: ids.message,
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: stopReason(chunk.done_reason, calls.length > 0),
    stop_sequence: null,
    usage: usageOf(chunk),
  };
}
