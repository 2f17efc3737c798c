import { definePlugin } from '../../kernel/index.js';
import { RouterTiersOptions } from './options.js';
import { affinityRef, scorerRef, tiersRef } from './refs.js';
import { createTierRouter } from './router.js';

/**
 * Routes each request to a tier (SIMPLE < MEDIUM < COMPLEX < REASONING) by
 * how hard what the user typed is, keeps a conversation on the model that
 * serves it, sends Claude Code's background calls to SIMPLE, and never picks
 * a model that cannot take the request.
 *
 * Route stage, two handlers: `pre` proposes the tier, before router-static
 * (which then leaves the decision alone) and before normal-order handlers
 * such as intent-window or a bandit, which may refine it; `post` applies the
 * session pin and the capability guards to what the stage settled on.
 */
export default definePlugin({
  name: 'router-tiers',
  version: '1.0.0',
  kernel: '^1',
  description: 'routes each request to a tier by the complexity of what the user typed, with session affinity',
  options: RouterTiersOptions,
  setup(ctx, options) {
    const router = createTierRouter(ctx, options);
    ctx.services.provide(scorerRef, () => router.scorer);
    ctx.services.provide(tiersRef, () => router.table);
    ctx.services.provide(affinityRef, () => ({ pinOf: router.pinOf }));
    ctx.hooks.on('route', router.propose, { order: 'pre' });
    ctx.hooks.on('route', router.settle, { order: 'post' });
    return {
      // Checked once every plugin has registered its providers, so a typo fails the boot instead of every request.
      ready: () => router.check(),
    };
  },
});
