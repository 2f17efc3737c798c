/**
 * The IR → Responses stream encoder: one answer's IR events as typed
 * Responses events and the `Response` object they build.
 */
import { newId } from '../../ir/ids.js';
import { MessageAccumulator, messageToEvents, StreamError } from '../../ir/stream.js';
import { parseToolInput } from '../../ir/tool-input.js';
import type { ContentBlock, ContentDelta, MessagesResponse, RedactedThinkingBlock, StreamEvent, ToolUseBlock } from '../../ir/types.js';
import { stopReasonToStatus, usageToResponses } from './mapping.js';
import { reasoningContent, RESPONSES_FAMILY } from './reasoning.js';
import { customText } from '../openai-chat/custom-tools.js';
import type { ResponsesToolNames } from './tools.js';
import type {
  ResponsesError,
  ResponsesOutputItem,
  ResponsesOutputText,
  ResponsesReasoningItem,
  ResponsesRequest,
  ResponsesResponse,
  ResponsesStatus,
  ResponsesStreamEvent,
} from './types.js';

/** @public */
export interface ToResponsesOptions {
  /** The response id (`resp_…`). */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The model named until the answer names its own (in `message_start`). */
  model: string;
  /** The request, whose parameters the `Response` object echoes (instructions, tools, tool_choice, ...). */
  request?: ResponsesRequest;
  /** How IR tool names map back to namespace and custom tools (from `fromResponsesRequest`). */
  toolNames?: ResponsesToolNames;
  /** The family (the provider's wire) that wrote the answer's thinking blocks; default {@link RESPONSES_FAMILY}. */
  reasoningFamily?: string;
  /** Show reasoning state as `encrypted_content` (the client asked with `include: ["reasoning.encrypted_content"]`). */
  includeEncrypted?: boolean;
  /** The `store` field; default: what the request says, else true (OpenAI's default). */
  store?: boolean;
}

type Sequenceless<E> = E extends unknown ? Omit<E, 'sequence_number'> : never;
type Draft = Sequenceless<ResponsesStreamEvent>;

type ItemKind = 'text' | 'reasoning' | 'function' | 'custom';

/** An output item under way, by the IR block it comes from. */
interface Open {
  kind: ItemKind;
  outputIndex: number;
  item: ResponsesOutputItem;
  /** Text, summary, arguments or custom tool input so far. */
  text: string;
  /** Reasoning: the signature so far (a redacted block's data), whether the block is redacted, whether the summary part was opened. */
  signature: string;
  redacted: boolean;
  summaryOpen: boolean;
}

/** IR error types with an OpenAI error code of their own; anything else is a `server_error`. */
const ERROR_CODES: Record<string, string> = {
  rate_limit_error: 'rate_limit_exceeded',
  invalid_request_error: 'invalid_prompt',
};

