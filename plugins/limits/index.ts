import { definePlugin, LynkrError, type Exchange, type ResolvedConfig, type Usage } from '../../kernel/index.js';
import { Slots } from './concurrency.js';
import { RateCounters, Serial, type RateRefusal } from './counters.js';
import { LimitsOptions, resolveFor, type Resolved } from './options.js';
import { eventLoopDelay, LagMeter } from './shedding.js';

/** The release of the slot an exchange holds, if it holds one. */
const SLOT = Symbol('limits.slot');

/** What the plugin's team variants share within one kernel: one queue per caller, one count of slots, one lag meter. */
interface Shared {
  serial: Serial;
  slots: Slots;
  meter: LagMeter | undefined;
}
const sharedOf = new WeakMap<ResolvedConfig, Shared>();

/** Who a request counts against, as named in the store (never a key, only its public id). */
function callerOf(ex: Exchange, scope: Resolved['scope']): string {
  if (scope === 'team') return ex.team === undefined ? 'team:@default' : `team:${ex.team}`;
  return ex.keyId ? `key:${ex.keyId}` : 'anonymous';
}

/** The caller in words, for the message a refused client reads. */
function describe(caller: string): string {
  if (caller === 'anonymous') return 'this Lynkr (no keys configured)';
  if (caller === 'team:@default') return 'the default team';
  return caller.replace(':', ' ');
}

const tokensOf = (u: Usage): number =>
  u.input_tokens + u.output_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);

function refused(refusal: RateRefusal, caller: string): LynkrError {
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
  const tokens = refusal.limit === 'tokensPerMinute';
  const what = tokens ? `used its ${refusal.value} tokens per minute` : `sent its ${refusal.value} requests per minute`;
  return new LynkrError(tokens ? 'LYNKR_ERR_LIMIT_TOKENS' : 'LYNKR_ERR_LIMIT_REQUESTS', `rate limit: ${describe(caller)} ${what} (limits.${refusal.limit}); retry in ${seconds} s`, {
    plugin: 'limits',
    headers: { 'retry-after': String(seconds) },
    detail: { limit: refusal.limit, value: refusal.value },
  });
}

/**
 * Request and token rates per key or team (counted in the store, so they
 * hold across instances), answers in flight per key (per instance), and
 * load shedding when the event loop lags. Everything is off until a limit
 * is set.
 */
