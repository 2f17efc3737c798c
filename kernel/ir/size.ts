/**
 * A request's size in prompt tokens, estimated without serialising it or
 * running a tokenizer: fast enough for every routing decision. Routers use it
 * to keep a request away from a model whose context window it would not fit.
 */
import type { MessagesRequest } from './types.js';

/**
 * Characters per token for the estimate. Prose runs near 4, code and JSON
 * nearer 3; 3.5 errs towards overestimating, which only ever moves a request
 * to a larger model.
 */
const CHARS_PER_TOKEN = 3.5;
/** What an image costs, about: Anthropic bills a 1.15-megapixel image at ~1600 tokens. */
const IMAGE_TOKENS = 1600;

/** @public */
export interface RequestSize {
  /** Estimated prompt tokens: system, tool definitions and messages. */
  tokens: number;
  /** Images in the messages (tool results included). */
  images: number;
}

/** Sizes already estimated, by request: the guards and the bandit both ask, on the same request. */
const estimated = new WeakMap<MessagesRequest, Readonly<RequestSize>>();

/**
 * Estimate a request's prompt size. Walks it once per request object (a
 * request is not edited in place: a plugin that changes one returns a new
 * object, which is estimated anew). @public
 */
export function estimateRequestSize(request: MessagesRequest): Readonly<RequestSize> {
  let size = estimated.get(request);
  if (!size) {
    const acc = { chars: chars(request.system), images: 0 };
    for (const tool of request.tools ?? []) acc.chars += chars(tool);
    for (const message of request.messages) contentSize(message.content, acc);
    size = Object.freeze({ tokens: Math.ceil(acc.chars / CHARS_PER_TOKEN) + acc.images * IMAGE_TOKENS, images: acc.images });
    estimated.set(request, size);
  }
  return size;
}

/** Characters of every string in a JSON-like value, keys included (a cheap stand-in for its serialised length). */
function chars(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 4;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += chars(item);
    return n;
  }
  if (value && typeof value === 'object') {
    let n = 0;
    for (const key in value) n += key.length + chars((value as Record<string, unknown>)[key]);
    return n;
  }
  return 0;
}

/** Counts characters and images of content blocks, recursing into tool results. */
function contentSize(content: unknown, acc: { chars: number; images: number }): void {
  if (typeof content === 'string') {
    acc.chars += content.length;
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content as Array<Record<string, unknown>>) {
    switch (block.type) {
      case 'text':
        acc.chars += typeof block.text === 'string' ? block.text.length : 0;
        break;
      case 'image':
        acc.images++;
        break;
      case 'tool_result':
        contentSize(block.content, acc);
        break;
      case 'tool_use':
        acc.chars += chars(block.name) + chars(block.input);
        break;
      case 'thinking':
        acc.chars += typeof block.thinking === 'string' ? block.thinking.length : 0;
        break;
      case 'redacted_thinking':
        break;
      default:
        acc.chars += chars(block);
    }
  }
}
