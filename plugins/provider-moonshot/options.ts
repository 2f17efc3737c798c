/**
 * Options of the Moonshot (Kimi) provider.
 */
import { Type, type Static } from '../../kernel/index.js';

const Timeouts = Type.Object(
  {
    connectMs: Type.Optional(Type.Integer({ minimum: 1, description: 'TCP/TLS connect (default 10000).' })),
    firstByteMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Request sent to first body byte (default 120000).' })),
    idleMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Between two body pieces (default 90000).' })),
  },
  { additionalProperties: false },
);

/**
 * Claude names → Kimi, and the ids Moonshot retired → their successors.
 * Moonshot's own ids not listed here pass through as the client asked.
 */
export const DEFAULT_MODEL_MAP: Readonly<Record<string, string>> = Object.freeze({
  'claude-*': 'kimi-k2.6',
  'kimi-k2-turbo-preview': 'kimi-k2.6',
  'kimi-k2-thinking': 'kimi-k3',
  'moonshot-v1-auto': 'moonshot-v1-128k',
});

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'moonshot', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    apiKey: Type.String({ minLength: 1, description: 'The Moonshot API key, sent as Authorization: Bearer.' }),
    wire: Type.Optional(
      Type.Union([Type.Literal('openai'), Type.Literal('anthropic')], {
        description: 'Which of Moonshot\'s APIs to call. Default: `anthropic` when endpoint is an …/anthropic or …/messages URL, else `openai`.',
      }),
    ),
    endpoint: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The API URL. Default: https://api.moonshot.ai/v1/chat/completions, or https://api.moonshot.ai/anthropic/v1/messages for the anthropic wire.',
      }),
    ),
    model: Type.String({ minLength: 1, default: 'kimi-k2.6', description: 'The model for requests that name neither a Moonshot model nor one in the map.' }),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models.' }),
    modelMap: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: { ...DEFAULT_MODEL_MAP },
      description: 'Requested model → Moonshot model, when the route names no model; replaces the default map.',
    }),
    anthropicVersion: Type.String({ minLength: 1, default: '2023-06-01', description: 'Anthropic wire: sent when the client sends no anthropic-version.' }),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    capabilities: Type.Optional(
      Type.Object(
        {
          tools: Type.Optional(Type.Boolean()),
          vision: Type.Optional(Type.Boolean()),
          thinking: Type.Optional(Type.Boolean()),
          maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
          contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    timeouts: Type.Optional(Timeouts),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;
