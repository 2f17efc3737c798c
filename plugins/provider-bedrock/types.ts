/**
 * The parts of Bedrock's Converse wire format (REST JSON) that Lynkr sends
 * and reads. Binary fields (`bytes`, `redactedContent`) are base64 strings
 * on this wire, as in the AWS SDKs' JSON protocol.
 */

export interface CachePoint {
  cachePoint: { type: 'default' };
}

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type DocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

export interface ImagePart {
  image: { format: ImageFormat; source: { bytes: string } };
}

export interface DocumentPart {
  document: { format: DocumentFormat; name: string; source: { bytes: string } };
}

export interface ToolUsePart {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export type ToolResultContent = { text: string } | { json: unknown } | ImagePart | DocumentPart;

export interface ToolResultPart {
  toolResult: { toolUseId: string; content: ToolResultContent[]; status?: 'success' | 'error' };
}

export interface ReasoningPart {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

/** A content block of a Converse message, as sent. */
export type ContentPart = { text: string } | ImagePart | DocumentPart | ToolUsePart | ToolResultPart | ReasoningPart | CachePoint;

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ContentPart[];
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

/** The body of `POST /model/{modelId}/converse` and `/converse-stream`. */
export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: Array<{ text: string } | CachePoint>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: Array<ToolSpec | CachePoint>; toolChoice?: ToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
  additionalModelResponseFieldPaths?: string[];
}

/** Token counts. `inputTokens` excludes the cached ones, as Anthropic's `input_tokens` does. */
export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A content block of an answer: the same shapes as sent, plus what only models write. */
export interface AnswerPart {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
  [other: string]: unknown;
}

/** The body of a Converse answer. */
export interface ConverseResponse {
  output?: { message?: { role?: string; content?: AnswerPart[] } };
  stopReason?: string;
  usage?: ConverseUsage;
  additionalModelResponseFields?: Record<string, unknown>;
}

/** The payloads of ConverseStream's events, by `:event-type`. */
export interface StreamPayloads {
  messageStart: { role?: string };
  contentBlockStart: { contentBlockIndex?: number; start?: { toolUse?: { toolUseId?: string; name?: string } } };
  contentBlockDelta: {
    contentBlockIndex?: number;
    delta?: {
      text?: string;
      toolUse?: { input?: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
      [other: string]: unknown;
    };
  };
  contentBlockStop: { contentBlockIndex?: number };
  messageStop: { stopReason?: string; additionalModelResponseFields?: Record<string, unknown> };
  metadata: { usage?: ConverseUsage };
}
