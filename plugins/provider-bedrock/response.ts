/**
 * A Converse answer as the IR: content blocks, the stop reason and the
 * usage in Anthropic's terms. The stream translator shares the last two.
 */
import { randomUUID } from 'node:crypto';
import { LynkrError } from '../../kernel/index.js';
import type { ContentBlock, MessagesResponse, StopReason, Usage } from '../../kernel/index.js';
import type { AnswerPart, ConverseResponse, ConverseUsage } from './types.js';

/**
 * Converse stop reasons in Anthropic's terms. A guardrail or content filter
 * that stopped the answer is a refusal; a full context window ends the
 * answer as a length limit does.
 */
const STOP_REASONS: Record<string, StopReason> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  guardrail_intervened: 'refusal',
  content_filtered: 'refusal',
  model_context_window_exceeded: 'max_tokens',
};

/** A Converse stop reason as Anthropic's; an unknown one ends the turn. */
export function stopReasonOf(reason: string | undefined): StopReason {
  return (reason !== undefined && STOP_REASONS[reason]) || 'end_turn';
}

/** The matched stop sequence, which Claude reports through `additionalModelResponseFields`. */
export function stopSequenceOf(reason: StopReason, fields: Record<string, unknown> | undefined): string | null {
  const sequence = fields?.stop_sequence;
  return reason === 'stop_sequence' && typeof sequence === 'string' ? sequence : null;
}

/** Usage in Anthropic's terms; cache counts only when the upstream reported them. */
export function usageOf(usage: ConverseUsage | undefined): Usage {
  const out: Usage = { input_tokens: usage?.inputTokens ?? 0, output_tokens: usage?.outputTokens ?? 0 };
  if (usage?.cacheReadInputTokens !== undefined) out.cache_read_input_tokens = usage.cacheReadInputTokens;
  if (usage?.cacheWriteInputTokens !== undefined) out.cache_creation_input_tokens = usage.cacheWriteInputTokens;
  return out;
}

/** A message id from Bedrock's request id when there is one, so that a log line leads to AWS's. */
export function messageId(requestId: string | undefined): string {
  return `msg_bdrk_${(requestId ?? randomUUID()).replaceAll('-', '')}`;
}

/** An id for a tool call the upstream sent without one. */
export function toolUseId(): string {
  return `toolu_bdrk_${randomUUID().replaceAll('-', '')}`;
}

/** A non-streaming Converse answer as an IR message. */
export function fromConverseResponse(body: unknown, options: { model: string; label: string; requestId?: string }): MessagesResponse {
  const answer = body as ConverseResponse | undefined;
  const parts = answer?.output?.message?.content;
  if (!Array.isArray(parts)) {
    throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${options.label}" answered without output.message.content`, { detail: { body } });
  }
  const content = parts.map(blockOf).filter((b): b is ContentBlock => b !== undefined);
  const stopReason = stopReasonOf(answer?.stopReason);
  return {
    id: messageId(options.requestId),
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequenceOf(stopReason, answer?.additionalModelResponseFields),
    usage: usageOf(answer?.usage),
  };
}

/** One answer block; kinds Lynkr cannot represent (citations, guardrail traces) are left out. */
function blockOf(part: AnswerPart): ContentBlock | undefined {
  if (typeof part.text === 'string') return { type: 'text', text: part.text };
  if (part.toolUse) {
    const { name, input } = part.toolUse;
    const args = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    return { type: 'tool_use', id: part.toolUse.toolUseId || toolUseId(), name: name ?? '', input: args };
  }
  const reasoning = part.reasoningContent;
  if (reasoning?.reasoningText) return { type: 'thinking', thinking: reasoning.reasoningText.text ?? '', signature: reasoning.reasoningText.signature ?? '' };
  if (typeof reasoning?.redactedContent === 'string') return { type: 'redacted_thinking', data: reasoning.redactedContent };
  return undefined;
}
