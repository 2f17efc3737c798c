/**
 * Options of the Z.ai provider.
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

/** Claude names → GLM models, for a client (Claude Code) that asks for Claude by name; anything else gets `model`. */
export const DEFAULT_MODEL_MAP: Readonly<Record<string, string>> = Object.freeze({ sonnet: 'glm-4.7', haiku: 'glm-4.5-air' });

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'zai', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    apiKey: Type.String({ minLength: 1, description: 'The Z.ai API key: x-api-key on the Anthropic endpoint, Authorization: Bearer on the OpenAI one.' }),
    wire: Type.Optional(
      Type.Union([Type.Literal('anthropic'), Type.Literal('openai')], {
        description: 'Which of Z.ai\'s APIs to call. Default: `openai` when endpoint is a /chat/completions URL, else `anthropic`.',
      }),
    ),
    endpoint: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The API URL. Default: https://api.z.ai/api/anthropic/v1/messages, or https://api.z.ai/api/paas/v4/chat/completions for the openai wire.',
      }),
    ),
    model: Type.String({ minLength: 1, default: 'glm-4.7', description: 'The model used when the route names none and the map has no entry.' }),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models.' }),
    modelMap: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: { ...DEFAULT_MODEL_MAP },
      description: 'Requested model → GLM model, when the route names no model; replaces the default map.',
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
