/**
 * The OpenAI Chat Completions wire format, reduced to the fields Lynkr reads
 * or writes. It is also what vLLM, llama.cpp, LM Studio, Ollama's `/v1` and
 * most hosted gateways speak, each with a few fields of its own (the
 * `reasoning_content` / `reasoning` deltas, for instance).
 */

/** @public */
export interface ChatTextPart {
  type: 'text';
  text: string;
}

/** @public */
export interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** A file inline as a data URL (`file_data`) or by upload id. @public */
export interface ChatFilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
}

/** @public */
export type ChatContentPart = ChatTextPart | ChatImagePart | ChatFilePart;

/** @public */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** @public */
export interface ChatSystemMessage {
  role: 'system' | 'developer';
  content: string | ChatTextPart[];
  name?: string;
}

/** @public */
export interface ChatUserMessage {
  role: 'user';
  content: string | ChatContentPart[];
  name?: string;
}

/** @public */
export interface ChatAssistantMessage {
  role: 'assistant';
  content?: string | ChatTextPart[] | null;
  tool_calls?: ChatToolCall[];
  refusal?: string | null;
  name?: string;
}

/** @public */
export interface ChatToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string | ChatTextPart[];
}

/** @public */
export type ChatMessage = ChatSystemMessage | ChatUserMessage | ChatAssistantMessage | ChatToolMessage;

/** @public */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

/** @public */
export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** @public */
export interface ChatRequest {
  /** Omitted for single-model servers that reject or ignore it. */
  model?: string;
  messages: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  n?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  user?: string;
  [extra: string]: unknown;
}

/** @public */
export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** @public */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** `cached_tokens` is part of `prompt_tokens`, not in addition to it. */
  prompt_tokens_details?: { cached_tokens?: number } | null;
  [extra: string]: unknown;
}

/** @public */
export interface ChatResponseMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ChatToolCall[];
  refusal?: string | null;
  /** Reasoning text, as DeepSeek, vLLM and llama.cpp send it. */
  reasoning_content?: string | null;
  /** Reasoning text, as Ollama and OpenRouter send it. */
  reasoning?: string | null;
}

/** @public */
export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: ChatResponseMessage; finish_reason: ChatFinishReason | null; logprobs?: unknown }>;
  usage?: ChatUsage;
}

/** One call's piece of a stream chunk: `id` and `function.name` come in its first piece only. @public */
export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** @public */
export interface ChatChunkDelta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: ChatToolCallDelta[];
  refusal?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/** @public */
export interface ChatChunkChoice {
  index: number;
  delta: ChatChunkDelta;
  finish_reason: ChatFinishReason | null;
  logprobs?: unknown;
}

/** @public */
export interface ChatErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** @public */
export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** Empty in the usage chunk that `stream_options.include_usage` adds at the end. */
  choices: ChatChunkChoice[];
  usage?: ChatUsage | null;
  /** Some servers (vLLM, OpenRouter) report a failure inside the stream this way. */
  error?: ChatErrorBody;
}

/** The body of an error response. @public */
export interface ChatError {
  error: ChatErrorBody;
}
