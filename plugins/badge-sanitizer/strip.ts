import type { Message, MessagesRequest } from '../../kernel/index.js';
import { stripBadge } from '../badge/refs.js';

type Content = Message['content'];
type Block = Exclude<Content, string>[number];

/** Content that held nothing but a badge. */
const EMPTY = Symbol('empty');

/**
 * An assistant message's content without the badge it starts with, `EMPTY`
 * when nothing else is left, or `undefined` when there is no badge. Only the
 * start is looked at: a string's start, or the start of the first text block
 * (the badge's own block, or the one text of an OpenAI-style answer where the
 * badge was the leading delta). Later text is the model's and stays as it is.
 */
function withoutBadge(content: Content): Content | typeof EMPTY | undefined {
  if (typeof content === 'string') {
    const rest = stripBadge(content);
    if (rest === undefined) return undefined;
    return rest.trim() === '' ? EMPTY : rest;
  }
  const at = content.findIndex((block) => block.type === 'text');
  const block = content[at];
  if (!block || typeof block.text !== 'string') return undefined;
  const rest = stripBadge(block.text);
  if (rest === undefined) return undefined;
  // A text block of whitespace would be refused by an Anthropic upstream: drop it with the badge.
  const blocks = rest.trim() === '' ? content.filter((_, i) => i !== at) : content.map((b, i) => (i === at ? { ...b, text: rest } : b));
  return blocks.length === 0 ? EMPTY : blocks;
}

const asBlocks = (content: Content): Block[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : content);

/** Two turns of one role made neighbours by a dropped message, as one turn. */
function join(a: Message, b: Message): Message {
  if (typeof a.content === 'string' && typeof b.content === 'string') return { ...a, content: `${a.content}\n\n${b.content}` };
  return { ...a, content: [...asBlocks(a.content), ...asBlocks(b.content)] };
}

/** What {@link stripBadges} changed. */
export interface Stripped {
  request: MessagesRequest;
  /** Assistant messages a badge was removed from. */
  badges: number;
  /** Assistant messages that held only a badge and were dropped. */
  dropped: number;
}

/**
 * The request without routing badges at the start of its assistant messages,
 * or `undefined` when it has none (the common case: nothing is copied). The
 * input is never changed. User and system text is never touched, even when it
 * quotes a badge.
 *
 * An assistant message that held only a badge is dropped rather than sent
 * empty (Anthropic refuses empty content); if that leaves two user turns side
 * by side, they are joined, since some chat templates refuse turns that do
 * not alternate.
 */
export function stripBadges(request: MessagesRequest): Stripped | undefined {
  const { messages } = request;
  let out: Message[] | undefined;
  let badges = 0;
  let dropped = 0;
  let joinNext = false;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const content = message.role === 'assistant' ? withoutBadge(message.content) : undefined;
    if (content === undefined && !out) continue;
    out ??= messages.slice(0, i);
    let next = message;
    if (content !== undefined) {
      badges++;
      if (content === EMPTY) {
        dropped++;
        joinNext = true;
        continue;
      }
      next = { ...message, content };
    }
    const last = out.at(-1);
    if (joinNext && last?.role === next.role) out[out.length - 1] = join(last, next);
    else out.push(next);
    joinNext = false;
  }
  return out ? { request: { ...request, messages: out }, badges, dropped } : undefined;
}
