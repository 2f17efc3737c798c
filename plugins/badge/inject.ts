import type { Exchange, PostResponseHandler, StreamEvent } from '../../kernel/index.js';
import { formatBadge } from './refs.js';

/** Set on an exchange whose answer got a badge: its content blocks then move up one index. */
const INJECTED = Symbol('badge.injected');

/** The three events of the badge's own text block, at index 0. */
function badgeBlock(text: string): StreamEvent[] {
  return [
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    { type: 'content_block_stop', index: 0 },
  ];
}

/**
 * The postResponse transform: right after `message_start`, a text block
 * holding the badge at index 0, then every content block of the answer one
 * index up, so the stream keeps Anthropic's grammar. Streaming and whole
 * answers take the same path (a whole answer is collected from these
 * events). An answer without a route decision (a `preRoute` plugin answered
 * it, e.g. a cache hit) gets no badge: nothing was routed.
 */
export function injectBadge(format: string | undefined): PostResponseHandler {
  return (event: StreamEvent, ex: Exchange) => {
    switch (event.type) {
      case 'message_start': {
        const decision = ex.decision;
        if (!decision) return undefined;
        ex.state.set(INJECTED, true);
        const text = formatBadge({ provider: decision.provider, model: decision.model, tier: decision.tier, score: decision.score }, format);
        return [event, ...badgeBlock(text)];
      }
      case 'content_block_start':
      case 'content_block_delta':
      case 'content_block_stop':
        return ex.state.get(INJECTED) === true ? { ...event, index: event.index + 1 } : undefined;
      default:
        return undefined;
    }
  };
}
