import { definePlugin } from '../../kernel/index.js';
import { IntentWindowOptions } from './options.js';
import { scorerRef, tiersRef } from '../router-tiers/refs.js';
import { createIntentWindow } from './refine.js';

/**
 * Lets a hard request a few turns back keep the tier up: scores each of the
 * last N typed user messages, weighs each by decay^age, and routes by the
 * highest weighted score. "ok, go ahead" after a migration plan stays where
 * the plan was, fading as the conversation moves on.
 *
 * Route stage, normal order: after router-tiers has proposed (its `pre`
 * handler) and before it applies pins and guards (its `post` handler).
 */
export default definePlugin({
  name: 'intent-window',
  version: '1.0.0',
  kernel: '^1',
  description: 'routes by the highest decayed complexity score over the last few user messages',
  dependsOn: ['router-tiers'],
  options: IntentWindowOptions,
  setup(ctx, options) {
    ctx.hooks.on('route', createIntentWindow(ctx.services.resolve(scorerRef), ctx.services.resolve(tiersRef), options));
  },
});
