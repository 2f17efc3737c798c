/**
 * Capability guards: never route to a model that cannot take the request
 * (too long for its context window, images without vision, tools without
 * tool support). Capabilities come from the provider adapters.
 */
import { estimateRequestSize, type Capabilities, type MessagesRequest } from '../../kernel/index.js';
import { TIERS, type TierName, type TierTable, type TierTarget } from './refs.js';
import { formatTarget, rank } from './tiers.js';

/** What a request needs from a model. */
export interface Needs {
  /** Estimated prompt tokens: system, tools and messages. */
  tokens: number;
  vision: boolean;
  tools: boolean;
  maxTokens: number;
}

/** What the request needs. Walks it once, without serialising it. */
export function needsOf(request: MessagesRequest): Needs {
  const size = estimateRequestSize(request);
  return {
    tokens: size.tokens,
    vision: size.images > 0,
    tools: (request.tools?.length ?? 0) > 0 && request.tool_choice?.type !== 'none',
    maxTokens: request.max_tokens,
  };
}

/**
 * Why `caps` cannot take the request, or undefined when it can. The output
 * reserved is the request's `max_tokens`, clamped to what the model can
 * produce (the codecs clamp it the same way).
 */
export function misfit(caps: Capabilities, needs: Needs): string | undefined {
  if (needs.vision && !caps.vision) return 'images need vision';
  if (needs.tools && !caps.tools) return 'tools need tool support';
  const reserve = Math.min(needs.maxTokens, caps.maxOutputTokens);
  if (needs.tokens + reserve > caps.contextWindow) {
    return `~${needs.tokens} tokens + ${reserve} output exceed its ${caps.contextWindow}-token context`;
  }
  return undefined;
}

/** A target and the tier it came from. */
export interface Candidate {
  target: TierTarget;
  tier: TierName;
}

/**
 * The targets to try when `current` cannot take the request: the rest of its
 * tier, then the tiers above it (stronger, usually larger), then those below.
 */
export function candidates(table: TierTable, current: Candidate): Candidate[] {
  const out: Candidate[] = [current];
  const seen = new Set([formatTarget(current.target)]);
  const at = rank(current.tier);
  const indexes = [...TIERS.keys()];
  const above = indexes.filter((i) => i > at);
  const below = indexes.filter((i) => i < at).reverse();
  for (const i of [at, ...above, ...below]) {
    const tier = table.get(TIERS[i]!);
    for (const target of tier.targets) {
      const id = formatTarget(target);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ target, tier: tier.name });
    }
  }
  return out;
}

/** The outcome of guarding a decision. */
export interface GuardResult {
  chosen: Candidate;
  /** Why the decision changed or could not be satisfied; undefined when the first choice fits. */
  note?: string;
}

/**
 * The first candidate whose capabilities take the request. A target whose
 * provider does not describe its models is taken as able (nothing says it
 * cannot). When none fits, the request goes where it fits best (the largest
 * context) and the note says so: the upstream is the authority on its limits
 * and the estimate is only an estimate, so nothing is refused here.
 */
export function guard(
  table: TierTable,
  current: Candidate,
  needs: () => Needs,
  capsOf: (target: TierTarget) => Capabilities | undefined,
): GuardResult {
  const first = capsOf(current.target);
  if (!first) return { chosen: current };
  const need = needs();
  const why = misfit(first, need);
  if (!why) return { chosen: current };
  let largest: { candidate: Candidate; window: number } = { candidate: current, window: first.contextWindow };
  for (const candidate of candidates(table, current).slice(1)) {
    const caps = capsOf(candidate.target);
    if (!caps || !misfit(caps, need)) {
      return { chosen: candidate, note: `guard: ${formatTarget(current.target)} cannot take it (${why}) → ${formatTarget(candidate.target)}` };
    }
    const able = (!need.vision || caps.vision) && (!need.tools || caps.tools);
    if (able && caps.contextWindow > largest.window) largest = { candidate, window: caps.contextWindow };
  }
  const chosen = largest.candidate;
  return { chosen, note: `guard: no configured model fits (${why}); best effort ${formatTarget(chosen.target)}` };
}
