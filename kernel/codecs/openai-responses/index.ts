/**
 * The OpenAI Responses codec: requests, answers and streams, both ways
 * between the wire format and the IR.
 */
export type * from './types.js';
export { fromResponsesRequest, toResponsesRequest, type DecodedResponsesRequest, type FromResponsesRequestOptions, type ToResponsesRequestOptions } from './request.js';
export { fromResponsesResponse, toResponsesResponse, type FromResponsesResponseOptions } from './response.js';
export { statusToStopReason, stopReasonToStatus, usageFromResponses, usageToResponses } from './mapping.js';
export { ResponsesStreamEncoder, responsesError, type ToResponsesOptions } from './encoder.js';
export { fromResponsesStream, toResponsesStream, type FromResponsesStreamOptions } from './stream.js';
export { BUILTIN_TOOL, flatToolName, isBuiltinTool, type ResponsesToolNames, type ResponsesToolRef } from './tools.js';
export { carriedReasoning, reasoningContent, RESPONSES_FAMILY, type CarriedReasoning } from './reasoning.js';
export {
  fromResponsesUpstreamResponse,
  fromResponsesUpstreamStream,
  RESPONSES_MIN_OUTPUT_TOKENS,
  toResponsesUpstreamRequest,
  type FromResponsesUpstreamOptions,
} from './upstream.js';
