import type { RouteHandler } from '../../kernel/index.js';
import { TIERS, type Scorer, type TierDecision, type TierTable } from '../router-tiers/refs.js';
import type { IntentWindowOptions } from './options.js';
import { pickByWindow, recentTurns } from './window.js';

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The route handler. It refines only decisions router-tiers made for a real
 * turn (a tier and a score, no side request), and only upwards: the latest
 * message is in the window at full weight, so the window's maximum is never
 * below its score.
 */
export function createIntentWindow(scorer: Scorer, tiers: TierTable, options: IntentWindowOptions): RouteHandler {
  return (decision, request, ex) => {
    const current = decision as Partial<TierDecision>;
    if (!current.tier || current.side || typeof current.score !== 'number') return undefined;
    const turns = recentTurns(request.messages, options.size, scorer.typedText);
    if (turns.length < 2) return undefined;
    // A team that overrides router-tiers' options routed this request with its own scorer and table.
    const scoring = scorer.forExchange(ex);
    const pick = pickByWindow(turns.map((text) => scoring.score(text).score), options.decay);
    if (!pick || pick.age === 0 || pick.weighted <= current.score) return undefined;
    const score = round1(pick.weighted);
    const reason = `window: the message ${pick.age} back scored ${pick.score}, × ${options.decay}^${pick.age} = ${score}`;
    const table = tiers.forExchange(ex);
    const tier = table.tierFor(score);
    if (TIERS.indexOf(tier) <= TIERS.indexOf(current.tier)) return { ...decision, score, reasons: [...decision.reasons, reason] };
    return { ...decision, ...table.get(tier).targets[0]!, tier, score, reasons: [...decision.reasons, `${reason} → ${tier}`] };
  };
}
