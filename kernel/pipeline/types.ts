import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { MessagesRequest, MessagesResponse, StreamEvent, Usage, StopReason } from '../ir/types.js';
import type { LynkrError } from '../errors.js';

/**
 * The closed list of hook stages. Each has exactly one run mode and one error
 * policy (see docs/architecture.md).
 * @public
 */
export const STAGES = ['preRoute', 'route', 'invoke', 'postResponse', 'responseSent', 'toolExec'] as const;

/** @public */
export type StageName = (typeof STAGES)[number];

/** A value or a promise of it: handlers stay synchronous unless they need not to. @public */
export type MaybePromise<T> = T | Promise<T>;

/**
 * One request's context, shared by every stage. Plugins keep per-request
 * state in `state`, keyed by something they own (a symbol), never on the
 * exchange itself.
 * @public
 */
export interface Exchange {
  /** The request id (also the `x-request-id` response header). */
  readonly id: string;
  /** The API surface that decoded the request: `anthropic`, `openai-chat`, `openai-responses`, ... */
  readonly surface: string;
  /** The client's HTTP headers, lower-cased. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /**
   * Aborted when the client goes away or the server shuts down. For fetch and
   * other APIs that take an AbortSignal; to be told of the abort, `onAbort`
   * is cheaper.
   */
  readonly signal: AbortSignal;
  /** Whether the exchange was aborted. */
  readonly aborted: boolean;
  /** Call `listener` once when the exchange is aborted (at once if it was); returns a function that removes it. */
  onAbort(listener: (reason: unknown) => void): () => void;
  /** The team selected by the caller's Lynkr key, if teams are configured. */
  readonly team: string | undefined;
  /**
   * The caller's Lynkr key by a public name (`k_` and 12 hex digits of a
   * hash of the key), when keys are configured: what limits and logs key on.
   * Never the key itself.
   */
  readonly keyId: string | undefined;
  /**
   * The JSON body as the client sent it: its text, and the object parsed
   * from it. A provider on the client's own wire may forward `text` byte for
   * byte when the IR request it is given is still `json` (no plugin replaced
   * it) and it would change nothing.
   */
  readonly body: ClientBody | undefined;
  /** A logger bound to this request's id. */
  readonly log: Logger;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Per-request plugin state. */
  readonly state: Map<unknown, unknown>;
  /** Timings the kernel records; `upstreamMs` is time spent waiting on providers. */
  readonly timings: ExchangeTimings;
  /**
   * The route decision once the route stage has made it (and the one actually
   * used, after an invoke handler such as a fallback changed it): what
   * postResponse and responseSent handlers read to know where the answer came from.
   */
  readonly decision: ResolvedDecision | undefined;
  /** Answer the request from a `preRoute` handler and stop the pipeline. */
  stop(response: MessagesResponse | AsyncIterable<StreamEvent>): Stop;
}

/**
 * Something that can be aborted and says so to listeners: an exchange, or an
 * AbortSignal seen through `createExchange`.
 * @public
 */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason?: unknown;
  onAbort(listener: (reason: unknown) => void): () => void;
}

/** @public */
export interface ClientBody {
  readonly text: string;
  /** The same body as it came, byte for byte: what a passthrough sends on, with no encoding of `text` again. */
  readonly bytes: Buffer;
  readonly json: unknown;
}

/** @public */
export interface ExchangeTimings {
  /** Milliseconds spent inside provider calls before their first event. */
  upstreamMs: number;
}

const STOP = Symbol.for('lynkr.stop');

/** A short-circuit answer returned by a `preRoute` handler. @public */
export interface Stop {
  readonly [STOP]: true;
  readonly response: MessagesResponse | AsyncIterable<StreamEvent>;
}

/** @internal */
export function makeStop(response: MessagesResponse | AsyncIterable<StreamEvent>): Stop {
  return { [STOP]: true, response };
}

/** @internal */
export function isStop(value: unknown): value is Stop {
  return typeof value === 'object' && value !== null && (value as Stop)[STOP] === true;
}

/**
 * Where a request goes. `route` handlers refine it; after the stage it must
 * name a provider and a model.
 * @public
 */
