/**
 * Lynkr's public API: what plugins and configs import from `'lynkr'`.
 * @packageDocumentation
 */

// Plugin contract (TypeBox is re-exported so plugins build option schemas with the kernel's own copy)
export { Type, Compile } from './util/typebox.js';
export type { Static, TSchema, TObject, TLocalizedValidationError } from './util/typebox.js';
export { definePlugin } from './plugin/define.js';
export type { PluginDefinition, PluginFactory, PluginInstance, PluginLifecycle, PluginOptionsInput } from './plugin/define.js';
export { createServiceRef } from './plugin/services.js';
export type { ServiceRef } from './plugin/services.js';
export type {
  PluginContext,
  HookRegistry,
  ServiceRegistry,
  HttpRegistry,
  RouteSpec,
  HttpMethod,
  ErrorRenderer,
  PipelineApi,
  PipelineResult,
} from './plugin/context.js';

// Pipeline
export { STAGES } from './pipeline/types.js';
export { createExchange } from './pipeline/exchange.js';
export type { ExchangeInit } from './pipeline/exchange.js';
export type {
  StageName,
  StageHandlers,
  HookOptions,
  Exchange,
  ExchangeTimings,
  ClientBody,
  AbortSource,
  ExchangeSummary,
  Stop,
  RouteDecision,
  ResolvedDecision,
  InvokeCall,
  InvokeResult,
  InvokeNext,
  PreRouteHandler,
  RouteHandler,
  InvokeHandler,
  PostResponseHandler,
  ResponseSentHandler,
  ToolCall,
  ToolResult,
  ToolExecOutcome,
  ToolGuard,
  ToolExecutor,
  ToolExecHandler,
  MaybePromise,
} from './pipeline/types.js';

// Providers and wrap targets
export { DEFAULT_CAPABILITIES } from './providers/types.js';
export { mapModel, pickModel, resolveModel } from './providers/models.js';
export { anthropicMessagesAdapter } from './adapters/anthropic.js';
export type { AnthropicAdapterSettings } from './adapters/anthropic.js';
export { openaiChatAdapter } from './adapters/openai-chat.js';
export type { ChatAdapterSettings } from './adapters/openai-chat.js';
export { openaiResponsesAdapter } from './adapters/openai-responses.js';
export type { ResponsesAdapterSettings } from './adapters/openai-responses.js';
export type { ModelMap } from './providers/models.js';
export type { ProviderAdapter, ProviderRegistry, Capabilities, ModelInfo } from './providers/types.js';
export type { WrapTarget, WrapRegistry, WrapPrepareOptions, WrapLaunch } from './wrap/types.js';

// Config
export { defineConfig } from './config/define.js';
export { loadConfig, resolveConfig } from './config/load.js';
export type { LoadOptions } from './config/load.js';
export type { LynkrConfig, PluginEntry, TeamConfig, ServerConfig, LogConfig, ResolvedConfig } from './config/schema.js';
export { defaults, configFromEnv, envOverrides } from '../config/env.js';
export type { Env } from '../config/env.js';

// Kernel
export { createKernel } from './kernel.js';
export type { Kernel, KernelOptions, BootRecord } from './kernel.js';
export { KERNEL_VERSION, LYNKR_VERSION } from './version.js';

// Errors
export { LynkrError, ERRORS, isLynkrError, toLynkrError } from './errors.js';
export type { ErrorCode, LynkrErrorOptions } from './errors.js';
export { errorFromStreamError, errorTypeForStatus, statusForErrorType } from './http/errors.js';

// Writing answers (shared by the API surfaces)
export { answerHeaders, overheadMs, sendAnswer } from './http/answer.js';
export { streamAnswer } from './http/sse-response.js';
export type { SseEncoding, StreamAnswerOptions } from './http/sse-response.js';

// Prices per million tokens (config/prices.json), for plugins that put a cost on tokens
export { loadPriceFile, modelKeys, priceFilePath, PriceTable } from './pricing.js';
export type { Price, PriceFile } from './pricing.js';

// Logging helpers
export { maskSecrets, isSecretKey } from './log/index.js';

// IR, streams and codecs (the OpenAI Chat Completions codec is shared by every OpenAI-style provider and front door)
export * from './ir/index.js';
export * from './codecs/openai-chat/index.js';
export * from './upstream/index.js';
export * from './codecs/openai-responses/index.js';
