import { definePlugin, loadPriceFile, PriceTable, type ResolvedConfig } from '../../kernel/index.js';
import { affinityRef, scorerRef, tiersRef } from '../router-tiers/refs.js';
import { createBandit } from './bandit.js';
import { Contexts, feedbackRoute } from './feedback.js';
import { BanditOptions } from './options.js';
import { rngFor } from './policy.js';
import { banditRef } from './refs.js';
import { ArmStore } from './state.js';

/** The statistics, the rateable contexts and the price table: one per kernel, shared by a team's variant of the plugin. */
interface Shared {
  arms: ArmStore;
  contexts: Contexts;
  prices: PriceTable;
}

const sharedOf = new WeakMap<ResolvedConfig, Shared>();

/**
 * A contextual bandit (disjoint LinUCB) over the models the tier table
 * names. It starts out agreeing with the tier router, whose choice is its
 * prior, and moves a turn at most `maxTierShift` tiers as it learns which
 * model answers such turns best: from each answer's success, latency, cost
 * and tool calls, and from explicit ratings (POST /v1/lynkr/feedback).
 *
 * Route stage, normal order: list it after intent-window, so that it sees
 * the final tier; router-tiers' `post` handler then applies pins and guards
 * (the bandit leaves pinned conversations and tool exchanges alone, and
 * only picks models that can take the request). Observers: invoke (`post`,
 * innermost: each attempt's failure), postResponse (tool calls),
 * responseSent (the reward).
 */
export default definePlugin({
  name: 'bandit-linucb',
  version: '1.0.0',
  kernel: '^1',
  description: 'learns which tier model answers each kind of turn best (LinUCB), starting from the tier router\'s choice',
  dependsOn: ['router-tiers'],
  options: BanditOptions,
  setup(ctx, options) {
    let shared = sharedOf.get(ctx.config);
    const owner = !shared;
    if (!shared) {
      // Only Redis expires entries by itself: SQLite keeps an expired entry until it is read, and a row per answer would grow without bound.
      const expiring = /^rediss?:\/\//.test(ctx.config.storage);
      shared = {
        arms: new ArmStore(() => ctx.store, options.prior.weight, ctx.log),
        contexts: new Contexts(() => ctx.store, options.feedbackTtlMs, expiring, ctx.log),
        prices: new PriceTable({ ...loadPriceFile().models, ...options.prices }, options.free),
      };
      sharedOf.set(ctx.config, shared);
      const { arms, contexts } = shared;
      ctx.services.provide(banditRef, () => ({
        arms: () =>
          arms.snapshot().map(({ key, stats }) => {
            const at = key.indexOf('|');
            return { arm: key.slice(at + 1), tier: key.slice(0, at), updates: stats.n };
          }),
        settled: () => arms.settled(),
      }));
      // Routes are global: a team's variant registers none, and ratings of its requests come here.
      ctx.http.route(feedbackRoute(contexts, (arm, x, reward) => arms.update(arm, x, reward, options.weights.feedback), options.feedbackTtlMs));
    }
    const { arms } = shared;

    if (options.enabled) {
      const bandit = createBandit(ctx, options, {
        scorer: ctx.services.resolve(scorerRef),
        tiers: ctx.services.resolve(tiersRef),
        affinity: ctx.services.resolve(affinityRef),
        ...shared,
        rng: rngFor(options.seed),
      });
      ctx.hooks.on('route', bandit.route);
      ctx.hooks.on('invoke', bandit.invoke, { order: 'post' });
      ctx.hooks.on('postResponse', bandit.postResponse);
      ctx.hooks.on('responseSent', bandit.responseSent);
    }

    if (!owner) return undefined;
    let timer: NodeJS.Timeout | undefined;
    return {
      ready() {
        // Another instance's lessons arrive through a shared store; memory:// has no other instance.
        if (ctx.config.storage.startsWith('memory://')) return;
        timer = setInterval(() => void arms.refresh(), options.refreshMs);
        timer.unref();
      },
      async close() {
        clearInterval(timer);
        await arms.settled();
      },
    };
  },
});
