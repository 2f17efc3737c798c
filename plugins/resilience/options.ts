import { Type, type Static } from '../../kernel/index.js';

const target = Type.String({ pattern: '^[a-z][a-z0-9-]*:.+$', description: '`provider:model`' });

const Retry = Type.Object(
  {
    attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Calls to one provider:model, the first included.' }),
    baseDelayMs: Type.Integer({ minimum: 0, default: 250, description: 'Backoff before the second call; doubles each time, with full jitter.' }),
    maxDelayMs: Type.Integer({ minimum: 0, default: 8000, description: 'The longest backoff between two calls.' }),
    maxRetryAfterMs: Type.Integer({
      minimum: 0,
      default: 20_000,
      description: "The longest upstream retry-after Lynkr waits for; a longer one moves on to the fallbacks (or to the client, with the upstream's retry-after).",
    }),
  },
  { additionalProperties: false },
);

const Breaker = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    failures: Type.Integer({ minimum: 1, default: 5, description: 'Consecutive failures that open the circuit of a provider:model.' }),
    cooldownMs: Type.Integer({ minimum: 100, default: 30_000, description: 'How long an open circuit refuses calls before one probe may go through.' }),
  },
  { additionalProperties: false },
);

/** @public */
export const ResilienceOptions = Type.Object(
  {
    retry: Type.Object(Retry.properties, { default: {}, additionalProperties: false }),
    /** Per provider id: its own retry settings over `retry`. */
    providers: Type.Record(Type.String(), Type.Partial(Retry), { default: {}, description: 'Retry settings per provider id, over `retry`.' }),
    budgetMs: Type.Integer({
      minimum: 0,
      default: 30_000,
      description: 'Time all retries and fallbacks of one request may take, waits included; none starts past it.',
    }),
    breaker: Type.Object(Breaker.properties, { default: {}, additionalProperties: false }),
    fallback: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        ladder: Type.Union([Type.Literal('up'), Type.Literal('up-then-down'), Type.Literal('none')], {
          default: 'up-then-down',
          description:
            "With router-tiers: after the tier's other entries, the tiers above (a stronger model), then with up-then-down the tiers below (an answer beats none).",
        }),
        targets: Type.Array(target, { default: [], description: 'Tried last, in order, for any request (with or without tiers).' }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** @public */
export type ResilienceOptions = Static<typeof ResilienceOptions>;
export type RetrySettings = Static<typeof Retry>;
