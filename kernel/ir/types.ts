/**
 * The IR: Lynkr's one canonical form of a model exchange, which is the
 * Anthropic Messages API (request, response, stream events). Every other wire
 * format is a codec to and from these types.
 *
 * Fields Lynkr does not interpret are kept (index signatures) so that a
 * request can pass through to an Anthropic-family upstream unchanged.
 */

/** @public */
export type Role = 'user' | 'assistant';

/** @public */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** @public */
export interface TextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
  citations?: unknown[] | null;
  [extra: string]: unknown;
}

/** @public */
export type ImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string };

/** @public */
export interface ImageBlock {
  type: 'image';
  source: ImageSource;
  cache_control?: CacheControl;
  [extra: string]: unknown;
}

/** @public */
export interface DocumentBlock {
  type: 'document';
  source: Record<string, unknown>;
  cache_control?: CacheControl;
  [extra: string]: unknown;
}

/** @public */
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
  cache_control?: CacheControl;
  [extra: string]: unknown;
}

/** @public */
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<TextBlock | ImageBlock | DocumentBlock>;
  is_error?: boolean;
  cache_control?: CacheControl;
  [extra: string]: unknown;
}

/** @public */
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
  [extra: string]: unknown;
}

/** @public */
export interface RedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
  [extra: string]: unknown;
}

/** Server tools and future block types pass through untouched. @public */
export interface OtherBlock {
  type: string;
  [extra: string]: unknown;
}

/** @public */
export type ContentBlock =
  | TextBlock
  | ImageBlock
  | DocumentBlock
  | ToolUseBlock
  | ToolResultBlock
  | ThinkingBlock
  | RedactedThinkingBlock;

/**
 * A message of the conversation. `role: "system"` is accepted inside
 * `messages` because Claude Code sends mid-conversation system messages.
 * @public
 */
export interface Message {
  role: Role | 'system';
  content: string | Array<ContentBlock | OtherBlock>;
  [extra: string]: unknown;
}

/** @public */
export interface Tool {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  /** Server tools (`web_search_20250305`, ...) carry a type. */
  type?: string;
  cache_control?: CacheControl;
  [extra: string]: unknown;
}

/** @public */
export type ToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** @public */
export type ThinkingConfig =
  | { type: 'enabled'; budget_tokens: number }
  | { type: 'disabled' }
  | { type: 'adaptive'; [extra: string]: unknown };

/** @public */
export interface MessagesRequest {
  model: string;
  messages: Message[];
  max_tokens: number;
  system?: string | TextBlock[];
  stream?: boolean;
  tools?: Tool[];
  tool_choice?: ToolChoice;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  thinking?: ThinkingConfig;
  metadata?: { user_id?: string | null; [extra: string]: unknown };
  [extra: string]: unknown;
}

/**
 * The body of `/v1/messages/count_tokens`: a Messages request whose
 * `max_tokens` is optional.
 * @public
 */
export type CountTokensRequest = { [K in keyof MessagesRequest as K extends 'max_tokens' ? never : K]: MessagesRequest[K] } & {
  max_tokens?: number;
};

/** @public */
export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal';

/**
 * Token usage. `input_tokens` excludes cached tokens: cache reads and writes
 * are counted separately.
 * @public
 */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [extra: string]: unknown;
}

/** @public */
export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<ContentBlock | OtherBlock>;
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
  [extra: string]: unknown;
}

/** @public */
export type ContentDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'citations_delta'; citation: unknown };

/** @public */
export interface ErrorBody {
  type: string;
  message: string;
}

/** @public */
export type StreamEvent =
  | { type: 'message_start'; message: MessagesResponse }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock | OtherBlock }
  | { type: 'content_block_delta'; index: number; delta: ContentDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: StopReason | null; stop_sequence: string | null; [extra: string]: unknown };
      usage: Partial<Usage> & { output_tokens: number };
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: ErrorBody };

/** @public */
export type StreamEventType = StreamEvent['type'];
