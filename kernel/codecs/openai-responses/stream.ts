/**
 * Streams both ways: IR events → typed Responses events for Lynkr's
 * Responses front door, and Responses events → IR events for upstreams that
 * speak it.
 */
import { newId } from '../../ir/ids.js';
import { StreamError } from '../../ir/stream.js';
import type { ContentBlock, ContentDelta, StreamEvent } from '../../ir/types.js';
import { ResponsesStreamEncoder, responsesError, type ToResponsesOptions } from './encoder.js';
import { statusToStopReason, usageFromResponses } from './mapping.js';
import { customInput } from '../openai-chat/custom-tools.js';
import { flatToolName } from './tools.js';
import type { ResponsesError, ResponsesOutputItem, ResponsesStreamEvent } from './types.js';

/**
 * IR events as Responses stream events, lazily: `response.created` and
 * `response.in_progress` first, then each block's item as it streams, then
 * `response.completed` (or `response.incomplete` for `max_tokens` and
 * `refusal`). An `error` event, an error thrown by `events` or an end
 * before `message_stop` ends the stream with `response.failed`, whose error
 * `describeError` words.
 *
 * `opts` is the encoder's options, or an encoder made with them, for a
 * caller that reads its `storedOutput` once the stream is over.
 * @public
 */
export async function* toResponsesStream(
  events: AsyncIterable<StreamEvent>,
  opts: ToResponsesOptions | ResponsesStreamEncoder,
  describeError: (error: unknown) => ResponsesError = responsesError,
): AsyncGenerator<ResponsesStreamEvent> {
  const encoder = opts instanceof ResponsesStreamEncoder ? opts : new ResponsesStreamEncoder(opts);
  yield* encoder.start();
  try {
    for await (const ev of events) {
      yield* encoder.push(ev);
      if (ev.type === 'message_stop' || ev.type === 'error') return;
    }
  } catch (error) {
    yield* encoder.fail(describeError(error));
    return;
  }
  yield* encoder.end();
}

// ---- Responses → IR ------------------------------------------------------------------------------

/** @public */
export interface FromResponsesStreamOptions {
  /** The model name the client should see. */
  model: string;
  /** The answer's id; a fresh `msg_…` id by default. */
  messageId?: string;
  /** Stream reasoning as thinking blocks (see `fromResponsesResponse`). */
  keepReasoning?: boolean;
}

/**
 * Responses stream events as IR events, lazily and in the exact Anthropic
 * grammar. Output items stream one after the other (as OpenAI sends them),
 * so each maps to one block: a message's text to a text block, each
 * function call to a `tool_use` block streaming its arguments, a custom
 * tool call to a `tool_use` block whose input `{ input }` is sent whole
 * when the item is done. A call whose arguments never stream gets the
 * arguments of its `output_item.done`, or `{}`. `response.failed`, an
 * `error` event, or an end before the response completed throws a
 * {@link StreamError}.
 * @public
 */
export async function* fromResponsesStream(
  events: AsyncIterable<ResponsesStreamEvent>,
  opts: FromResponsesStreamOptions,
): AsyncGenerator<StreamEvent> {
  const reader = new EventReader(opts);
  for await (const ev of events) {
    yield* reader.read(ev);
    if (reader.done) return;
  }
  throw new StreamError({ type: 'api_error', message: 'The stream ended before response.completed' });
}

class EventReader {
  readonly #opts: FromResponsesStreamOptions;
  #started = false;
  #next = 0;
  #open: { index: number; outputIndex: number; kind: 'text' | 'thinking' | 'function' | 'custom'; sent: boolean; text: string } | undefined;
  #calls = false;
  done = false;

  constructor(opts: FromResponsesStreamOptions) {
    this.#opts = opts;
  }

