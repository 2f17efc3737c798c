import type { FastifyReply, FastifyRequest } from 'fastify';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { LynkrError } from '../errors.js';
import type { MessagesRequest, StreamEvent } from '../ir/types.js';
import type {
  Exchange,
  HookOptions,
  RouteDecision,
  StageHandlers,
  StageName,
  ToolCall,
  ToolExecOutcome,
} from '../pipeline/types.js';
import type { ProviderRegistry } from '../providers/types.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { ServiceRef } from './services.js';
import type { WrapRegistry } from '../wrap/types.js';

/** @public */
export interface HookRegistry {
  /** Register a handler; returns a function that removes it. */
  on<S extends StageName>(stage: S, handler: StageHandlers[S], options?: HookOptions): () => void;
}

/** @public */
export interface ServiceRegistry {
  /** Provide a service; the factory runs once, on first resolve. */
  provide<T>(ref: ServiceRef<T>, factory: () => T): void;
  /** Resolve a service another plugin provides (list that plugin in `dependsOn`). */
  resolve<T>(ref: ServiceRef<T>): T;
  /** Like resolve, but `undefined` when nobody provides it (for optional collaborations). */
  tryResolve<T>(ref: ServiceRef<T>): T | undefined;
}

/**
 * Renders an error for a client in its API's shape. API plugins give one per
 * route so that kernel errors (auth, body too large) reach each client as it
 * expects them.
 * @public
 */
export type ErrorRenderer = (error: LynkrError, ex: { id: string }) => { status: number; body: unknown; headers?: Record<string, string> };

/** @public */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** @public */
export interface RouteSpec {
  method: HttpMethod | HttpMethod[];
  url: string;
  /** Require a Lynkr key when keys are configured (default true). */
  auth?: boolean;
  /** The API surface name recorded on the exchange (default: the plugin's name). */
  surface?: string;
  /** Render errors in this route's client format. */
  renderError?: ErrorRenderer;
  /** Maximum body size in bytes (default: `server.bodyLimit`). */
  bodyLimit?: number;
  handler(request: FastifyRequest, reply: FastifyReply, ex: Exchange): unknown;
}

/** @public */
export interface HttpRegistry {
  route(spec: RouteSpec): void;
}

/** The result of running a request through the pipeline. @public */
export interface PipelineResult {
  /** The answer as a lazy stream of IR events: iterate it exactly once. */
  events: AsyncIterable<StreamEvent>;
  /** The final route decision (undefined when a `preRoute` handler answered). */
  decision: RouteDecision | undefined;
  /** Headers for the client: `x-lynkr-*` and the upstream's pass-through headers. */
  headers: Record<string, string>;
}

/** @public */
export interface PipelineApi {
  /**
   * Run a decoded request through preRoute, route, invoke and postResponse.
   * Rejects with a LynkrError before the first event; errors after it come out
   * of the event iterator. responseSent observers run when the events end.
   */
  handle(request: MessagesRequest, ex: Exchange): Promise<PipelineResult>;
  /**
   * Run preRoute and route only: where the request would go, and why, without
   * calling a model (`lynkr route`). `answeredBy` names a preRoute plugin that
   * would answer the request itself.
   */
  decide(request: MessagesRequest, ex: Exchange): Promise<{ request: MessagesRequest; decision: RouteDecision | undefined; answeredBy: string | undefined }>;
  /** Run a tool call through the toolExec stage: guards, then the first executor that owns it. */
  execTool(call: ToolCall, ex: Exchange): Promise<ToolExecOutcome>;
}

/**
 * What a plugin's setup receives. Small on purpose: no fastify instance, no
 * container.
 * @public
 */
export interface PluginContext {
  /** The plugin's name. */
  readonly name: string;
  /** A pino child logger named after the plugin. */
  readonly log: Logger;
  /** The effective config, read only. */
  readonly config: ResolvedConfig;
  readonly hooks: HookRegistry;
  readonly services: ServiceRegistry;
  readonly providers: ProviderRegistry;
  readonly wrap: WrapRegistry;
  readonly http: HttpRegistry;
  readonly pipeline: PipelineApi;
  /** A keyv store namespaced by the plugin's name (SQLite by default, Redis when configured). */
  readonly store: Keyv;
}