export default definePlugin({
  name: 'limits',
  version: '1.0.0',
  kernel: '^1',
  description: 'rate, token and concurrency limits per key or team; load shedding',
  options: LimitsOptions,
  setup(ctx, options) {
    if (!options.enabled) return undefined;
    for (const team of Object.keys(options.teams)) {
      if (!(team in ctx.config.teams)) {
        throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `teams.${team}: the config has no team "${team}" (teams: ${Object.keys(ctx.config.teams).join(', ') || 'none'})`);
      }
    }
    const byTeam = new Map<string | undefined, Resolved>([[undefined, resolveFor(options, undefined)]]);
    for (const team of Object.keys(ctx.config.teams)) byTeam.set(team, resolveFor(options, team));
    const limitsOf = (ex: Exchange): Resolved => byTeam.get(ex.team) ?? byTeam.get(undefined)!;

    let shared = sharedOf.get(ctx.config);
    if (!shared) {
      shared = { serial: new Serial(), slots: new Slots(), meter: undefined };
      sharedOf.set(ctx.config, shared);
    }
    const shedding = options.loadShedding;
    const threshold = shedding.enabled && shedding.eventLoopDelayMs > 0 ? shedding.eventLoopDelayMs : 0;
    if (threshold) shared.meter ??= new LagMeter(eventLoopDelay(), shedding.sampleIntervalMs);
    const { serial, slots } = shared;
    const meter = threshold ? shared.meter : undefined;

    const rated = [...byTeam.values()].some((l) => l.requestsPerMinute > 0 || l.tokensPerMinute > 0);
    const concurrent = [...byTeam.values()].some((l) => l.concurrentStreams > 0);
    if (!rated && !concurrent && !meter) return undefined;
    // Only rates need the store: without them the plugin opens no file and no connection.
    const counters = rated ? new RateCounters(ctx.store, serial, options.window) : undefined;

    // A store that fails must not take every request down with it: the limit lapses, and says so once a minute.
    let warnedAt = Number.NEGATIVE_INFINITY;
    const storeFailed = (error: unknown): undefined => {
      const now = Date.now();
      if (now - warnedAt >= 60_000) {
        warnedAt = now;
        ctx.log.warn({ err: error }, 'the store failed: rate limits are not enforced until it answers again');
      }
      return undefined;
    };

    let shedNow = false;
    const overloaded = (ex: Exchange): LynkrError | undefined => {
      const lag = meter!.lagMs();
      const over = lag > threshold;
      if (over !== shedNow) {
        shedNow = over;
        if (over) ctx.log.warn({ lagMs: Math.round(lag), thresholdMs: threshold }, `event loop lags ${Math.round(lag)} ms: refusing new requests`);
        else ctx.log.info({ lagMs: Math.round(lag) }, 'event loop lag back under the threshold: accepting requests');
      }
      if (!over) return undefined;
      return new LynkrError('LYNKR_ERR_SERVER_OVERLOADED', `Lynkr is overloaded (event loop lag ${Math.round(lag)} ms, limit ${threshold} ms); retry in ${shedding.retryAfterSeconds} s`, {
        plugin: 'limits',
        // Anthropic's clients know 529 as "overloaded" and retry it; OpenAI's retry a 503.
        status: ex.surface === 'anthropic' ? 529 : 503,
        headers: { 'retry-after': String(shedding.retryAfterSeconds) },
      });
    };

    // First in preRoute: a refused request should cost nothing that later plugins would spend on it.
    ctx.hooks.on(
      'preRoute',
      (_request, ex) => {
        if (meter) {
          const shed = overloaded(ex);
          if (shed) throw shed;
        }
        const limits = limitsOf(ex);
        if (!counters || (!limits.requestsPerMinute && !limits.tokensPerMinute)) return undefined;
        const caller = callerOf(ex, limits.scope);
        return counters.admit(caller, limits).then((refusal) => {
          if (refusal) throw refused(refusal, caller);
          return undefined;
        }, storeFailed);
      },
      { order: 'pre' },
    );

    if (concurrent) {
      // Outermost in invoke: a slot is held from the upstream call to the end of the answer, retries and fallbacks included.
      ctx.hooks.on(
        'invoke',
        (call, next) => {
          const ex = call.exchange;
          const limits = limitsOf(ex);
          if (!limits.concurrentStreams || ex.state.get(SLOT)) return next();
          const caller = callerOf(ex, limits.scope);
          if (!slots.acquire(caller, limits.concurrentStreams)) {
            throw new LynkrError(
              'LYNKR_ERR_LIMIT_CONCURRENCY',
              `concurrency limit: ${describe(caller)} already has ${limits.concurrentStreams} answer(s) in flight (limits.concurrentStreams)`,
              { plugin: 'limits', headers: { 'retry-after': '1' }, detail: { limit: 'concurrentStreams', value: limits.concurrentStreams } },
            );
          }
          // Released once, by whichever comes first: the answer's end (responseSent), the client leaving, or a failed call.
          const listener = { off: (): void => undefined };
          const release = (): void => {
            if (ex.state.get(SLOT) !== release) return;
            ex.state.set(SLOT, undefined);
            listener.off();
            slots.release(caller);
          };
          ex.state.set(SLOT, release);
          listener.off = ex.onAbort(release);
          const result = next();
          result.catch(release);
          return result;
        },
        { order: 'pre' },
      );
    }

    ctx.hooks.on('responseSent', (summary, ex) => {
      (ex.state.get(SLOT) as (() => void) | undefined)?.();
      // An answer from preRoute (a cache hit) spent no upstream tokens.
      if (summary.stopped) return undefined;
      const limits = limitsOf(ex);
      if (!counters || !limits.tokensPerMinute) return undefined;
      return counters.addTokens(callerOf(ex, limits.scope), tokensOf(summary.usage)).catch(storeFailed);
    });

    return {
      ready() {
        meter?.start();
      },
      close() {
        meter?.stop();
      },
    };
  },
});