export interface RouteDecision {
  /** Provider id, e.g. `ollama`, `openai`, `azure-anthropic`. */
  provider?: string;
  /** The upstream model id. */
  model: string;
  /** The routing tier, when a tier router made the decision. */
  tier?: string;
  /** Human-readable reasons, appended by each handler that changed something. */
  reasons: string[];
  [extra: string]: unknown;
}

/** A decision that names its provider: what `invoke` receives. @public */
export type ResolvedDecision = RouteDecision & { provider: string };

/** @public */
export interface InvokeCall {
  readonly request: MessagesRequest;
  readonly decision: ResolvedDecision;
  readonly exchange: Exchange;
}

/**
 * What a provider returns: the answer as a lazy stream of IR events. A
 * non-streaming upstream answer is yielded as the equivalent events.
 * @public
 */
export interface InvokeResult {
  events: AsyncIterable<StreamEvent>;
  /** Upstream response headers worth passing on (`request-id`, rate limits). */
  headers?: Record<string, string>;
}

/** @public */
export type PreRouteHandler = (request: MessagesRequest, ex: Exchange) => MaybePromise<MessagesRequest | Stop | void>;

/** @public */
export type RouteHandler = (
  decision: RouteDecision,
  request: MessagesRequest,
  ex: Exchange,
) => MaybePromise<RouteDecision | void>;

/** @public */
export type InvokeNext = (call?: InvokeCall) => Promise<InvokeResult>;

/** @public */
export type InvokeHandler = (call: InvokeCall, next: InvokeNext) => Promise<InvokeResult>;

/**
 * Transforms one stream event: return nothing to keep it, a replacement, an
 * array to expand it into several, or `null` to drop it.
 * @public
 */
export type PostResponseHandler = (
  event: StreamEvent,
  ex: Exchange,
) => MaybePromise<StreamEvent | StreamEvent[] | null | void>;

/** What the kernel knows once an exchange is over. @public */
export interface ExchangeSummary {
  readonly request: MessagesRequest;
  readonly decision: RouteDecision | undefined;
  /** True when a `preRoute` handler answered. */
  readonly stopped: boolean;
  readonly usage: Usage;
  readonly stopReason: StopReason | null;
  /**
   * Set when the exchange failed: an `error` event the answer carried (the
   * upstream's failure mid-stream, `LYNKR_ERR_UPSTREAM_HTTP` with the status
   * its type stands for), a cut or stalled stream, events that ended
   * before `message_stop` (`LYNKR_ERR_UPSTREAM_PROTOCOL`), or a client that
   * went away first (`LYNKR_ERR_CLIENT_ABORTED`).
   */
  readonly error: LynkrError | undefined;
  readonly durationMs: number;
  /**
   * Milliseconds from the request's arrival to the answer's first event (or
   * the whole answer, or its first bytes) reaching the API surface: the
   * time to first byte of a stream. Undefined when no answer came.
   */
  readonly firstEventMs: number | undefined;
}

/** @public */
export type ResponseSentHandler = (summary: ExchangeSummary, ex: Exchange) => MaybePromise<void>;

/** A tool call to run on the server side. @public */
export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** @public */
export interface ToolResult {
  content: string | Array<{ type: string; [extra: string]: unknown }>;
  isError?: boolean;
}

/** @public */
export type ToolExecOutcome =
  | { status: 'denied'; reason: string; plugin: string }
  | { status: 'done'; result: ToolResult; plugin: string }
  | { status: 'unhandled' };

/** A guard: runs before any executor; the first deny stops the call. @public */
export interface ToolGuard {
  guard(call: ToolCall, ex: Exchange): MaybePromise<{ deny: string } | void>;
}

/** An executor: the first that owns the tool runs it. @public */
export interface ToolExecutor {
  owns(call: ToolCall): boolean;
  execute(call: ToolCall, ex: Exchange): MaybePromise<ToolResult>;
}

/** @public */
export type ToolExecHandler = ToolGuard | ToolExecutor;

/** @public */
export interface StageHandlers {
  preRoute: PreRouteHandler;
  route: RouteHandler;
  invoke: InvokeHandler;
  postResponse: PostResponseHandler;
  responseSent: ResponseSentHandler;
  toolExec: ToolExecHandler;
}

/** The one ordering knob: config order, then `pre` handlers first and `post` handlers last. @public */
export interface HookOptions {
  order?: 'pre' | 'post';
}
