/**
 * Whole (non-streamed) answers both ways, and the stop-reason and usage
 * mappings the stream codec shares.
 */
import { newId } from '../../ir/ids.js';
import { parseToolInput } from '../../ir/tool-input.js';
import type { ContentBlock, MessagesResponse, StopReason, ToolUseBlock, Usage } from '../../ir/types.js';
import type { ChatFinishReason, ChatResponse, ChatToolCall, ChatUsage } from './types.js';

const FINISH_TO_STOP: Record<string, StopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/**
 * An OpenAI `finish_reason` as an Anthropic stop reason. `null` stays `null`
 * (not finished); a reason this table does not know (`eos`, `abort`, ... from
 * some servers) reads as `end_turn`.
 * @public
 */
export function finishReasonToStopReason(reason: string | null | undefined): StopReason | null {
  if (reason == null) return null;
  return FINISH_TO_STOP[reason] ?? 'end_turn';
}

const STOP_TO_FINISH: Record<StopReason, ChatFinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** An Anthropic stop reason as an OpenAI `finish_reason`; an unknown or missing one reads as `stop`. @public */
export function stopReasonToFinishReason(reason: StopReason | null): ChatFinishReason {
  return (reason && STOP_TO_FINISH[reason]) ?? 'stop';
}

/**
 * OpenAI usage as IR usage: cached prompt tokens move from `input_tokens` to
 * `cache_read_input_tokens`. Missing usage counts as zero.
 * @public
 */
export function usageFromChat(usage: ChatUsage | null | undefined): Usage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
  };
}

/** IR usage as OpenAI usage: `prompt_tokens` counts cache reads and writes too. @public */
export function usageToChat(usage: Usage): ChatUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const prompt = usage.input_tokens + cached + (usage.cache_creation_input_tokens ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output_tokens,
    total_tokens: prompt + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

/** @public */
export interface FromChatResponseOptions {
  /** The model name the client should see. */
  model: string;
  /** The answer's id; a fresh `msg_…` id by default. */
  messageId?: string;
  /**
   * Keep the reasoning text some servers send (`reasoning_content`,
   * `reasoning`) as a leading thinking block. Off by default: the block has
   * no signature, so an Anthropic upstream would reject it later in the
   * conversation.
   */
  keepReasoning?: boolean;
}

/**
 * An OpenAI completion as an IR answer. Tool call arguments are parsed with
 * {@link parseToolInput} (empty → `{}`, not an object → `{ _raw }`). An
 * answer with tool calls always stops with `tool_use`: some servers say
 * `stop` there, and clients only run tools on `tool_use`.
 * @public
 */
export function fromChatResponse(res: ChatResponse, opts: FromChatResponseOptions): MessagesResponse {
  const message = res.choices?.[0]?.message;
  const content: ContentBlock[] = [];
  const reasoning = message?.reasoning_content ?? message?.reasoning;
  if (opts.keepReasoning && reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (message?.content) content.push({ type: 'text', text: message.content });
  if (message?.refusal) content.push({ type: 'text', text: message.refusal });
  for (const call of message?.tool_calls ?? []) content.push(toolUse(call));

  let stop = finishReasonToStopReason(res.choices?.[0]?.finish_reason) ?? 'end_turn';
  if (message?.refusal) stop = 'refusal';
  else if (message?.tool_calls?.length) stop = 'tool_use';
  return {
    id: opts.messageId ?? newId('msg'),
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: usageFromChat(res.usage),
  };
}

/** @internal */
export function toolCallToChat(block: ToolUseBlock): ChatToolCall {
  return { id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } };
}

function toolUse(call: ChatToolCall): ContentBlock {
  return {
    type: 'tool_use',
    id: call.id || newId('toolu'),
    name: call.function.name,
    input: parseToolInput(call.function.arguments ?? ''),
  };
}

/** @public */
export interface ToChatResponseOptions {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

/**
 * An IR answer as an OpenAI completion. Text blocks are joined without a
 * separator (they are pieces of one answer, split by citations or tool
 * calls), as the stream codec does; thinking is left out.
 * @public
 */
export function toChatResponse(msg: MessagesResponse, opts: ToChatResponseOptions): ChatResponse {
  let text: string | null = null;
  const calls: ChatToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === 'text') text = (text ?? '') + (block.text as string);
    else if (block.type === 'tool_use') calls.push(toolCallToChat(block as ToolUseBlock));
  }
  return {
    id: opts.id,
    object: 'chat.completion',
    created: opts.created,
    model: opts.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, ...(calls.length > 0 && { tool_calls: calls }) },
        finish_reason: stopReasonToFinishReason(msg.stop_reason),
        logprobs: null,
      },
    ],
    usage: usageToChat(msg.usage),
  };
}
