import { definePlugin, Type } from '../../kernel/index.js';
import { injectBadge } from './inject.js';
import { BADGE_FORMAT_PATTERN } from './refs.js';

/**
 * Shows which tier, model and provider answered, as a first text block of
 * the answer: `*[Lynkr] TIER → model (provider) · score N*`. Off unless
 * enabled (`LYNKR_VISIBLE_ROUTING=true`); `badge-sanitizer` keeps the badge
 * out of what models see on later turns.
 */
export default definePlugin({
  name: 'badge',
  version: '1.0.0',
  kernel: '^1',
  description: 'shows the tier, model and provider that answered as a first text block',
  options: Type.Object(
    {
      enabled: Type.Optional(
        Type.Boolean({ description: 'Inject the badge. Default: `LYNKR_VISIBLE_ROUTING` is `true`.' }),
      ),
      format: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 500,
          pattern: BADGE_FORMAT_PATTERN,
          description: 'The badge line after `[Lynkr] `, with `{tier}`, `{model}`, `{provider}`, `{score}`; no `*` and no line break.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    // The environment's say is read at setup, not at import, so `.env` (loaded with the config) counts.
    const enabled = options.enabled ?? process.env.LYNKR_VISIBLE_ROUTING === 'true';
    if (!enabled) return;
    // Last on the response path, nearest the client: other transforms see the upstream's own blocks and
    // indices, and none of them rewrites, counts or caches the badge as if the model had written it.
    ctx.hooks.on('postResponse', injectBadge(options.format), { order: 'post' });
  },
});
