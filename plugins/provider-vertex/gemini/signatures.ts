/**
 * Gemini's thought signatures, kept across turns. Gemini 3 answers a
 * function call with an opaque `thoughtSignature` and refuses (400) the next
 * request unless the call comes back with it. The Anthropic wire a client
 * speaks has no place for it that survives a round trip through every
 * client (an unknown field on `tool_use` may be dropped by a client, and is
 * refused by Anthropic if the conversation moves there), but the
 * `tool_use` id always comes back: so the signature stays here, keyed by the
 * id Lynkr gave the call.
 *
 * Bounded: only the calls of the turn in progress need their signature
 * (Gemini validates the current turn only), so the oldest entries go first.
 * A call Lynkr no longer remembers (after a restart, or one made by another
 * model) is sent with the placeholder Google documents for that case.
 */

/** Google's documented value for a function call whose signature is not available. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

const DEFAULT_CAPACITY = 4096;

export class ThoughtSignatures {
  readonly #entries = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  remember(toolUseId: string, signature: string): void {
    this.#entries.delete(toolUseId);
    this.#entries.set(toolUseId, signature);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  recall(toolUseId: string): string | undefined {
    return this.#entries.get(toolUseId);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Whether `model` refuses function calls sent back without their signature: Gemini 3 and later. */
export function requiresSignatures(model: string): boolean {
  const major = /^gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}
