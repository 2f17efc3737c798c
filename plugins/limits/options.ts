import { Type, type Static } from '../../kernel/index.js';

const SCOPE = 'Who shares a budget: each Lynkr key (`key`), or all the keys of a team together (`team`).';
const scope = (extra: { default?: 'key' } = {}) => Type.Union([Type.Literal('key'), Type.Literal('team')], { description: SCOPE, ...extra });

const limits = {
  requestsPerMinute: Type.Integer({ minimum: 0, default: 0, description: 'Requests per minute per caller; 0 is no limit.' }),
  tokensPerMinute: Type.Integer({
    minimum: 0,
    default: 0,
    description: 'Tokens per minute per caller (input, cache reads and writes, and output, as the upstream reported them); 0 is no limit.',
  }),
  concurrentStreams: Type.Integer({ minimum: 0, default: 0, description: 'Answers in flight at once per caller, streamed or not, on each instance; 0 is no limit.' }),
};

const TeamLimits = Type.Object(
  {
    requestsPerMinute: Type.Optional(Type.Integer({ minimum: 0 })),
    tokensPerMinute: Type.Optional(Type.Integer({ minimum: 0 })),
    concurrentStreams: Type.Optional(Type.Integer({ minimum: 0 })),
    scope: Type.Optional(scope()),
  },
  { additionalProperties: false },
);

/** @public */
export const LimitsOptions = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'false turns every limit and load shedding off (for a team, say).' }),
    scope: scope({ default: 'key' }),
    window: Type.Union([Type.Literal('sliding'), Type.Literal('fixed')], {
      default: 'sliding',
      description: 'How a minute is counted: `sliding` weighs the previous minute by how much of it is still within the last 60 s; `fixed` restarts at each whole minute.',
    }),
    ...limits,
    teams: Type.Record(Type.String({ pattern: '^[a-zA-Z0-9_-]+$' }), TeamLimits, {
      default: {},
      description: 'Limits per team (the teams of the config), over the ones above.',
    }),
    loadShedding: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        eventLoopDelayMs: Type.Integer({
          minimum: 0,
          default: 0,
          description: 'Refuse new requests while the mean event-loop lag of the last sample is above this many ms; 0 is off.',
        }),
        sampleIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000, description: 'How often the lag is sampled.' }),
        retryAfterSeconds: Type.Integer({ minimum: 1, default: 1, description: 'The `retry-after` a shed request gets.' }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** @public */
export type LimitsOptions = Static<typeof LimitsOptions>;

/** What applies to one team's requests. */
export interface Resolved {
  scope: 'key' | 'team';
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrentStreams: number;
}

/** The limits for a team (undefined: the default team), the team's entry over the plugin's own. */
export function resolveFor(options: LimitsOptions, team: string | undefined): Resolved {
  const own = team === undefined ? undefined : options.teams[team];
  return {
    scope: own?.scope ?? options.scope,
    requestsPerMinute: own?.requestsPerMinute ?? options.requestsPerMinute,
    tokensPerMinute: own?.tokensPerMinute ?? options.tokensPerMinute,
    concurrentStreams: own?.concurrentStreams ?? options.concurrentStreams,
  };
}