  read(ev: ResponsesStreamEvent): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      const message = { id: this.#opts.messageId ?? newId('msg'), type: 'message' as const, role: 'assistant' as const, model: this.#opts.model };
      out.push({ type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } });
    }
    switch (ev.type) {
      case 'response.output_item.added': {
        const item = ev.item;
        if (item.type === 'function_call' || item.type === 'custom_tool_call') {
          this.#calls = true;
          const name = flatToolName(item.name, item.namespace);
          this.#openBlock(out, ev.output_index, item.type === 'function_call' ? 'function' : 'custom', { type: 'tool_use', id: item.call_id, name, input: {} });
        } else if (item.type === 'reasoning' && this.#opts.keepReasoning) {
          this.#openBlock(out, ev.output_index, 'thinking', { type: 'thinking', thinking: '', signature: '' });
        }
        break;
      }
      case 'response.output_text.delta':
        if (this.#open?.kind !== 'text' || this.#open.outputIndex !== ev.output_index) this.#openBlock(out, ev.output_index, 'text', { type: 'text', text: '' });
        this.#delta(out, { type: 'text_delta', text: ev.delta });
        break;
      case 'response.function_call_arguments.delta':
        if (this.#open?.kind === 'function' && this.#open.outputIndex === ev.output_index && ev.delta) {
          this.#delta(out, { type: 'input_json_delta', partial_json: ev.delta });
        }
        break;
      case 'response.custom_tool_call_input.delta':
        if (this.#open?.kind === 'custom' && this.#open.outputIndex === ev.output_index) this.#open.text += ev.delta;
        break;
      case 'response.reasoning_summary_part.added':
        if (this.#open?.kind === 'thinking' && ev.summary_index > 0) this.#delta(out, { type: 'thinking_delta', thinking: '\n\n' });
        break;
      case 'response.reasoning_summary_text.delta':
        if (this.#open?.kind === 'thinking' && this.#open.outputIndex === ev.output_index) this.#delta(out, { type: 'thinking_delta', thinking: ev.delta });
        break;
      case 'response.output_item.done':
        this.#itemDone(out, ev.output_index, ev.item);
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.#close(out);
        out.push(
          {
            type: 'message_delta',
            delta: { stop_reason: statusToStopReason(ev.response, this.#calls), stop_sequence: null },
            usage: usageFromResponses(ev.response.usage),
          },
          { type: 'message_stop' },
        );
        this.done = true;
        break;
      case 'response.failed':
        throw new StreamError({ type: 'api_error', message: ev.response.error?.message ?? 'The response failed' });
      case 'error':
        throw new StreamError({ type: ev.code === 'rate_limit_exceeded' ? 'rate_limit_error' : 'api_error', message: ev.message });
    }
    return out;
  }

  #itemDone(out: StreamEvent[], outputIndex: number, item: ResponsesOutputItem): void {
    const open = this.#open;
    if (!open || open.outputIndex !== outputIndex) return;
    if (item.type === 'function_call' && !open.sent) this.#delta(out, { type: 'input_json_delta', partial_json: item.arguments || '{}' });
    else if (item.type === 'custom_tool_call') {
      this.#delta(out, { type: 'input_json_delta', partial_json: JSON.stringify(customInput(item.input ?? open.text)) });
    } else if (item.type === 'reasoning' && item.encrypted_content) {
      this.#delta(out, { type: 'signature_delta', signature: item.encrypted_content });
    }
    this.#close(out);
  }

  #openBlock(out: StreamEvent[], outputIndex: number, kind: 'text' | 'thinking' | 'function' | 'custom', block: ContentBlock): void {
    this.#close(out);
    const index = this.#next++;
    this.#open = { index, outputIndex, kind, sent: false, text: '' };
    out.push({ type: 'content_block_start', index, content_block: block });
  }

  #delta(out: StreamEvent[], delta: ContentDelta): void {
    if (!this.#open) return;
    if (delta.type === 'input_json_delta') this.#open.sent = true;
    out.push({ type: 'content_block_delta', index: this.#open.index, delta });
  }

  #close(out: StreamEvent[]): void {
    const open = this.#open;
    if (!open) return;
    if (open.kind === 'function' && !open.sent) this.#delta(out, { type: 'input_json_delta', partial_json: '{}' });
    out.push({ type: 'content_block_stop', index: open.index });
    this.#open = undefined;
  }
}
