/**
 * The tier router: the two route handlers and what they share. `propose`
 * runs first in the stage and picks a tier; `settle` runs last and applies
 * the session pin and the capability guards to whatever the stage decided.
 */
import { LynkrError, type Exchange, type MessagesRequest, type PluginContext, type ResolvedDecision, type RouteDecision } from '../../kernel/index.js';
import { conversationKey, judgePin, PinStore, type Pin } from './affinity.js';
import { guard, needsOf, type Needs } from './guards.js';
import type { RouterTiersOptions } from './options.js';
import type { ScoreResult, Scorer, SideRequestKind, TierDecision, TierName, TierTable } from './refs.js';
import { createScorer } from './scorer.js';
import { detectSideRequest } from './side-requests.js';
import { buildTierTable, describeTable, formatTarget, inTable } from './tiers.js';
import { inToolExchange, latestTypedText, typedText } from './text.js';

/** What `propose` leaves for `settle`, per request. */
interface RoutingState {
  table: TierTable;
  scorer: Scorer;
  side: SideRequestKind | undefined;
  /** The conversation's pin key and the pending read of its pin, started early so storage latency overlaps the scoring. */
  key?: string;
  pin?: Promise<Pin | undefined>;
}

// One symbol for every instance (a team's variant included): only one instance's handlers run for a request.
const STATE = Symbol('router-tiers');

const stateOf = (ex: Exchange) => ex.state.get(STATE) as RoutingState | undefined;

/** `refactor 30, scope 14, length 9.7`: the features that weighed most. */
function topFeatures(result: ScoreResult): string {
  return Object.entries(result.features)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, 3)
    .map(([name, points]) => `${name} ${points}`)
    .join(', ');
}

function scoreReason(tier: TierName, result: ScoreResult, table: TierTable): string {
  const borrowed = table.get(tier).borrowedFrom;
  const head = borrowed ? `tier ${tier} (on ${borrowed}'s model)` : `tier ${tier}`;
  if (result.forced) return `${head}: forced (${result.forced.rule})`;
  const features = topFeatures(result);
  return `${head}: score ${result.score}${features ? ` (${features})` : ''}`;
}

/** The tier router's parts, which index.ts registers. */
export interface TierRouter {
  readonly table: TierTable;
  readonly scorer: Scorer;
  /** The `pre` route handler. */
  propose(decision: RouteDecision, request: MessagesRequest, ex: Exchange): TierDecision | undefined;
  /** The `post` route handler. */
  settle(decision: RouteDecision, request: MessagesRequest, ex: Exchange): RouteDecision | Promise<RouteDecision> | undefined;
  /** At `ready`: every tier's provider is registered. */
  check(): void;
  /** The pending read of an exchange's pin (affinityRef). */
  pinOf(ex: Exchange): Promise<Pin | undefined> | undefined;
}

