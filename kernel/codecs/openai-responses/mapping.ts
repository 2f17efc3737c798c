/**
 * The usage and status mappings between Responses and the IR, shared by the
 * answer and stream codecs.
 */
import type { StopReason, Usage } from '../../ir/types.js';
import { usageFromChat, usageToChat } from '../openai-chat/response.js';
import type { ResponsesResponse, ResponsesStatus, ResponsesUsage } from './types.js';

/** IR usage as Responses usage: `input_tokens` counts cache reads and writes too. @public */
export function usageToResponses(usage: Usage): ResponsesUsage {
  const chat = usageToChat(usage);
  return {
    input_tokens: chat.prompt_tokens,
    input_tokens_details: { cached_tokens: chat.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: chat.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: chat.total_tokens,
  };
}

/** Responses usage as IR usage: cached tokens move to `cache_read_input_tokens`. Missing usage counts as zero. @public */
export function usageFromResponses(usage: Partial<ResponsesUsage> | null | undefined): Usage {
  return usageFromChat({
    prompt_tokens: usage?.input_tokens ?? 0,
    completion_tokens: usage?.output_tokens ?? 0,
    total_tokens: usage?.total_tokens ?? 0,
    prompt_tokens_details: { cached_tokens: usage?.input_tokens_details?.cached_tokens ?? 0 },
  });
}

/**
 * A stop reason as a response's status: `max_tokens` is an incomplete
 * response (`max_output_tokens`), a `refusal` (a safety stop) one cut by
 * `content_filter`; every other reason is a completed response.
 * @public
 */
export function stopReasonToStatus(reason: StopReason | null): {
  status: ResponsesStatus;
  incomplete_details: ResponsesResponse['incomplete_details'];
} {
  if (reason === 'max_tokens') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'refusal') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * A response's status as a stop reason, the inverse of
 * {@link stopReasonToStatus}; a completed response with calls stops with
 * `tool_use`.
 * @public
 */
export function statusToStopReason(res: Pick<ResponsesResponse, 'status' | 'incomplete_details'>, hasCalls: boolean): StopReason {
  if (res.status === 'incomplete') return res.incomplete_details?.reason === 'content_filter' ? 'refusal' : 'max_tokens';
  return hasCalls ? 'tool_use' : 'end_turn';
}
