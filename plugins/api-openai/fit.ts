/**
 * Fitting an OpenAI client's request to the upstream the route chose. The
 * codecs decode everything the client said into the IR, including what only
 * OpenAI's own API can act on (built-in tools, encrypted reasoning,
 * `response_format`, `reasoning_effort`); which of it the upstream can take
 * is only known once the route has decided, so this runs in `invoke`.
 */
import {
  carriedReasoning,
  isBuiltinTool,
  LynkrError,
  RESPONSES_FAMILY,
  type ContentBlock,
  type Message,
  type MessagesRequest,
  type OtherBlock,
  type ThinkingBlock,
  type ThinkingConfig,
} from '../../kernel/index.js';

/** Wires that read OpenAI's own request fields (`response_format`, `reasoning_effort`). */
const OPENAI_WIRES = new Set(['openai-chat', RESPONSES_FAMILY]);

/**
 * Thinking budgets for an OpenAI reasoning effort, on upstreams that think
 * with a token budget (Anthropic). `none` and `minimal` mean no thinking.
 */
export const EFFORT_BUDGETS: Readonly<Record<string, number>> = { low: 1024, medium: 2048, high: 4096, xhigh: 8192 };

/** Anthropic's smallest thinking budget. */
const MIN_BUDGET = 1024;

/** Where the upstream is, for the fit and for its log lines. */
export interface Target {
  provider: string;
  wire: string;
}

/** What the request called the parameter that became `response_format`, for the error that names it. */
export type FormatParam = 'response_format' | 'text.format';

/**
 * The request as `target` can take it, or the request itself when nothing
 * needs to change (the common case costs no copy):
 *
 * - built-in tools are dropped unless the upstream speaks Responses;
 * - reasoning carried from a client's `reasoning` items goes back only to
 *   the family that wrote it (see `carriedReasoning`), and is dropped for
 *   any other;
 * - `response_format` is refused with a 400 by upstreams outside the OpenAI
 *   family, which have no such parameter;
 * - `reasoning_effort` stays for OpenAI-family upstreams; for Anthropic it
 *   becomes a thinking budget when the request allows thinking
 *   ({@link thinkingFor}), and is dropped otherwise.
 */
export function fitToUpstream(request: MessagesRequest, target: Target, formatParam: FormatParam, debug: (msg: string) => void): MessagesRequest {
  const openai = OPENAI_WIRES.has(target.wire);
  let out = request;
  const change = (patch: Partial<MessagesRequest>): void => void (out = { ...out, ...patch });

  if (target.wire !== RESPONSES_FAMILY && request.tools?.some(isBuiltinTool)) {
    const tools = request.tools.filter((t) => !isBuiltinTool(t));
    debug(`dropped built-in tools ${request.tools.filter(isBuiltinTool).map((t) => t.name).join(', ')}: provider "${target.provider}" (${target.wire}) cannot run them`);
    change(tools.length > 0 ? { tools } : { tools: undefined, tool_choice: undefined });
  }

  const messages = fitReasoning(request.messages, target.wire);
  if (messages !== request.messages) change({ messages });

  if (request.response_format !== undefined && !openai) {
    throw new LynkrError(
      'LYNKR_ERR_REQUEST_INVALID',
      `${formatParam} is not supported by provider "${target.provider}" (${target.wire}): route this request to an OpenAI-compatible provider, or leave ${formatParam} out`,
      { detail: { param: formatParam } },
    );
  }

  if (request.reasoning_effort !== undefined && !openai) {
    const thinking = target.wire === 'anthropic' ? thinkingFor(out, String(request.reasoning_effort)) : undefined;
    change({ reasoning_effort: undefined, ...(thinking && { thinking }) });
  }
  return out === request ? request : withoutUndefined(out);
}

/**
 * A thinking budget for `effort`, or undefined when thinking would make
 * Anthropic refuse the request: the budget must be under `max_tokens`;
 * thinking does not combine with a changed temperature, `top_k`, a
 * `top_p` below 0.95 or a forced tool; and in a tool loop the assistant
 * turn being continued must begin with its thinking, which a turn made
 * without thinking lacks.
 */
export function thinkingFor(request: MessagesRequest, effort: string): ThinkingConfig | undefined {
  const budget = EFFORT_BUDGETS[effort];
  if (budget === undefined || budget < MIN_BUDGET || budget >= request.max_tokens || request.thinking) return undefined;
  if ((request.temperature != null && request.temperature !== 1) || request.top_k != null || (request.top_p != null && request.top_p < 0.95)) return undefined;
  const choice = request.tool_choice?.type;
  if (choice === 'any' || choice === 'tool') return undefined;
  if (continuesUnthinkingToolTurn(request.messages)) return undefined;
  return { type: 'enabled', budget_tokens: budget };
}

function continuesUnthinkingToolTurn(messages: readonly Message[]): boolean {
  const last = messages.at(-1);
  if (last?.role !== 'user' || !Array.isArray(last.content) || !last.content.some((b) => b.type === 'tool_result')) return false;
  const turn = messages.findLast((m) => m.role === 'assistant');
  const first = Array.isArray(turn?.content) ? turn.content[0]?.type : undefined;
  return first !== 'thinking' && first !== 'redacted_thinking';
}

/** The messages with each thinking block sent back to its own family only; the same array when there is none. */
function fitReasoning(messages: Message[], wire: string): Message[] {
  if (!messages.some(isReasoningTurn)) return messages;
  return messages.flatMap((message) => {
    if (!isReasoningTurn(message)) return [message];
    const content = (message.content as Array<ContentBlock | OtherBlock>).flatMap((block) => {
      if (block.type !== 'thinking') return [block];
      const carried = carriedReasoning(block as ThinkingBlock);
      return carried?.family === wire ? [carried.block] : [];
    });
    // An assistant turn that was only reasoning is left out: an empty message is refused upstream.
    return content.length > 0 ? [{ ...message, content }] : [];
  });
}

function isReasoningTurn(m: Message): boolean {
  return m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b) => b.type === 'thinking');
}

/** Fields set to undefined are removed, so that a provider spreading the request sends no trace of them. */
function withoutUndefined(request: MessagesRequest): MessagesRequest {
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  return request;
}
