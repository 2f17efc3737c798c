/**
 * The bandit's handlers: the route handler that chooses among admitted
 * arms, and the observers that turn each outcome into a reward for the arm
 * that served.
 */
import type {
  Capabilities,
  Exchange,
  ExchangeSummary,
  InvokeHandler,
  MessagesRequest,
  PluginContext,
  PostResponseHandler,
  PriceTable,
  ResponseSentHandler,
  RouteDecision,
  RouteHandler,
} from '../../kernel/index.js';
import { circuitsRef, type CircuitView } from '../resilience/refs.js';
import { TIERS, type Affinity, type ScoreResult, type Scorer, type TierDecision, type TierName, type TierTable } from '../router-tiers/refs.js';
import { admissible, armKey, armsOf, priorOf, statsKey, tierFor, type Arm, type ArmSet } from './arms.js';
import type { Contexts } from './feedback.js';
import { clamp01, clientOf, contextVector, DIM, inToolExchange, latestTypedText, offersTools, sizeOf } from './features.js';
import type { BanditOptions } from './options.js';
import { choose, type Candidate } from './policy.js';
import type { BanditChoice } from './refs.js';
import { costOf, rewardOf, ToolCalls } from './reward.js';
import type { ArmStore } from './state.js';

/** What one exchange's turn leaves for the observers. */
interface Turn {
  readonly table: TierTable;
  readonly request: MessagesRequest;
  /** The tier and score the tier router proposed: the tier selects the arms' statistics. */
  readonly tier: TierName;
  readonly score: number;
  /** The context, computed when the bandit chose, else when the outcome is known. */
  x: Float64Array | undefined;
  /** What the bandit chose, when it did (a pin or a tool exchange leaves it out; a fallback may serve another arm). */
  choice: BanditChoice | undefined;
  /** Arms already given a failed attempt of this exchange: a retry of the same arm is no new lesson. */
  failed: Set<string> | undefined;
  /** Set at the answer's first tool call. */
  tools: ToolCalls | undefined;
}

// One symbol for every instance: only one instance's handlers run for a request (a team's variant or the default).
const TURN = Symbol('bandit-linucb');

/** router-tiers' default weight of its `risk` feature: points at full strength. */
const RISK_POINTS = 16;

export interface BanditDeps {
  scorer: Scorer;
  tiers: TierTable;
  affinity: Affinity;
  arms: ArmStore;
  contexts: Contexts;
  prices: PriceTable;
  rng: () => number;
}

