import type { Logger } from 'pino';
import { LynkrError, isLynkrError } from '../errors.js';
import type { MessagesRequest, MessagesResponse, StreamEvent } from '../ir/types.js';
import { messageStream } from '../ir/stream.js';
import { ResponseStream, transformFor } from './response-stream.js';
import { setDecision } from './exchange.js';
import type { PipelineResult } from '../plugin/context.js';
import type { ProviderLookup } from '../providers/registry.js';
import type { CompiledStages, HookBus } from './hook-bus.js';
import {
  isStop,
  type Exchange,
  type ExchangeSummary,
  type InvokeCall,
  type InvokeResult,
  type ResolvedDecision,
  type RouteDecision,
  type StageName,
  type ToolCall,
  type ToolExecOutcome,
  type ToolExecutor,
  type ToolGuard,
} from './types.js';

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

/**
 * Attach the plugin and stage to an error thrown by a hook. A LynkrError keeps
 * its code and status (a policy's 403 stays a 403); anything else becomes
 * LYNKR_ERR_HOOK_FAILED.
 */
export function hookError(error: unknown, plugin: string, stage: StageName): LynkrError {
  if (isLynkrError(error)) {
    if (error.plugin !== undefined) return error;
    return new LynkrError(error.code, `plugin "${plugin}" (${stage}): ${error.message}`, {
      cause: error.cause ?? error,
      status: error.status,
      plugin,
      stage,
      headers: error.headers,
      detail: error.detail,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LynkrError('LYNKR_ERR_HOOK_FAILED', `plugin "${plugin}" failed in ${stage}: ${message}`, { cause: error, plugin, stage });
}

/**
 * Runs the responseSent observers after the client has its answer, batched:
 * one `setImmediate` per event-loop turn runs every exchange that ended in
 * it, so that even a slow synchronous observer never delays a response, and
 * an idle pipeline costs nothing. Shutdown waits for the queue and for the
 * observers' promises.
 */
export class ObserverTracker {
  readonly #pending = new Set<Promise<unknown>>();
  #queue: Array<() => Promise<unknown> | undefined> = [];
  /** Made only when drain() waits for a flush: the request path never pays for it. */
  #flushed: { promise: Promise<void>; resolve: () => void } | undefined;

  /** Run `job` on the next turn; it may return a promise to wait for. */
  defer(job: () => Promise<unknown> | undefined): void {
    this.#queue.push(job);
    if (this.#queue.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const jobs = this.#queue;
    this.#queue = [];
    for (const job of jobs) {
      const p = job();
      if (p) {
        this.#pending.add(p);
        void p.finally(() => this.#pending.delete(p));
      }
    }
    const flushed = this.#flushed;
    this.#flushed = undefined;
    flushed?.resolve();
  }

  async drain(): Promise<void> {
    while (this.#queue.length || this.#pending.size) {
      if (this.#queue.length) {
        if (!this.#flushed) {
          let resolve!: () => void;
          const promise = new Promise<void>((r) => (resolve = r));
          this.#flushed = { promise, resolve };
        }
        await this.#flushed.promise;
      }
      await Promise.allSettled([...this.#pending]);
    }
  }
}

const ZERO_USAGE = Object.freeze({ input_tokens: 0, output_tokens: 0 });

/**
 * Drives one request through the stages. One instance per kernel; it reads
 * the compiled handler lists for the request's team, so the per-request cost
 * is the handlers themselves plus a few closures.
 */
export class PipelineRunner {
  /**
   * A provider's own LynkrErrors on their way up the invoke chain. A handler
   * that rethrows one (a retry that gave up) passes it on unchanged: the
   * failure is the upstream's, and its message is what the client reads.
   */
  readonly #fromProvider = new WeakSet<LynkrError>();

  constructor(
    private readonly bus: HookBus,
    private readonly providers: ProviderLookup,
    private readonly observers: ObserverTracker,
    private readonly log: Logger,
  ) {}

  handle(request: MessagesRequest, ex: Exchange): Promise<PipelineResult> {
    const stages = this.bus.stages(ex.team);
    try {
      const pre = this.#preRoute(stages.preRoute, request, ex, 0);
      return isPromise(pre) ? pre.then((r) => this.#afterPreRoute(stages, r, ex)) : this.#afterPreRoute(stages, pre, ex);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** preRoute and route only: where a request would go, without calling a model. */
  async decide(request: MessagesRequest, ex: Exchange): Promise<RouteOutcome> {
    const stages = this.bus.stages(ex.team);
    let pre = this.#preRoute(stages.preRoute, request, ex, 0);
    if (isPromise(pre)) pre = await pre;
    if (pre.stop) return { request: pre.request, decision: undefined, answeredBy: pre.by };
    let decision = this.#route(stages.route, pre.request, ex);
    if (isPromise(decision)) decision = await decision;
    setDecision(ex, decision);
    return { request: pre.request, decision, answeredBy: undefined };
  }

  async execTool(call: ToolCall, ex: Exchange): Promise<ToolExecOutcome> {
    const handlers = this.bus.stages(ex.team).toolExec;
    for (const r of handlers) {
      if (!('guard' in r.handler)) continue;
      let verdict: { deny: string } | void;
      try {
        verdict = await (r.handler as ToolGuard).guard(call, ex);
      } catch (error) {
        throw hookError(error, r.plugin, 'toolExec');
      }
      if (verdict && typeof verdict.deny === 'string') return { status: 'denied', reason: verdict.deny, plugin: r.plugin };
    }
    for (const r of handlers) {
      const executor = r.handler as Partial<ToolExecutor>;
      if (typeof executor.owns !== 'function' || typeof executor.execute !== 'function') continue;
      try {
        if (!executor.owns(call)) continue;
        return { status: 'done', result: await executor.execute(call, ex), plugin: r.plugin };
      } catch (error) {
        throw hookError(error, r.plugin, 'toolExec');
      }
    }
    return { status: 'unhandled' };
  }

  /** Waterfall; synchronous until a handler returns a promise. */
  #preRoute(
    handlers: CompiledStages['preRoute'],
    request: MessagesRequest,
    ex: Exchange,
    from: number,
  ): PreRouteOutcome | Promise<PreRouteOutcome> {
    let current = request;
    for (let i = from; i < handlers.length; i++) {
      const r = handlers[i]!;
      let out;
      try {
        out = r.handler(current, ex);
      } catch (error) {
        throw hookError(error, r.plugin, 'preRoute');
      }
      if (isPromise(out)) {
        return out.then(
          (value) => {
            if (isStop(value)) return { request: current, stop: value.response, by: r.plugin };
            return this.#preRoute(handlers, (value as MessagesRequest | undefined) ?? current, ex, i + 1);
          },
          (error: unknown) => {
            throw hookError(error, r.plugin, 'preRoute');
          },
        );
      }
      if (isStop(out)) return { request: current, stop: out.response, by: r.plugin };
      if (out) current = out;
    }
    return { request: current };
  }

  #afterPreRoute(stages: CompiledStages, pre: PreRouteOutcome, ex: Exchange): Promise<PipelineResult> {
    const { request } = pre;
    if (pre.stop) {
      ex.log.debug({ plugin: pre.by }, 'answered in preRoute');
      const events = Symbol.asyncIterator in pre.stop ? pre.stop : messageStream(pre.stop);
      return Promise.resolve({
        events: this.#respond(stages, events, request, undefined, true, ex),
        decision: undefined,
        headers: { 'x-lynkr-provider': 'lynkr', 'x-lynkr-model': request.model },
      });
    }
    const routed = this.#route(stages.route, request, ex);
    return isPromise(routed) ? routed.then((decision) => this.#invoke(stages, request, decision, ex)) : this.#invoke(stages, request, routed, ex);
  }

  /** The around-chain: each handler wraps next(); the innermost calls the chosen provider. */
  #invoke(stages: CompiledStages, request: MessagesRequest, decision: ResolvedDecision, ex: Exchange): Promise<PipelineResult> {
    let used = decision;
    setDecision(ex, decision);
    const invokeHandlers = stages.invoke;
    const dispatch = (i: number, call: InvokeCall): Promise<InvokeResult> => {
      if (i === invokeHandlers.length) {
        used = call.decision;
        setDecision(ex, used);
        return this.#callProvider(call);
      }
      const r = invokeHandlers[i]!;
      let inner: Promise<InvokeResult> | undefined;
      const next = (nextCall?: InvokeCall) => (inner = dispatch(i + 1, nextCall ?? call));
      let out: Promise<InvokeResult>;
      try {
        out = r.handler(call, next);
      } catch (error) {
        return Promise.reject(hookError(error, r.plugin, 'invoke'));
      }
      // A handler that hands back what next() gave it cannot have added an error of its own: what
      // rejects it was attributed deeper, so it needs no extra promise layer (the common no-op case).
      if (out === inner) return out;
      return Promise.resolve(out).catch((error: unknown) => {
        throw isLynkrError(error) && this.#fromProvider.has(error) ? error : hookError(error, r.plugin, 'invoke');
      });
    };
    return dispatch(0, { request, decision, exchange: ex }).then((result) => ({
      events: this.#respond(stages, result.events, request, used, false, ex),
      decision: used,
      headers: decisionHeaders(used, result.headers),
    }));
  }

  /** Refine the decision through every handler; synchronous until a handler returns a promise. */
  #route(
    handlers: CompiledStages['route'],
    request: MessagesRequest,
    ex: Exchange,
    from = 0,
    decision: RouteDecision = { model: request.model, reasons: [] },
  ): ResolvedDecision | Promise<ResolvedDecision> {
    for (let i = from; i < handlers.length; i++) {
      const r = handlers[i]!;
      let out;
      try {
        out = r.handler(decision, request, ex);
      } catch (error) {
        throw hookError(error, r.plugin, 'route');
      }
      if (isPromise(out)) {
        const current = decision;
        return out.then(
          (value) => this.#route(handlers, request, ex, i + 1, value ?? current),
          (error: unknown) => {
            throw hookError(error, r.plugin, 'route');
          },
        );
      }
      if (out) decision = out;
    }
    if (!decision.provider) {
      throw new LynkrError('LYNKR_ERR_ROUTE_NO_PROVIDER', 'no route handler chose a provider for this request (enable router-static or router-tiers, or set MODEL_PROVIDER)');
    }
    return decision as ResolvedDecision;
  }

  #callProvider(call: InvokeCall): Promise<InvokeResult> {
    const id = call.decision.provider;
    const entry = this.providers.lookup(id, call.exchange.team);
    if (!entry) {
      return Promise.reject(
        new LynkrError('LYNKR_ERR_ROUTE_UNKNOWN_PROVIDER', `the route chose provider "${id}", which no enabled plugin provides (known: ${this.providers.ids(call.exchange.team).join(', ') || 'none'})`),
      );
    }
    const timings = call.exchange.timings as { upstreamMs: number };
    const started = performance.now();
    const settle = (): void => void (timings.upstreamMs += performance.now() - started);
    let pending: Promise<InvokeResult>;
    try {
      pending = entry.adapter.invoke(call);
    } catch (error) {
      settle();
      return Promise.reject(this.#providerError(error, entry.plugin));
    }
    return pending.then(
      (result) => (settle(), result),
      (error: unknown) => {
        settle();
        throw this.#providerError(error, entry.plugin);
      },
    );
  }

  /** A provider's LynkrError as it is (remembered, so invoke handlers pass it on); anything else names the provider's plugin. */
  #providerError(error: unknown, plugin: string): LynkrError {
    if (!isLynkrError(error)) return hookError(error, plugin, 'invoke');
    this.#fromProvider.add(error);
    return error;
  }

  /** The answer's events through postResponse, ending with the responseSent observers. */
  #respond(
    stages: CompiledStages,
    source: AsyncIterable<StreamEvent>,
    request: MessagesRequest,
    decision: RouteDecision | undefined,
    stopped: boolean,
    ex: Exchange,
  ): ResponseStream {
    const transform = transformFor(stages.postResponse, ex, (error, plugin) => hookError(error, plugin, 'postResponse'));
    return new ResponseStream(source, transform, (end) => {
      const handlers = stages.responseSent;
      if (!handlers.length) return;
      const durationMs = performance.now() - ex.startedAt;
      // The summary is made in the deferred job, the answer read there too: nothing of it is on the way to the client's answer.
      this.observers.defer(() => {
        const { answer: answered, firstAt, error } = end();
        const summary: ExchangeSummary = {
          request,
          decision,
          stopped,
          usage: answered?.usage ?? ZERO_USAGE,
          stopReason: answered?.stop_reason ?? null,
          error,
          durationMs,
          firstEventMs: firstAt > 0 ? firstAt - ex.startedAt : undefined,
        };
        return this.#observe(handlers, summary, ex);
      });
    });
  }

  /** Run the observers of one exchange; a promise when some of them are still at work. */
  #observe(handlers: CompiledStages['responseSent'], summary: ExchangeSummary, ex: Exchange): Promise<unknown> | undefined {
    let pending: Array<Promise<unknown>> | undefined;
    for (const r of handlers) {
      try {
        const out = r.handler(summary, ex);
        if (isPromise(out)) (pending ??= []).push(out.catch((error: unknown) => this.#observerFailed(r.plugin, error, ex)));
      } catch (error) {
        this.#observerFailed(r.plugin, error, ex);
      }
    }
    return pending && Promise.all(pending);
  }

  #observerFailed(plugin: string, error: unknown, ex: Exchange): void {
    const err = hookError(error, plugin, 'responseSent');
    (ex.log ?? this.log).warn({ err, plugin, stage: 'responseSent' }, err.message);
  }
}

/**
 * The decision, explained in headers: `x-lynkr-provider`, `x-lynkr-model`,
 * and when a router said them, `x-lynkr-tier`, `x-lynkr-score` and
 * `x-lynkr-route-reason` (the reasons joined with "; ", made header-safe);
 * then the provider's `passed` headers, under names the decision does not use.
 * (Built on an object literal and added to, rather than spread from two
 * objects: each spread of dashed names walks hidden-class transitions, which
 * with the caches cold between requests cost more than the rest of this.)
 */
export function decisionHeaders(d: ResolvedDecision, passed?: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { 'x-lynkr-provider': d.provider, 'x-lynkr-model': d.model };
  if (d.tier) out['x-lynkr-tier'] = d.tier;
  if (typeof d.score === 'number' && Number.isFinite(d.score)) out['x-lynkr-score'] = String(Math.round(d.score * 10) / 10);
  if (d.reasons.length) out['x-lynkr-route-reason'] = headerSafe(d.reasons.join('; '));
  if (typeof d.fallback === 'string') out['x-lynkr-fallback'] = headerSafe(d.fallback);
  if (typeof d.attempts === 'number' && d.attempts > 1) out['x-lynkr-attempts'] = String(d.attempts);
  for (const name in passed) if (!(name in out)) out[name] = passed[name]!;
  return out;
}

/** Printable ASCII only, at most 512 characters: reasons quote user text, which may hold anything. */
function headerSafe(text: string): string {
  const safe = UNSAFE_IN_HEADER.test(text) ? text.replace(UNSAFE_IN_HEADER_ALL, '?') : text;
  return safe.length > 512 ? safe.slice(0, 512) : safe;
}
const UNSAFE_IN_HEADER = /[^\x20-\x7e]/;
const UNSAFE_IN_HEADER_ALL = /[^\x20-\x7e]/g;

/** What `decide` found: the decision, or the plugin that would answer in preRoute. */
export interface RouteOutcome {
  request: MessagesRequest;
  decision: ResolvedDecision | undefined;
  answeredBy: string | undefined;
}

interface PreRouteOutcome {
  request: MessagesRequest;
  stop?: MessagesResponse | AsyncIterable<StreamEvent>;
  by?: string;
}

