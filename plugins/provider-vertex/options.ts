/**
 * Options of the Vertex provider, and the endpoints they make.
 */
import { LynkrError, Type, type Static } from '../../kernel/index.js';

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'vertex', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    project: Type.Optional(Type.String({ minLength: 1, description: 'The Google Cloud project. Default: the key file\'s project_id, else what ADC finds.' })),
    region: Type.String({
      minLength: 1,
      default: 'global',
      pattern: '^[a-z0-9-]+$',
      description: 'The Vertex location: `global`, or a region such as `us-east5` or `europe-west1`.',
    }),
    credentials: Type.Optional(
      Type.String({ minLength: 1, description: 'A service account key: the path of its JSON file, or the JSON itself. Default: Application Default Credentials.' }),
    ),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'A Gemini API key: Gemini models then go to the Gemini API (generativelanguage.googleapis.com).' })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'The model used when the route names none and the map has no match.' })),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models.' }),
    family: Type.Optional(
      Type.Union([Type.Literal('claude'), Type.Literal('gemini')], {
        description: 'Which family the Claude names clients ask for map to. Default: `gemini` with only an API key, else `claude`.',
      }),
    ),
    modelMap: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Requested model → upstream model, replacing the family\'s default map.' }),
    ),
    baseUrl: Type.Optional(Type.String({ minLength: 1, description: 'Replaces the scheme and host of every endpoint (a proxy, a private endpoint, tests).' })),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Extra request headers (e.g. x-goog-user-project).' }),
    timeouts: Type.Optional(
      Type.Object(
        {
          connectMs: Type.Optional(Type.Integer({ minimum: 1 })),
          firstByteMs: Type.Optional(Type.Integer({ minimum: 1 })),
          idleMs: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    capabilities: Type.Optional(
      Type.Object(
        {
          tools: Type.Optional(Type.Boolean()),
          vision: Type.Optional(Type.Boolean()),
          thinking: Type.Optional(Type.Boolean()),
          maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'max_tokens is clamped to it, for every model.' })),
          contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;

const GEMINI_API = 'https://generativelanguage.googleapis.com';

/**
 * The endpoint URLs. Vertex puts the model, and the method, in the path:
 * `/v1/projects/P/locations/L/publishers/{anthropic|google}/models/M:method`;
 * the `global` location has no region in its host name.
 */
export class Endpoints {
  readonly #vertexHost: string;
  readonly #geminiApiHost: string;
  readonly #region: string;

  constructor(options: Pick<Options, 'id' | 'region' | 'baseUrl'>) {
    const base = options.baseUrl?.replace(/\/+$/, '');
    if (base !== undefined) {
      try {
        new URL(base);
      } catch {
        throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${options.id}": baseUrl "${options.baseUrl}" is not a URL`);
      }
    }
    this.#region = options.region;
    this.#vertexHost = base ?? (options.region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${options.region}-aiplatform.googleapis.com`);
    this.#geminiApiHost = base ?? GEMINI_API;
  }

  /** Claude on Vertex: `rawPredict`, or `streamRawPredict` (Anthropic's SSE). */
  claude(project: string, model: string, stream: boolean): URL {
    return this.#vertex(project, 'anthropic', model, stream ? 'streamRawPredict' : 'rawPredict');
  }

  /** Gemini on Vertex: `generateContent`, or `streamGenerateContent?alt=sse` (without `alt=sse` it streams a JSON array). */
  geminiVertex(project: string, model: string, stream: boolean): URL {
    return this.#vertex(project, 'google', model, stream ? 'streamGenerateContent?alt=sse' : 'generateContent');
  }

  /** Gemini on the Gemini API, keyed by `x-goog-api-key` (the key stays out of URLs, and so out of logs). */
  geminiApi(model: string, stream: boolean): URL {
    return new URL(`${this.#geminiApiHost}/v1beta/models/${segment(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`);
  }

  #vertex(project: string, publisher: string, model: string, method: string): URL {
    return new URL(`${this.#vertexHost}/v1/projects/${segment(project)}/locations/${this.#region}/publishers/${publisher}/models/${segment(model)}:${method}`);
  }
}

/** A path segment, with `@` kept as Vertex writes its Claude ids (`claude-sonnet-4-5@20250929`). */
const segment = (value: string) => encodeURIComponent(value).replaceAll('%40', '@');
