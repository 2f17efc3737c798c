import { Type, type Static } from '../../kernel/index.js';
import { DEFAULT_WEIGHTS, FEATURES, type Feature } from './scorer.js';

const target = Type.String({
  pattern: '^[a-z][a-z0-9-]*:.+$',
  description: '`provider:model`, split at the first colon (`ollama:qwen2.5-coder:7b`)',
});
const entries = Type.Union([target, Type.Array(target, { minItems: 1 })], {
  description: 'one `provider:model` or several, in order of preference',
});
const weight = (feature: Feature) => Type.Number({ default: DEFAULT_WEIGHTS[feature] });
const weights = Object.fromEntries(FEATURES.map((f) => [f, weight(f)])) as { [F in Feature]: ReturnType<typeof weight> };
const band = (lowest: number, description: string) => Type.Integer({ minimum: 1, maximum: 100, default: lowest, description });

/** router-tiers' options. @public */
export const RouterTiersOptions = Type.Object(
  {
    simple: Type.Optional(entries),
    medium: Type.Optional(entries),
    complex: Type.Optional(entries),
    reasoning: Type.Optional(entries),
    bands: Type.Object(
      {
        medium: band(20, 'lowest score routed to MEDIUM (SIMPLE below)'),
        complex: band(45, 'lowest score routed to COMPLEX'),
        reasoning: band(70, 'lowest score routed to REASONING'),
      },
      { default: {}, additionalProperties: false },
    ),
    weights: Type.Object(weights, {
      default: {},
      additionalProperties: false,
      description: 'points per feature at full strength (README: the scorer)',
    }),
    force: Type.Object(
      {
        simple: Type.Boolean({ default: true, description: 'greetings, thanks and acknowledgements go to SIMPLE' }),
        reasoning: Type.Boolean({ default: true, description: '"think hard", "ultrathink", security audits and formal proofs go to REASONING' }),
      },
      { default: {}, additionalProperties: false },
    ),
    sideRequests: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: "route a client's background calls (titles, summaries, suggestions, probes) to SIMPLE" }),
        markers: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          description: 'more texts that mark a request as a side request when its latest user text contains one',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    affinity: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'keep a conversation on the model that served it' }),
        ttlMs: Type.Integer({ minimum: 1000, default: 6 * 3600_000, description: 'how long a pin lives after its last use' }),
        escalationMargin: Type.Integer({
          minimum: 0,
          maximum: 100,
          default: 10,
          description: 'a typed turn moves a pinned conversation up when it scores this far into a higher band',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** @public */
export type RouterTiersOptions = Static<typeof RouterTiersOptions>;
