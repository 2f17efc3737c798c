import { definePlugin, toLynkrError, Type, type Exchange, type ResolvedConfig } from '../../kernel/index.js';
import { Counters } from './counters.js';
import { loadPriceFile, PriceTable } from './prices.js';
import { statsRef } from './refs.js';

const Price = Type.Object(
  {
    input: Type.Number({ minimum: 0, description: 'Per million input tokens.' }),
    output: Type.Number({ minimum: 0, description: 'Per million output tokens.' }),
    cacheRead: Type.Optional(Type.Number({ minimum: 0, description: 'Per million input tokens read from a prompt cache (default: the input price).' })),
    cacheWrite: Type.Optional(Type.Number({ minimum: 0, description: 'Per million input tokens written to a prompt cache (default: the input price).' })),
  },
  { additionalProperties: false },
);

const NO_USAGE = Object.freeze({ input_tokens: 0, output_tokens: 0 });

/** One set of counters per kernel: a team variant of the plugin counts into its kernel's. */
const countersOf = new WeakMap<ResolvedConfig, Counters>();

/**
 * Counts what went through Lynkr (requests, tokens, tiers, models, cache
 * hits, errors) and estimates the cost from a price table. In memory, per
 * process. Serves `GET /v1/lynkr/stats`; `lynkr wrap` prints it on exit.
 */
export default definePlugin({
  name: 'stats',
  version: '1.0.0',
  kernel: '^1',
  description: 'counts requests, tokens, tiers and cost; GET /v1/lynkr/stats',
  options: Type.Object(
    {
      prices: Type.Record(Type.String({ minLength: 1 }), Price, {
        default: {},
        description: 'Prices per million tokens by model id (or `provider:model`), over config/prices.json.',
      }),
      free: Type.Array(Type.String({ minLength: 1 }), {
        default: ['ollama', 'llamacpp', 'lmstudio'],
        description: 'Providers whose models cost nothing (local servers).',
      }),
      baseline: Type.Optional(
        Type.String({
          pattern: '^[a-z][a-z0-9-]*:.+$',
          description: '`provider:model` the cost is compared with. Default: the most expensive model seen.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    let counters = countersOf.get(ctx.config);
    if (!counters) {
      const file = loadPriceFile();
      const prices = new PriceTable({ ...file.models, ...options.prices }, options.free);
      const at = options.baseline?.indexOf(':') ?? -1;
      const baseline = options.baseline ? { provider: options.baseline.slice(0, at), model: options.baseline.slice(at + 1) } : undefined;
      if (baseline && !prices.find(baseline.provider, baseline.model)) {
        ctx.log.warn({ baseline: options.baseline }, `baseline ${options.baseline} has no price: no saving will be reported (add it to the "prices" option)`);
      }
      counters = new Counters(prices, file.currency, baseline);
      countersOf.set(ctx.config, counters);
    }
    const own = counters;
    /** Exchanges already counted as failures; a WeakSet rather than `ex.state`, which the others then need not build. */
    const counted = new WeakSet<Exchange>();
    // An exchange that fails before its first event never reaches responseSent (the client gets an error
    // instead of a stream): the outermost invoke handler sees it fail and counts it, once.
    // It hands back next()'s own promise and only watches it: the error reaches the client untouched, and a
    // request that succeeds costs one extra callback.
    ctx.hooks.on(
      'invoke',
      (call, next) => {
        const result = next();
        result.catch((error: unknown) => {
          counted.add(call.exchange);
          own.observe({ request: call.request, decision: call.exchange.decision ?? call.decision, stopped: false, usage: NO_USAGE, error: toLynkrError(error) });
        });
        return result;
      },
      { order: 'pre' },
    );
    ctx.hooks.on('responseSent', (summary, ex) => {
      if (!counted.has(ex)) own.observe(summary);
    });
    ctx.services.provide(statsRef, () => ({ snapshot: () => own.snapshot() }));
    ctx.http.route({ method: 'GET', url: '/v1/lynkr/stats', handler: (_req, reply) => reply.header('cache-control', 'no-store').send(own.snapshot()) });
  },
});
