/**
 * Reasoning state across model families. A Responses client keeps the
 * model's reasoning as `reasoning` items and sends them back on the next
 * turn; only the family that wrote an item's `encrypted_content` can read
 * it. When the answer came from another family (Claude's signed `thinking`
 * blocks), Lynkr carries that family's block inside `encrypted_content`,
 * tagged with the family, so that the block goes back to its own family
 * byte for byte and is dropped for any other.
 */
import type { RedactedThinkingBlock, ThinkingBlock } from '../../ir/types.js';

/** The family of reasoning items OpenAI's Responses API writes itself. @public */
export const RESPONSES_FAMILY = 'openai-responses';

const PREFIX = 'lynkr.reasoning.1.';

/** A thinking block together with the family (a provider's wire) that wrote it. @public */
export interface CarriedReasoning {
  family: string;
  block: ThinkingBlock | RedactedThinkingBlock;
}

/**
 * The `encrypted_content` of a reasoning item for a block written by
 * `family`: the signature itself for {@link RESPONSES_FAMILY}, else the
 * block tagged with its family.
 * @public
 */
export function reasoningContent(family: string, block: ThinkingBlock | RedactedThinkingBlock): string {
  if (family === RESPONSES_FAMILY) return block.type === 'thinking' ? block.signature : block.data;
  const carried =
    block.type === 'thinking'
      ? { type: block.type, thinking: block.thinking, signature: block.signature }
      : { type: block.type, data: block.data };
  return PREFIX + Buffer.from(JSON.stringify({ family, block: carried })).toString('base64url');
}

/**
 * Who wrote the reasoning an IR thinking block decoded from a reasoning
 * item carries (its signature is the item's `encrypted_content`), and the
 * block to send to that family. Undefined when there is nothing to send
 * back (no encrypted content, or a tag that does not parse).
 * @public
 */
export function carriedReasoning(block: ThinkingBlock): CarriedReasoning | undefined {
  const content = block.signature;
  if (!content) return undefined;
  if (!content.startsWith(PREFIX)) return { family: RESPONSES_FAMILY, block };
  try {
    const parsed = JSON.parse(Buffer.from(content.slice(PREFIX.length), 'base64url').toString('utf8')) as Partial<CarriedReasoning>;
    const inner = parsed.block as { type?: unknown; thinking?: unknown; signature?: unknown; data?: unknown } | undefined;
    if (typeof parsed.family !== 'string' || !inner) return undefined;
    if (inner.type === 'thinking' && typeof inner.thinking === 'string' && typeof inner.signature === 'string') {
      return { family: parsed.family, block: { type: 'thinking', thinking: inner.thinking, signature: inner.signature } };
    }
    if (inner.type === 'redacted_thinking' && typeof inner.data === 'string') {
      return { family: parsed.family, block: { type: 'redacted_thinking', data: inner.data } };
    }
  } catch {
    // A damaged tag is reasoning nobody can read back: dropped like any other.
  }
  return undefined;
}