export function createTierRouter(ctx: PluginContext, options: RouterTiersOptions): TierRouter {
  const table: TierTable = buildTierTable(
    { entries: { SIMPLE: options.simple, MEDIUM: options.medium, COMPLEX: options.complex, REASONING: options.reasoning }, bands: options.bands },
    (ex) => stateOf(ex)?.table ?? table,
  );
  const score = createScorer({
    weights: options.weights,
    riskFloor: options.bands.medium,
    acuteFloor: options.bands.complex,
    forceSimple: options.force.simple,
    forceReasoning: options.force.reasoning,
  });
  const scorer: Scorer = { score, typedText, forExchange: (ex) => stateOf(ex)?.scorer ?? scorer };
  const { affinity, sideRequests } = options;
  // The store is opened on first use, not in setup.
  const pins = affinity.enabled ? new PinStore(() => ctx.store, affinity.ttlMs, ctx.log) : undefined;
  const capsOf = (t: { provider: string; model: string }) => ctx.providers.get(t.provider)?.capabilities?.(t.model);

  /** The capability guards, on whatever the stage decided. */
  const guarded = (decision: ResolvedDecision, request: MessagesRequest, state: RoutingState): ResolvedDecision => {
    let needs: Needs | undefined;
    const current = { target: { provider: decision.provider, model: decision.model }, tier: (decision.tier as TierName | undefined) ?? 'SIMPLE' };
    const { chosen, note } = guard(state.table, current, () => (needs ??= needsOf(request)), capsOf);
    if (!note) return decision;
    return { ...decision, ...chosen.target, tier: chosen.tier, reasons: [...decision.reasons, note] };
  };

  const withPin = (decision: ResolvedDecision, request: MessagesRequest, state: RoutingState, pin: Pin | undefined): ResolvedDecision => {
    const valid = pin !== undefined && ctx.providers.get(pin.provider) !== undefined && inTable(state.table, pin.provider, pin.model);
    let chosen = decision;
    if (valid) {
      const onPin = (why: string): ResolvedDecision => ({
        ...decision,
        provider: pin.provider,
        model: pin.model,
        tier: pin.tier,
        reasons: [...decision.reasons, `pinned to ${formatTarget(pin)} (${pin.tier}): ${why}`],
      });
      if (state.side === 'compaction') chosen = onPin('compaction of its conversation');
      else {
        const fresh = { tier: decision.tier as TierName, score: decision.score as number | undefined };
        const verdict = judgePin(pin, fresh, inToolExchange(request), state.table, affinity.escalationMargin);
        if (verdict === 'tool-exchange') chosen = onPin('tool exchange in progress');
        else if (verdict === 'hold') chosen = onPin('conversation stays');
        else chosen = { ...decision, reasons: [...decision.reasons, `escalated from pinned ${pin.tier}`] };
      }
    }
    const final = guarded(chosen, request, state);
    // Side requests never move a pin; every other request pins what serves it.
    if (!state.side && state.key) pins!.save(state.key, valid ? pin : undefined, { provider: final.provider, model: final.model, tier: final.tier as TierName });
    return final;
  };

  return {
    table,
    scorer,

    propose(decision, request, ex) {
      // A decision that already names a provider was made on purpose by an earlier `pre` handler: leave it.
      if (decision.provider) return undefined;
      const side = sideRequests.enabled ? detectSideRequest(request, ex.headers, sideRequests.markers) : undefined;
      const state: RoutingState = { table, scorer, side };
      ex.state.set(STATE, state);
      if (side && side !== 'compaction') {
        return { ...decision, ...table.get('SIMPLE').targets[0]!, tier: 'SIMPLE', side, reasons: [...decision.reasons, `side request (${side}): SIMPLE`] };
      }
      if (pins) {
        state.key = conversationKey(request, ex.headers, ex.team);
        state.pin = pins.get(state.key);
      }
      const result = score(latestTypedText(request));
      const tier = result.forced?.tier ?? table.tierFor(result.score);
      return {
        ...decision,
        ...table.get(tier).targets[0]!,
        tier,
        score: result.score,
        ...(side ? { side } : {}),
        reasons: [...decision.reasons, scoreReason(tier, result, table)],
      };
    },

    settle(decision, request, ex) {
      const state = stateOf(ex);
      if (!state || !decision.provider) return undefined;
      const resolved = decision as ResolvedDecision;
      if (!state.pin) return guarded(resolved, request, state);
      return state.pin.then((pin) => withPin(resolved, request, state, pin));
    },

    check() {
      const known = ctx.providers.list().map((p) => p.id);
      for (const tier of table.tiers) {
        if (tier.borrowedFrom) continue;
        for (const target of tier.targets) {
          if (!ctx.providers.get(target.provider)) {
            throw new LynkrError(
              'LYNKR_ERR_ROUTE_UNKNOWN_PROVIDER',
              `tier ${tier.name} names "${formatTarget(target)}", whose provider "${target.provider}" no enabled plugin registers (registered: ${known.join(', ') || 'none'})`,
            );
          }
        }
      }
      ctx.log.info({ tiers: describeTable(table) }, 'tier table');
    },

    pinOf: (ex) => stateOf(ex)?.pin,
  };
}