export interface Bandit {
  route: RouteHandler;
  invoke: InvokeHandler;
  postResponse: PostResponseHandler;
  responseSent: ResponseSentHandler;
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

/** How much of the risk vocabulary the turn touches, 0-1. */
const riskOf = (result: ScoreResult): number => clamp01((result.features.risk ?? 0) / RISK_POINTS);

/** Why `caps` cannot take the request: the same needs router-tiers' guards check. */
function fits(caps: Capabilities | undefined, need: { tokens: number; images: boolean; tools: boolean; maxTokens: number }): boolean {
  if (!caps) return true;
  if (need.images && !caps.vision) return false;
  if (need.tools && !caps.tools) return false;
  return need.tokens + Math.min(need.maxTokens, caps.maxOutputTokens) <= caps.contextWindow;
}

export function createBandit(ctx: PluginContext, options: BanditOptions, deps: BanditDeps): Bandit {
  const { scorer, tiers, affinity, arms: store, contexts, prices, rng } = deps;
  const armSets = new WeakMap<TierTable, ArmSet>();
  const armsFor = (table: TierTable): ArmSet => {
    let set = armSets.get(table);
    if (!set) armSets.set(table, (set = armsOf(table)));
    return set;
  };
  // Resolved on first use: resilience may set up after this plugin, and need not be there at all.
  let circuits: CircuitView | undefined | null = null;
  const circuitOpen = (arm: Arm): boolean => {
    if (circuits === null) circuits = ctx.services.tryResolve(circuitsRef);
    return circuits?.state(arm.provider, arm.model) === 'open';
  };
  const z = new Float64Array(DIM);
  const settings = { alpha: options.alpha, epsilon: options.epsilon };

  const risk = (request: MessagesRequest, ex: Exchange): { risk: number; forced: TierName | undefined } => {
    const result = scorer.forExchange(ex).score(latestTypedText(request, scorer.typedText));
    return { risk: riskOf(result), forced: result.forced?.tier };
  };

  /** The context of a turn the bandit did not choose for: computed only once its outcome is known, off the route. */
  const contextOf = (turn: Turn, ex: Exchange): Float64Array => {
    if (turn.x) return turn.x;
    const { request } = turn;
    turn.x = contextVector({
      score: turn.score,
      tokens: sizeOf(request).tokens,
      tools: offersTools(request),
      toolExchange: inToolExchange(request),
      risk: risk(request, ex).risk,
      stream: request.stream === true,
      client: clientOf(ex.headers),
    });
    return turn.x;
  };

  const learn = (turn: Turn, arm: Arm, x: Float64Array, reward: number): Promise<void> => store.update(statsKey(turn.tier, arm.key), x, reward);

  const decide = (decision: TierDecision & { score: number }, request: MessagesRequest, ex: Exchange, turn: Turn): RouteDecision | undefined => {
    const set = armsFor(turn.table);
    const proposed = set.byKey.get(armKey(decision.provider!, decision.model));
    // Not a tier target: another plugin chose it on purpose.
    if (!proposed) return undefined;
    const rank = TIERS.indexOf(decision.tier);
    const size = sizeOf(request);
    const tools = offersTools(request);
    const { risk: riskiness, forced } = risk(request, ex);
    const x = contextVector({
      score: decision.score,
      tokens: size.tokens,
      tools,
      toolExchange: false,
      risk: riskiness,
      stream: request.stream === true,
      client: clientOf(ex.headers),
    });
    turn.x = x;
    const need = { tokens: size.tokens, images: size.images, tools, maxTokens: request.max_tokens };
    const capsOf = (arm: Arm) => ctx.providers.get(arm.provider)?.capabilities?.(arm.model);
    // The proposal cannot take the request: router-tiers' guards move it, in their order.
    if (!fits(capsOf(proposed), need)) return undefined;
    const noDown = riskiness > 0 || forced === 'REASONING';
    const candidates: Candidate[] = [];
    let proposedAt = -1;
    for (const arm of set.list) {
      if (!admissible(arm, rank, options.maxTierShift, noDown) || !ctx.providers.get(arm.provider)) continue;
      if ((arm !== proposed && !fits(capsOf(arm), need)) || circuitOpen(arm)) continue;
      if (arm === proposed) proposedAt = candidates.length;
      const prior = store.lambda * priorOf(arm, proposed, rank, options.prior.margin);
      candidates.push({ arm, stats: store.stats(statsKey(turn.tier, arm.key)), prior });
    }
    if (!candidates.length) return undefined;
    const c = choose(candidates, proposedAt, x, settings, rng, z);
    const arm = candidates[c.chosen]!.arm;
    const choice: BanditChoice = { arm: arm.key, propensity: c.propensity, explored: c.explored, arms: candidates.length };
    turn.choice = choice;
    if (ex.log.isLevelEnabled('debug')) {
      const considered = candidates.map((k, i) => ({ arm: k.arm.key, ucb: round(c.ucb[i]!) }));
      ex.log.debug({ bandit: { proposed: proposed.key, arms: considered, chosen: arm.key, propensity: c.propensity, explored: c.explored } }, 'bandit decision');
    }
    if (arm === proposed) {
      if (candidates.length === 1) return { ...decision, bandit: choice };
      return { ...decision, bandit: choice, reasons: [...decision.reasons, `bandit: keeps ${arm.key} (p ${round(c.propensity, 2)}, ${candidates.length} arms)`] };
    }
    const why = c.explored
      ? 'explored'
      : proposedAt === -1
        ? `${proposed.key} unavailable`
        : `ucb ${round(c.ucb[c.chosen]!, 2)} > ${round(c.ucb[proposedAt]!, 2)}`;
    return {
      ...decision,
      provider: arm.provider,
      model: arm.model,
      tier: tierFor(arm, rank),
      bandit: choice,
      reasons: [...decision.reasons, `bandit: ${proposed.key} → ${arm.key} (${why}, p ${round(c.propensity, 2)}, ${candidates.length} arms)`],
    };
  };

  /** The route must never fail because of the bandit: a bug here leaves the decision as it was. */
  const decideSafely = (decision: TierDecision & { score: number }, request: MessagesRequest, ex: Exchange, turn: Turn): RouteDecision | undefined => {
    try {
      return decide(decision, request, ex, turn);
    } catch (error) {
      ex.log.warn({ err: error }, 'bandit failed to decide; the tier router\'s decision stands');
      return undefined;
    }
  };

  return {
    route(decision, request, ex) {
      const d = decision as Partial<TierDecision>;
      // Only turns router-tiers scored: not side requests, not what another plugin decided.
      if (!d.provider || !d.tier || d.side || typeof d.score !== 'number') return undefined;
      const current = d as TierDecision & { score: number };
      const turn: Turn = {
        table: tiers.forExchange(ex),
        request,
        tier: current.tier,
        score: current.score,
        x: undefined,
        choice: undefined,
        failed: undefined,
        tools: undefined,
      };
      ex.state.set(TURN, turn);
      // The model that made the tool calls must see their results: the pin serves, and the bandit only learns.
      if (inToolExchange(request)) return undefined;
      const pin = affinity.pinOf(ex);
      if (!pin) return decideSafely(current, request, ex, turn);
      // A pinned conversation stays where it is (router-tiers' post handler would put it back).
      return pin.then((p) => (p && armsFor(turn.table).byKey.has(armKey(p.provider, p.model)) ? undefined : decideSafely(current, request, ex, turn)));
    },

    invoke(call, next) {
      const result = next();
      const turn = call.exchange.state.get(TURN) as Turn | undefined;
      // Watch the attempt without adding a layer: a failure before the first event never reaches responseSent.
      if (turn) {
        result.catch((error: unknown) => {
          const ex = call.exchange;
          const code = (error as { code?: unknown } | undefined)?.code;
          if (ex.aborted || code === 'LYNKR_ERR_CLIENT_ABORTED' || code === 'LYNKR_ERR_SHUTTING_DOWN') return;
          const arm = armsFor(turn.table).byKey.get(armKey(call.decision.provider, call.decision.model));
          if (!arm || turn.failed?.has(arm.key)) return;
          (turn.failed ??= new Set()).add(arm.key);
          if (ex.log.isLevelEnabled('debug')) ex.log.debug({ bandit: { arm: arm.key, reward: 0, error: code } }, 'bandit reward');
          void learn(turn, arm, contextOf(turn, ex), 0);
        });
      }
      return result;
    },

    postResponse(event, ex) {
      const type = event.type;
      if (type !== 'content_block_start' && type !== 'content_block_delta' && type !== 'content_block_stop') return undefined;
      const turn = ex.state.get(TURN) as Turn | undefined;
      if (!turn) return undefined;
      if (!turn.tools) {
        if (type !== 'content_block_start' || event.content_block.type !== 'tool_use') return undefined;
        let offered: ReadonlySet<string> | undefined;
        turn.tools = new ToolCalls(() => (offered ??= new Set((turn.request.tools ?? []).map((t) => t.name))));
      }
      turn.tools.see(event);
      return undefined;
    },

    responseSent(summary: ExchangeSummary, ex) {
      const turn = ex.state.get(TURN) as Turn | undefined;
      const decision = summary.decision;
      if (!turn || summary.stopped || !decision?.provider) return undefined;
      // The client went away: that says nothing about the model.
      // (Not ex.aborted: the connection may close after the answer, and that is no abort of the exchange.)
      const code = summary.error?.code;
      if (code === 'LYNKR_ERR_CLIENT_ABORTED' || code === 'LYNKR_ERR_SHUTTING_DOWN') return undefined;
      const arm = armsFor(turn.table).byKey.get(armKey(decision.provider, decision.model));
      if (!arm) return undefined;
      const x = contextOf(turn, ex);
      let reward = 0;
      if (!summary.error && summary.stopReason !== 'refusal') {
        const price = prices.find(arm.provider, arm.model);
        const outcome = { latencyMs: ex.timings.upstreamMs, cost: price && costOf(summary.usage, price), toolValidity: turn.tools?.validity ?? 1 };
        reward = rewardOf(outcome, options.weights, options.scales);
        if (ex.log.isLevelEnabled('debug')) ex.log.debug({ bandit: { arm: arm.key, tier: turn.tier, reward: round(reward), ...outcome, chosen: turn.choice ?? null } }, 'bandit reward');
      }
      const saved = contexts.save(ex.id, statsKey(turn.tier, arm.key), x);
      const learned = learn(turn, arm, x, reward);
      return saved ? Promise.all([learned, saved]).then(() => undefined) : learned;
    },
  };
}
