import { definePlugin, Type } from '../../kernel/index.js';
import { stripBadges } from './strip.js';

/**
 * Removes Lynkr's routing badges from the assistant turns of the history a
 * client sends back, before any other plugin reads it, so no model ever sees
 * one. Safe to run whether or not the badge is enabled: a request without
 * badges passes through untouched and uncopied.
 */
export default definePlugin({
  name: 'badge-sanitizer',
  version: '1.0.0',
  kernel: '^1',
  description: 'strips routing badges from assistant history before anything reads it',
  options: Type.Object({}, { additionalProperties: false }),
  setup(ctx) {
    // `pre`: ahead of every plugin that reads or rewrites history (routers score it, compression
    // summarises it, and a badge inside a summary could no longer be recognised).
    ctx.hooks.on(
      'preRoute',
      (request, ex) => {
        const stripped = stripBadges(request);
        if (!stripped) return undefined;
        ex.log.debug({ badges: stripped.badges, dropped: stripped.dropped }, 'routing badges stripped from history');
        return stripped.request;
      },
      { order: 'pre' },
    );
  },
});
