import { Type, type Static } from '../../kernel/index.js';

const Price = Type.Object(
  {
    input: Type.Number({ minimum: 0, description: 'Per million input tokens.' }),
    output: Type.Number({ minimum: 0, description: 'Per million output tokens.' }),
    cacheRead: Type.Optional(Type.Number({ minimum: 0 })),
    cacheWrite: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** bandit-linucb's options. @public */
export const BanditOptions = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Off: the plugin leaves every decision alone (a team can turn it on).' }),
    alpha: Type.Number({ minimum: 0, default: 0.5, description: 'Width of the upper confidence bound: how much an arm that has seen little is tried.' }),
    epsilon: Type.Number({ minimum: 0, maximum: 0.5, default: 0.02, description: 'Probability of a uniform pick among the admitted arms.' }),
    maxTierShift: Type.Integer({ minimum: 0, maximum: 3, default: 1, description: 'How many tiers away from the proposed one the bandit may move a turn.' }),
    prior: Type.Object(
      {
        weight: Type.Number({ exclusiveMinimum: 0, default: 16, description: 'How many observations the tier router\'s opinion is worth.' }),
        margin: Type.Number({
          minimum: 0,
          maximum: 0.5,
          default: 0.15,
          description: 'How much lower than the proposal an untrained arm starts, per tier of distance (half of it for another target of the proposed tier).',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    weights: Type.Object(
      {
        latency: Type.Number({ minimum: 0, maximum: 1, default: 0.15, description: 'Penalty for the wait before the first event.' }),
        cost: Type.Number({ minimum: 0, maximum: 1, default: 0.25, description: 'Penalty for the answer\'s cost.' }),
        toolCalls: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'Penalty for the share of tool calls that name no offered tool or whose input is not a JSON object.' }),
        feedback: Type.Number({ exclusiveMinimum: 0, default: 2, description: 'How many observations one explicit rating counts as.' }),
      },
      { default: {}, additionalProperties: false },
    ),
    scales: Type.Object(
      {
        latencyMs: Type.Integer({ minimum: 1, default: 5000, description: 'The wait that costs half the latency penalty.' }),
        cost: Type.Number({ exclusiveMinimum: 0, default: 0.05, description: 'The cost (in the price table\'s currency) that costs half the cost penalty.' }),
      },
      { default: {}, additionalProperties: false },
    ),
    prices: Type.Record(Type.String({ minLength: 1 }), Price, { default: {}, description: 'Prices per million tokens by model id or `provider:model`, over config/prices.json.' }),
    free: Type.Array(Type.String({ minLength: 1 }), { default: ['ollama', 'llamacpp', 'lmstudio'], description: 'Providers whose models cost nothing.' }),
    feedbackTtlMs: Type.Integer({ minimum: 1000, default: 3_600_000, description: 'How long a request can be rated through POST /v1/lynkr/feedback.' }),
    refreshMs: Type.Integer({ minimum: 1000, default: 15_000, description: 'How often the arms are read again from a shared store (sqlite, redis) for what other instances learned.' }),
    seed: Type.Optional(Type.Integer({ description: 'Seed of the exploration\'s random numbers, for reproducible runs.' })),
  },
  { additionalProperties: false },
);

/** @public */
export type BanditOptions = Static<typeof BanditOptions>;