/** The `error` of a `response.failed` for whatever ended the stream. @public */
export function responsesError(error: unknown): ResponsesError {
  if (error instanceof StreamError) return { code: ERROR_CODES[error.body.type] ?? 'server_error', message: error.body.message };
  return { code: 'server_error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Encodes one answer's IR events as Responses stream events, with
 * `sequence_number`s from 0. Each IR content block becomes one output item:
 * text a `message` (one `output_text` part), thinking a `reasoning` item
 * (its text as one summary part), each `tool_use` its own `function_call`
 * (or `custom_tool_call`) item, so parallel calls never share one. Other
 * blocks (Anthropic server tool results) have no Responses form and are
 * left out.
 *
 * The encoder keeps each item whole, `encrypted_content` included, for
 * {@link ResponsesStreamEncoder.storedOutput}; what it emits shows
 * `encrypted_content` only when `includeEncrypted` is set.
 * @public
 */
export class ResponsesStreamEncoder {
  readonly #opts: ToResponsesOptions;
  readonly #summary = new MessageAccumulator({ content: false });
  readonly #open = new Map<number, Open>();
  readonly #output: ResponsesOutputItem[] = [];
  #out: ResponsesStreamEvent[] = [];
  #seq = 0;
  #model: string;
  #status: ResponsesStatus = 'in_progress';
  #final: ResponsesResponse | undefined;
  /**
   * The answer when building a whole `Response` (see {@link ResponsesStreamEncoder.encodeWhole}): no
   * stream events are made (the calls of `#emit` check, so that not even an event's draft is built),
   * and its stop reason and usage are read from it rather than accumulated.
   */
  #whole: MessagesResponse | undefined;

  constructor(opts: ToResponsesOptions) {
    this.#opts = opts;
    this.#model = opts.model;
  }

  /** `response.created` and `response.in_progress`: sent before the answer's first event. */
  start(): ResponsesStreamEvent[] {
    const response = this.#envelope();
    this.#emit({ type: 'response.created', response });
    this.#emit({ type: 'response.in_progress', response: this.#envelope() });
    return this.#drain();
  }

  /**
   * The `Response` of a whole answer, for a client that did not ask for a
   * stream: the same items a stream would end with, without making the
   * stream's events. Use instead of `start` and `push`, on a fresh encoder.
   */
  encodeWhole(message: MessagesResponse): ResponsesResponse {
    this.#whole = message;
    for (const ev of messageToEvents(message)) this.push(ev);
    return this.response;
  }

  /** The Responses events one IR event causes. */
  push(ev: StreamEvent): ResponsesStreamEvent[] {
    if (this.#final) return [];
    if (!this.#whole) this.#summary.push(ev);
    switch (ev.type) {
      case 'message_start':
        if (ev.message.model) this.#model = ev.message.model;
        break;
      case 'content_block_start':
        this.#startBlock(ev.index, ev.content_block);
        break;
      case 'content_block_delta':
        this.#delta(ev.index, ev.delta);
        break;
      case 'content_block_stop':
        this.#stopBlock(ev.index);
        break;
      case 'message_stop':
        this.#finish();
        break;
      case 'error':
        return this.fail({ code: ERROR_CODES[ev.error.type] ?? 'server_error', message: ev.error.message });
    }
    return this.#drain();
  }

  /** End the stream with `response.failed`; items under way are marked incomplete. */
  fail(error: ResponsesError): ResponsesStreamEvent[] {
    if (this.#final) return [];
    for (const open of this.#open.values()) {
      const item = open.item as ResponsesOutputItem & { status?: string };
      item.status = 'incomplete';
      if (item.type === 'message') item.content = [textPart(open.text)];
    }
    this.#open.clear();
    this.#status = 'failed';
    this.#final = this.#envelope(null, this.#usage(), error);
    this.#emit({ type: 'response.failed', response: this.#final });
    return this.#drain();
  }

  /** Call when the IR events end: a stream that ended before `message_stop` fails. */
  end(): ResponsesStreamEvent[] {
    return this.fail({ code: 'server_error', message: 'the upstream stream ended before the answer was complete' });
  }

  /** The `Response` as it stands (the final one once the stream ended). */
  get response(): ResponsesResponse {
    return this.#final ?? this.#envelope();
  }

  /** The output items with their `encrypted_content`, for Lynkr's own store. */
  get storedOutput(): readonly ResponsesOutputItem[] {
    return this.#output;
  }

  #startBlock(index: number, block: ContentBlock | { type: string; [extra: string]: unknown }): void {
    let item: ResponsesOutputItem;
    let kind: ItemKind;
    switch (block.type) {
      case 'text':
        kind = 'text';
        item = { type: 'message', id: newId('msg'), role: 'assistant', status: 'in_progress', content: [] };
        break;
      case 'thinking':
      case 'redacted_thinking':
        kind = 'reasoning';
        item = { type: 'reasoning', id: newId('rs'), summary: [] };
        break;
      case 'tool_use': {
        const { id: callId, name } = block as ToolUseBlock;
        const ref = this.#opts.toolNames?.get(name);
        const own = { name: ref?.name ?? name, ...(ref?.namespace && { namespace: ref.namespace }) };
        kind = ref?.custom ? 'custom' : 'function';
        item =
          kind === 'custom'
            ? { type: 'custom_tool_call', id: newId('ctc'), call_id: callId, ...own, input: '', status: 'in_progress' }
            : { type: 'function_call', id: newId('fc'), call_id: callId, ...own, arguments: '', status: 'in_progress' };
        break;
      }
      default:
        return;
    }
    const redacted = block.type === 'redacted_thinking';
    const signature = redacted ? (block as RedactedThinkingBlock).data : '';
    const open: Open = { kind, outputIndex: this.#output.length, item, text: '', signature, redacted, summaryOpen: false };
    this.#open.set(index, open);
    this.#output.push(item);
    if (!this.#whole) this.#emit({ type: 'response.output_item.added', output_index: open.outputIndex, item: { ...item } as ResponsesOutputItem });
    if (kind === 'text') {
      if (!this.#whole) this.#emit({ type: 'response.content_part.added', item_id: item.id, output_index: open.outputIndex, content_index: 0, part: textPart('') });
      if (block.text) this.#delta(index, { type: 'text_delta', text: block.text as string });
    }
  }

  #delta(index: number, delta: ContentDelta): void {
    const open = this.#open.get(index);
    if (!open) return;
    const at = { item_id: open.item.id, output_index: open.outputIndex };
    switch (delta.type) {
      case 'text_delta':
        if (open.kind !== 'text') return;
        open.text += delta.text;
        if (!this.#whole) this.#emit({ type: 'response.output_text.delta', ...at, content_index: 0, delta: delta.text, logprobs: [] });
        return;
      case 'thinking_delta':
        if (open.kind !== 'reasoning') return;
        if (!open.summaryOpen) {
          open.summaryOpen = true;
          if (!this.#whole) this.#emit({ type: 'response.reasoning_summary_part.added', ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
        }
        open.text += delta.thinking;
        if (!this.#whole) this.#emit({ type: 'response.reasoning_summary_text.delta', ...at, summary_index: 0, delta: delta.thinking });
        return;
      case 'signature_delta':
        open.signature += delta.signature;
        return;
      case 'input_json_delta':
        open.text += delta.partial_json;
        // A custom tool's text is a string inside that JSON: it is sent whole once the block is complete.
        if (open.kind === 'function' && !this.#whole) this.#emit({ type: 'response.function_call_arguments.delta', ...at, delta: delta.partial_json });
        return;
      default:
        return;
    }
  }

  #stopBlock(index: number): void {
    const open = this.#open.get(index);
    if (!open) return;
    this.#open.delete(index);
    const at = { item_id: open.item.id, output_index: open.outputIndex };
    const item = open.item;
    switch (item.type) {
      case 'message': {
        const part = textPart(open.text);
        if (!this.#whole) {
          this.#emit({ type: 'response.output_text.done', ...at, content_index: 0, text: open.text, logprobs: [] });
          this.#emit({ type: 'response.content_part.done', ...at, content_index: 0, part });
        }
        item.content = [textPart(open.text)];
        item.status = 'completed';
        break;
      }
      case 'reasoning': {
        if (open.summaryOpen) {
          if (!this.#whole) {
            this.#emit({ type: 'response.reasoning_summary_text.done', ...at, summary_index: 0, text: open.text });
            this.#emit({ type: 'response.reasoning_summary_part.done', ...at, summary_index: 0, part: { type: 'summary_text', text: open.text } });
          }
          item.summary = [{ type: 'summary_text', text: open.text }];
        }
        if (open.signature) {
          const family = this.#opts.reasoningFamily ?? RESPONSES_FAMILY;
          const block = open.redacted
            ? { type: 'redacted_thinking' as const, data: open.signature }
            : { type: 'thinking' as const, thinking: open.text, signature: open.signature };
          item.encrypted_content = reasoningContent(family, block);
        }
        break;
      }
      case 'function_call':
        item.arguments = open.text || '{}';
        item.status = 'completed';
        if (!this.#whole) this.#emit({ type: 'response.function_call_arguments.done', ...at, name: item.name, arguments: item.arguments });
        break;
      case 'custom_tool_call':
        item.input = customText(parseToolInput(open.text));
        item.status = 'completed';
        if (!this.#whole) {
          if (item.input) this.#emit({ type: 'response.custom_tool_call_input.delta', ...at, delta: item.input });
          this.#emit({ type: 'response.custom_tool_call_input.done', ...at, input: item.input });
        }
        break;
    }
    if (!this.#whole) this.#emit({ type: 'response.output_item.done', output_index: open.outputIndex, item: this.#visible(item) });
  }

  #finish(): void {
    const { status, incomplete_details } = stopReasonToStatus((this.#whole ?? this.#summary.message()).stop_reason);
    this.#status = status;
    this.#final = this.#envelope(incomplete_details, this.#usage());
    this.#emit({ type: status === 'completed' ? 'response.completed' : 'response.incomplete', response: this.#final });
  }

  #usage(): ResponsesResponse['usage'] {
    try {
      return usageToResponses((this.#whole ?? this.#summary.message()).usage);
    } catch {
      return null; // no message_start yet, or an upstream's message without usage
    }
  }

  #visible(item: ResponsesOutputItem): ResponsesOutputItem {
    if (item.type !== 'reasoning' || this.#opts.includeEncrypted || item.encrypted_content === undefined) return item;
    const { encrypted_content: _hidden, ...shown } = item;
    return shown as ResponsesReasoningItem & { id: string };
  }

  /** The `Response` object; the final one is made with its usage, and how it ended. */
  #envelope(
    incomplete_details: ResponsesResponse['incomplete_details'] = null,
    usage: ResponsesResponse['usage'] = null,
    error: ResponsesError | null = null,
  ): ResponsesResponse {
    const req = this.#opts.request ?? {};
    return {
      id: this.#opts.id,
      object: 'response',
      created_at: this.#opts.createdAt,
      status: this.#status,
      error,
      incomplete_details,
      instructions: typeof req.instructions === 'string' ? req.instructions : null,
      max_output_tokens: req.max_output_tokens ?? null,
      model: this.#model,
      // In progress, the items so far are in the events, not in the envelope, as OpenAI sends them.
      output: this.#status === 'in_progress' ? [] : this.#output.map((item) => this.#visible(item)),
      parallel_tool_calls: req.parallel_tool_calls ?? true,
      previous_response_id: req.previous_response_id ?? null,
      reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
      store: this.#opts.store ?? req.store ?? true,
      temperature: req.temperature ?? 1,
      text: { format: req.text?.format ?? { type: 'text' } },
      tool_choice: req.tool_choice ?? 'auto',
      tools: req.tools ?? [],
      top_p: req.top_p ?? 1,
      truncation: 'disabled',
      usage,
      user: req.user ?? null,
      metadata: req.metadata ?? {},
    };
  }

  /** Number a draft and queue it. Drafts are fresh literals, numbered in place: no copy per event. */
  #emit(draft: Draft): void {
    if (this.#whole) return;
    const event = draft as ResponsesStreamEvent;
    event.sequence_number = this.#seq++;
    this.#out.push(event);
  }

  #drain(): ResponsesStreamEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

function textPart(text: string): ResponsesOutputText {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}
