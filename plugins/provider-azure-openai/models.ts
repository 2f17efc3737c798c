/**
 * What Lynkr assumes of an Azure deployment from its name (deployments are
 * usually named after their model): whether it speaks only the Responses
 * API, whether it is a reasoning model, and what it can take. Options
 * override each guess for deployments with names of their own.
 */
import { DEFAULT_CAPABILITIES, type Capabilities } from '../../kernel/index.js';

/**
 * Models served only through the Responses API: the codex models
 * (`codex-mini`, `gpt-5-codex`, `gpt-5.1-codex-max`, …), the pro models
 * (`o3-pro`, `gpt-5-pro`), deep research and computer use.
 */
export const RESPONSES_ONLY = /^(?:codex-|gpt-5(?:\.\d+)?-(?:codex|pro)|o\d+-(?:pro|deep-research)|computer-use)/i;

/**
 * Reasoning models: they take `max_completion_tokens` (not `max_tokens`)
 * and a reasoning effort, and refuse a temperature or top_p other than the
 * default. `gpt-5-chat` is GPT-5's non-reasoning chat model.
 */
export const REASONING = /^(?:o\d|codex-|gpt-5(?!(?:\.\d+)?-chat))/i;

/**
 * A test for deployment names: the listed names (an entry ending in `*` is
 * a prefix), or `fallback` when no list is configured.
 */
export function matcher(list: readonly string[] | undefined, fallback: RegExp): (model: string) => boolean {
  if (!list) return (model) => fallback.test(model);
  const exact = new Set(list.filter((e) => !e.endsWith('*')));
  const prefixes = list.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1));
  return (model) => exact.has(model) || prefixes.some((p) => model.startsWith(p));
}

/** Model families by name, the first match wins; published limits, as of their Azure model cards. */
const FAMILIES: ReadonlyArray<[RegExp, Partial<Capabilities>]> = [
  [/^gpt-5(?:\.\d+)?-chat/i, { vision: true, maxOutputTokens: 16_384, contextWindow: 128_000 }],
  [/^gpt-5/i, { vision: true, thinking: true, maxOutputTokens: 128_000, contextWindow: 400_000 }],
  [/^o1-mini/i, { thinking: true, maxOutputTokens: 65_536, contextWindow: 128_000 }],
  [/^o3-mini/i, { thinking: true, maxOutputTokens: 100_000, contextWindow: 200_000 }],
  [/^(?:o\d|codex-)/i, { vision: true, thinking: true, maxOutputTokens: 100_000, contextWindow: 200_000 }],
  [/^gpt-4\.1/i, { vision: true, maxOutputTokens: 32_768, contextWindow: 1_047_576 }],
  [/^gpt-4o/i, { vision: true, maxOutputTokens: 16_384, contextWindow: 128_000 }],
];

/** A deployment's capabilities: its family's, under the configured ones. */
export function capabilitiesFor(model: string, configured: Partial<Capabilities> | undefined): Capabilities {
  const family = FAMILIES.find(([pattern]) => pattern.test(model))?.[1];
  return { ...DEFAULT_CAPABILITIES, ...family, ...configured };
}
