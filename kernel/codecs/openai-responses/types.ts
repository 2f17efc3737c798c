/**
 * The OpenAI Responses wire format, reduced to the fields Lynkr reads or
 * writes. Codex CLI speaks only this; newer OpenAI and Azure OpenAI models
 * are served through it too.
 */

/** @public */
export interface ResponsesInputText {
  type: 'input_text';
  text: string;
}

/** An image by URL (a data URL for inline bytes) or by upload id. @public */
export interface ResponsesInputImage {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
  detail?: 'auto' | 'low' | 'high';
}

/** A file inline as a data URL (`file_data`), by URL or by upload id. @public */
export interface ResponsesInputFile {
  type: 'input_file';
  file_data?: string;
  file_id?: string | null;
  file_url?: string;
  filename?: string;
}

/** @public */
export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations?: unknown[];
  logprobs?: unknown[];
}

/** @public */
export interface ResponsesRefusal {
  type: 'refusal';
  refusal: string;
}

/** @public */
export type ResponsesInputContent = ResponsesInputText | ResponsesInputImage | ResponsesInputFile;

/** @public */
export type ResponsesContent = ResponsesInputContent | ResponsesOutputText | ResponsesRefusal;

/**
 * A message: `type` is optional on input (the "easy" form), and `content`
 * may be a plain string there.
 * @public
 */
export interface ResponsesMessageItem {
  type?: 'message';
  id?: string;
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | ResponsesContent[];
  status?: ResponsesItemStatus;
}

/** @public */
export type ResponsesItemStatus = 'in_progress' | 'completed' | 'incomplete';

/**
 * A call of a function tool. `namespace` names the `namespace` tool the
 * function belongs to, when it belongs to one.
 * @public
 */
export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status?: ResponsesItemStatus;
}

/** @public */
export interface ResponsesFunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | ResponsesInputContent[];
  status?: ResponsesItemStatus;
}

/** A call of a `custom` (free-form input) tool. @public */
export interface ResponsesCustomToolCallItem {
  type: 'custom_tool_call';
  id?: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
  status?: ResponsesItemStatus;
}

/** @public */
export interface ResponsesCustomToolCallOutputItem {
  type: 'custom_tool_call_output';
  id?: string;
  call_id: string;
  output: string | ResponsesInputContent[];
}

/** @public */
export interface ResponsesSummaryText {
  type: 'summary_text';
  text: string;
}

/**
 * The model's reasoning: a readable summary, and with
 * `include: ["reasoning.encrypted_content"]` the opaque state the same
 * model family reads back on a later turn.
 * @public
 */
export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: ResponsesSummaryText[];
  encrypted_content?: string | null;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  status?: ResponsesItemStatus;
}

/** @public */
export type ResponsesInputItem =
  | ResponsesMessageItem
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | ResponsesCustomToolCallItem
  | ResponsesCustomToolCallOutputItem
  | ResponsesReasoningItem;

/** @public */
export interface ResponsesOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ResponsesItemStatus;
  content: Array<ResponsesOutputText | ResponsesRefusal>;
}

/** What a response's `output` holds. @public */
export type ResponsesOutputItem =
  | ResponsesOutputMessage
  | (ResponsesFunctionCallItem & { id: string; status: ResponsesItemStatus })
  | (ResponsesCustomToolCallItem & { id: string; status: ResponsesItemStatus })
  | (ResponsesReasoningItem & { id: string });

/** @public */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

/** A tool whose input is free text (optionally constrained by a grammar) rather than JSON. @public */
export interface ResponsesCustomTool {
  type: 'custom';
  name: string;
  description?: string;
  format?: Record<string, unknown>;
}

/** Function and custom tools grouped under a name the model calls them by. @public */
export interface ResponsesNamespaceTool {
  type: 'namespace';
  name: string;
  description?: string;
  tools: Array<ResponsesFunctionTool | ResponsesCustomTool>;
}

/** A tool OpenAI runs itself (`web_search`, `file_search`, `code_interpreter`, ...). @public */
export interface ResponsesBuiltinTool {
  type: string;
  [extra: string]: unknown;
}

/** @public */
export type ResponsesTool = ResponsesFunctionTool | ResponsesCustomTool | ResponsesNamespaceTool | ResponsesBuiltinTool;

/** @public */
export type ResponsesToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function' | 'custom'; name: string; namespace?: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: Array<{ type: string; name?: string; [extra: string]: unknown }> }
  | { type: string; [extra: string]: unknown };

/** @public */
export type ResponsesReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** @public */
export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null };

/** @public */
export interface ResponsesRequest {
  model?: string;
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning?: { effort?: ResponsesReasoningEffort | null; summary?: string | null } | null;
  text?: { format?: ResponsesTextFormat; verbosity?: string | null } | null;
  store?: boolean | null;
  stream?: boolean | null;
  previous_response_id?: string | null;
  include?: string[] | null;
  user?: string;
  metadata?: Record<string, string> | null;
  [extra: string]: unknown;
}

/**
 * Token usage. `input_tokens` includes the cached tokens that
 * `input_tokens_details.cached_tokens` counts.
 * @public
 */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** @public */
export type ResponsesStatus = 'completed' | 'incomplete' | 'failed' | 'in_progress' | 'queued' | 'cancelled';

/** @public */
export interface ResponsesError {
  code: string;
  message: string;
}

/** The `Response` object. @public */
export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  error: ResponsesError | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: ResponsesReasoningEffort | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: ResponsesTextFormat };
  tool_choice: ResponsesToolChoice;
  tools: ResponsesTool[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage: ResponsesUsage | null;
  user: string | null;
  metadata: Record<string, string>;
  [extra: string]: unknown;
}

/** Common to every stream event. */
interface Sequenced {
  sequence_number: number;
}

/** Distributes over a union of event names, so that each name is its own member of the event union. */
type Each<T extends string, Body> = T extends string ? Sequenced & { type: T } & Body : never;

type ItemAt = { item_id: string; output_index: number };

/** @public */
export type ResponsesStreamEvent =
  | Each<'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed', { response: ResponsesResponse }>
  | Each<'response.output_item.added' | 'response.output_item.done', { output_index: number; item: ResponsesOutputItem }>
  | Each<'response.content_part.added' | 'response.content_part.done', ItemAt & { content_index: number; part: ResponsesOutputText | ResponsesRefusal }>
  | Each<'response.output_text.delta', ItemAt & { content_index: number; delta: string; logprobs: unknown[] }>
  | Each<'response.output_text.done', ItemAt & { content_index: number; text: string; logprobs: unknown[] }>
  | Each<'response.function_call_arguments.delta', ItemAt & { delta: string }>
  | Each<'response.function_call_arguments.done', ItemAt & { name: string; arguments: string }>
  | Each<'response.custom_tool_call_input.delta', ItemAt & { delta: string }>
  | Each<'response.custom_tool_call_input.done', ItemAt & { input: string }>
  | Each<'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done', ItemAt & { summary_index: number; part: ResponsesSummaryText }>
  | Each<'response.reasoning_summary_text.delta', ItemAt & { summary_index: number; delta: string }>
  | Each<'response.reasoning_summary_text.done', ItemAt & { summary_index: number; text: string }>
  | Each<'error', { code: string | null; message: string; param: string | null }>;

/** @public */
export type ResponsesStreamEventType = ResponsesStreamEvent['type'];
