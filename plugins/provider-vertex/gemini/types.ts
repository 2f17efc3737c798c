/**
 * The Gemini `generateContent` wire, as far as Lynkr writes and reads it.
 * Vertex AI (`publishers/google/models/...`) and the Gemini API
 * (`generativelanguage.googleapis.com/v1beta/models/...`) share it.
 */

/** A JSON Schema subset in Gemini's (OpenAPI 3.0) dialect; see schema.ts for what is kept. */
export type GeminiSchema = Record<string, unknown>;

export interface GeminiFunctionCall {
  name: string;
  args?: Record<string, unknown>;
  /** Sent by some models; Lynkr matches calls by name and does not rely on it. */
  id?: string;
}

export interface GeminiFunctionResponse {
  name: string;
  /** `output` holds a result, `error` a failure: the convention both APIs document. */
  response: { output: string } | { error: string };
}

/** One part of a content. Exactly one of the data fields is set. */
export interface GeminiPart {
  text?: string;
  /** A thought summary (only when `includeThoughts` was asked). */
  thought?: boolean;
  /** Opaque; Gemini 3 requires it back on the first function call of each step. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** Absent for a tool without parameters: Gemini refuses an OBJECT with no properties. */
  parameters?: GeminiSchema;
}

export interface GeminiThinkingConfig {
  /** Tokens; -1 lets the model decide, 0 turns thinking off where the model allows it. */
  thinkingBudget?: number;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  thinkingConfig?: GeminiThinkingConfig;
}

export type GeminiCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: GeminiCallingMode; allowedFunctionNames?: string[] } };
  generationConfig: GeminiGenerationConfig;
}

export interface GeminiUsage {
  /** The whole prompt, cached part included. */
  promptTokenCount?: number;
  /** The answer, thoughts excluded. */
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  /** `STOP`, `MAX_TOKENS`, `SAFETY`, `RECITATION`, `MALFORMED_FUNCTION_CALL`, ... */
  finishReason?: string;
  index?: number;
}

/** A whole answer, or one chunk of a stream: the same shape. */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  /** Set when the prompt itself was blocked; there are no candidates then. */
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  modelVersion?: string;
  responseId?: string;
  /** Google's error shape, which a stream may carry in place of a chunk. */
  error?: { code?: number; message?: string; status?: string };
}
