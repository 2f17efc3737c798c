/**
 * The OpenAI Chat Completions codec: requests, answers and streams, both
 * ways between the wire format and the IR.
 */
export type * from './types.js';
export { ChatRequestError, fromChatRequest, toChatRequest, type ToChatRequestOptions } from './request.js';
export {
  finishReasonToStopReason,
  fromChatResponse,
  stopReasonToFinishReason,
  toChatResponse,
  usageFromChat,
  usageToChat,
  type FromChatResponseOptions,
  type ToChatResponseOptions,
} from './response.js';
export { fromChatStream, toChatStream, type FromChatStreamOptions, type ToChatStreamOptions } from './stream.js';
export {
  CUSTOM_INPUT,
  customInput,
  customText,
  customToolSchema,
  liftCustomTools,
  lowerCustomCalls,
  lowerCustomCallsStream,
  type ChatCustomTool,
  type ChatCustomToolCall,
  type CustomToolFormat,
} from './custom-tools.js';
