/**
 * Ollama's native chat API (`POST /api/chat`), as far as Lynkr speaks it.
 * Fields Lynkr neither sends nor reads are left out.
 */

/** A tool call as Ollama writes it: whole, its arguments an object. Newer servers add an `id` and `function.index`. */
export interface OllamaToolCall {
  id?: string;
  type?: 'function';
  function: {
    index?: number;
    name: string;
    /** An object; a few servers and proxies send the JSON text instead. */
    arguments?: Record<string, unknown> | string;
  };
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Base64 image data, without a `data:` prefix. */
  images?: string[];
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  /** On a `tool` message: the name of the tool whose result it is (how Ollama pairs results with calls). */
  tool_name?: string;
  /** On a `tool` message: the call's id, read by servers that keep call ids and ignored by the others. */
  tool_call_id?: string;
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** Sampling and runtime options: the request's `options` object. */
export interface OllamaOptions {
  num_ctx?: number;
  /** The output limit: Anthropic's `max_tokens`. */
  num_predict?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  [extra: string]: unknown;
}

/** `true`/`false`, or an effort level for the models that take one (gpt-oss). */
export type OllamaThink = boolean | 'low' | 'medium' | 'high';

export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  tools?: OllamaTool[];
  /** Ollama streams unless told not to: always sent. */
  stream: boolean;
  think?: OllamaThink;
  /** A duration (`"5m"`, `"1h"`) or seconds; `0` unloads the model after the answer, `-1` keeps it loaded. */
  keep_alive?: string | number;
  /** `"json"`, or a JSON schema the answer must follow. */
  format?: 'json' | Record<string, unknown>;
  options?: OllamaOptions;
}

/**
 * One NDJSON line of a stream, or the whole answer when `stream` is false.
 * The last line has `done: true`, the stop reason and the counts.
 */
export interface OllamaChatChunk {
  model?: string;
  created_at?: string;
  message?: { role?: string; content?: string; thinking?: string; tool_calls?: OllamaToolCall[] };
  done?: boolean;
  /** `stop`, `length`, `load`, `unload`. */
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  /** An error inside a 200 answer or in the middle of a stream. */
  error?: string | { message?: string };
}
