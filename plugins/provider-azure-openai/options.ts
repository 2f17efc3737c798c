/**
 * Options of the Azure OpenAI provider.
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

const Capabilities = Type.Object(
  {
    tools: Type.Optional(Type.Boolean()),
    vision: Type.Optional(Type.Boolean()),
    thinking: Type.Optional(Type.Boolean()),
    maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
    contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const Names = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description }));

/** The latest GA version of the versioned data-plane API; newer features need a preview version or the v1 API. */
export const DEFAULT_API_VERSION = '2024-10-21';

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'azure-openai', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    endpoint: Type.String({
      minLength: 1,
      description: 'The resource (`https://<resource>.openai.azure.com`), or a full chat or Responses URL copied from the portal (its deployment and api-version are used).',
    }),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'The resource key, sent as `api-key`.' })),
    bearerToken: Type.Optional(Type.String({ minLength: 1, description: 'A Microsoft Entra ID token, sent as Authorization: Bearer (instead of apiKey).' })),
    apiVersion: Type.Optional(Type.String({ minLength: 1, description: `The chat api-version (default: the endpoint URL's, else ${DEFAULT_API_VERSION}).` })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The deployment used when the route names none (default: the endpoint URL\'s).' })),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More deployments to list in /v1/models.' }),
    modelMap: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Requested model → deployment, when the route names no model.' }),
    ),
    responsesModels: Names('Deployments served through the Responses API (`name`, or `prefix*`). Default: the codex, pro, deep-research and computer-use models by name.'),
    responsesApiVersion: Type.Optional(
      Type.String({ minLength: 1, description: 'Use `/openai/responses?api-version=<it>` instead of the v1 API (`/openai/v1/responses`).' }),
    ),
    reasoningModels: Names('Reasoning deployments (`name`, or `prefix*`). Default: o-series, codex and gpt-5 models (not gpt-5-chat) by name.'),
    reasoningEffort: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('minimal'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('xhigh')], {
        description: 'Sent to reasoning deployments as their reasoning effort, over what the request implies.',
      }),
    ),
    keepReasoning: Type.Boolean({
      default: false,
      description: 'Responses deployments: return reasoning as thinking blocks and send them back (only for clients that stay on OpenAI models).',
    }),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    capabilities: Type.Optional(Capabilities),
    timeouts: Type.Optional(Timeouts),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;
