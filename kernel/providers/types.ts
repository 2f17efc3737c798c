import type { InvokeCall, InvokeResult } from '../pipeline/types.js';

/**
 * What a model can take. Routing and the codecs read it: a request with
 * images never goes to a model without vision, `max_tokens` is clamped to
 * `maxOutputTokens`, and so on.
 * @public
 */
export interface Capabilities {
  tools: boolean;
  vision: boolean;
  thinking: boolean;
  /** The most output tokens the model produces in one answer. */
  maxOutputTokens: number;
  /** Input plus output tokens the model accepts. */
  contextWindow: number;
}

/** @public */
export interface ModelInfo {
  id: string;
  /** Shown by `/v1/models`. */
  displayName?: string;
  /** The provider that serves it. */
  provider: string;
  createdAt?: string;
}

/**
 * A provider adapter: encodes the IR into its upstream's wire format, calls
 * the upstream and yields IR stream events as bytes arrive.
 * @public
 */
export interface ProviderAdapter {
  /** Provider id used in route decisions and `provider:model` strings (`ollama`, `openai`, ...). */
  id: string;
  /** The upstream wire format, for diagnostics (`openai-chat`, `anthropic`, `ollama`, `bedrock-converse`, ...). */
  wire: string;
  /** The model used when a route names none. */
  defaultModel?: string;
  /** The models this provider offers, for `/v1/models`. */
  models?(): ModelInfo[];
  /**
   * The upstream model for a request whose route names none: the model the
   * client asked for through the provider's model map, else its default.
   * A router that picks only a provider (`router-static` with `target:
   * 'zai'`) calls it so that the decision names the real model.
   */
  resolveModel?(requested: string): string;
  /** What `model` can take; unknown models get conservative defaults. */
  capabilities?(model: string): Capabilities;
  /** Call the upstream. Must stop when the exchange is aborted (`exchange.onAbort`, or `exchange.signal` for fetch-like APIs). */
  invoke(call: InvokeCall): Promise<InvokeResult>;
}

/** @public */
export interface ProviderRegistry {
  register(adapter: ProviderAdapter): void;
  get(id: string): ProviderAdapter | undefined;
  list(): ProviderAdapter[];
}

/** Conservative capabilities for a model nobody described. @public */
export const DEFAULT_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  tools: true,
  vision: false,
  thinking: false,
  maxOutputTokens: 8192,
  contextWindow: 128_000,
});
