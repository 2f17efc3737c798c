/**
 * Options of the Bedrock provider, and how they become the adapter's
 * settings: the endpoint, the way requests are signed, the model map.
 */
import { LynkrError, Type, type ModelMap, type Static } from '../../kernel/index.js';
import { bearerAuth, sigV4Auth, type BedrockAuth } from './auth.js';
import { defaultModelMap, defaultModelOf } from './models.js';

const Timeouts = Type.Object(
  {
    connectMs: Type.Optional(Type.Integer({ minimum: 1, description: 'TCP/TLS connect (default 10000).' })),
    firstByteMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Request sent to first body byte (default 120000).' })),
    idleMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Between two body pieces (default 90000).' })),
  },
  { additionalProperties: false },
);

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'bedrock', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    region: Type.Optional(Type.String({ minLength: 1, description: 'Default: AWS_BEDROCK_REGION, AWS_REGION, then us-east-1.' })),
    baseUrl: Type.Optional(Type.String({ minLength: 1, description: 'The endpoint (a VPC endpoint, a test server). Default: https://bedrock-runtime.<region>.amazonaws.com.' })),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'A Bedrock API key, sent as `Authorization: Bearer` instead of SigV4.' })),
    accessKeyId: Type.Optional(Type.String({ minLength: 1, description: 'SigV4 with static credentials; without them, the AWS credential chain.' })),
    secretAccessKey: Type.Optional(Type.String({ minLength: 1 })),
    sessionToken: Type.Optional(Type.String({ minLength: 1 })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The model used when neither the route nor the model map names one.' })),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models.' }),
    modelMap: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: {},
      description: 'Claude names to Bedrock model ids, merged over the default map.',
    }),
    capabilities: Type.Optional(
      Type.Object(
        {
          tools: Type.Optional(Type.Boolean()),
          vision: Type.Optional(Type.Boolean()),
          thinking: Type.Optional(Type.Boolean()),
          maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
          contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false, description: 'Overrides what the model family table says, for every model.' },
      ),
    ),
    timeouts: Type.Optional(Timeouts),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;

/** The adapter's settings. */
export interface BedrockUpstream {
  id: string;
  region: string;
  /** The endpoint origin (and base path), without a trailing slash. */
  baseUrl: string;
  auth: BedrockAuth;
  model: string;
  models: readonly string[];
  modelMap: ModelMap;
  capabilities: Options['capabilities'];
  timeouts: Options['timeouts'];
}

/** The options as the adapter needs them. `env` supplies the region when the options name none. */
export function upstreamOf(options: Options, env: Readonly<Record<string, string | undefined>> = process.env): BedrockUpstream {
  const { id } = options;
  const region = options.region ?? env.AWS_BEDROCK_REGION ?? env.AWS_REGION ?? 'us-east-1';
  const baseUrl = (options.baseUrl ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, '');
  try {
    new URL(baseUrl);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": baseUrl "${baseUrl}" is not a URL`);
  }
  if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": accessKeyId and secretAccessKey go together`);
  }
  const credentials =
    options.accessKeyId && options.secretAccessKey
      ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, ...(options.sessionToken && { sessionToken: options.sessionToken }) }
      : undefined;
  return {
    id,
    region,
    baseUrl,
    auth: options.apiKey ? bearerAuth(options.apiKey) : sigV4Auth({ region, credentials, label: id }),
    model: options.model ?? defaultModelOf(region),
    models: options.models,
    modelMap: Object.freeze({ ...defaultModelMap(region), ...options.modelMap }),
    capabilities: options.capabilities,
    timeouts: options.timeouts,
  };
}
