/**
 * Options of the Ollama provider, and how they become the adapter's
 * settings.
 */
import { DEFAULT_CAPABILITIES, LynkrError, Type, type Capabilities, type ModelMap, type Static } from '../../kernel/index.js';
import type { OllamaUpstream } from './adapter.js';

const CapabilitiesSchema = Type.Object(
  {
    tools: Type.Optional(Type.Boolean()),
    vision: Type.Optional(Type.Boolean()),
    thinking: Type.Optional(Type.Boolean()),
    maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'max_tokens is clamped to it (num_predict).' })),
    contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** @public */
export const OptionsSchema = Type.Object(
  {
    id: Type.String({ default: 'ollama', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'The provider id in route decisions.' }),
    baseUrl: Type.String({ minLength: 1, default: 'http://127.0.0.1:11434', description: 'The server root; a trailing /v1, /api or /api/chat is removed.' }),
    model: Type.String({ minLength: 1, default: 'qwen2.5-coder:7b', description: 'The model used when the route names none.' }),
    models: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'More models to list in /v1/models; a client asking for one of them gets it.' }),
    modelMap: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: 'Claude names → Ollama models, when the route names no model. Default: none (the default model).' }),
    ),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'Sent as Authorization: Bearer (Ollama Cloud, or a proxy that checks keys).' })),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    keepAlive: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Number()], { description: 'Sent as keep_alive: a duration ("10m", "1h") or seconds (0 unloads at once, -1 never).' }),
    ),
    numCtx: Type.Optional(Type.Integer({ minimum: 1, description: 'Sent as options.num_ctx; the context window Ollama allocates.' })),
    think: Type.Optional(
      Type.Union([Type.Boolean(), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')], { description: 'Sent as think; only for models that can think.' }),
    ),
    keepThinking: Type.Boolean({ default: false, description: "Pass the model's thinking to the client as (unsigned) thinking blocks." }),
    thinkingHistory: Type.Union([Type.Literal('drop'), Type.Literal('text')], { default: 'drop', description: 'Earlier thinking blocks: left out, or sent as <thinking> text.' }),
    requestOptions: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'More entries of Ollama\'s options object (repeat_penalty, seed, num_gpu, ...).' })),
    capabilities: Type.Optional(CapabilitiesSchema),
    modelCapabilities: Type.Optional(Type.Record(Type.String(), CapabilitiesSchema, { description: 'Per model, over `capabilities`.' })),
    timeouts: Type.Optional(
      Type.Object(
        {
          connectMs: Type.Optional(Type.Integer({ minimum: 1 })),
          firstByteMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Includes loading the model: raise it for large models on slow disks.' })),
          idleMs: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** @public */
export type Options = Static<typeof OptionsSchema>;

/**
 * The context window routing assumes when `numCtx` is unset. Ollama's own
 * default depends on its version and the server's OLLAMA_CONTEXT_LENGTH,
 * which Lynkr cannot see; set `numCtx` (or `capabilities.contextWindow`)
 * to make it exact.
 */
const DEFAULT_CONTEXT_WINDOW = 32_768;

/** A root URL: the chat path is Lynkr's to add, and `/v1` belongs to the OpenAI-compatible endpoint. */
const TRAILING_PATH = /\/+(?:api\/chat|api|v1)?\/*$/;

/** The options as the adapter needs them: the URL built and checked, the headers built, the capabilities resolved per model. */
export function upstreamOf(options: Options): OllamaUpstream {
  const href = `${options.baseUrl.replace(TRAILING_PATH, '')}/api/chat`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${options.id}": baseUrl "${options.baseUrl}" is not a URL`);
  }
  const headers: Record<string, string> = {};
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;

  const base: Readonly<Capabilities> = Object.freeze({
    ...DEFAULT_CAPABILITIES,
    thinking: options.think !== undefined && options.think !== false,
    contextWindow: options.numCtx ?? DEFAULT_CONTEXT_WINDOW,
    ...options.capabilities,
  });
  const perModel = new Map(Object.entries(options.modelCapabilities ?? {}).map(([model, caps]) => [model, Object.freeze({ ...base, ...caps })]));

  return {
    id: options.id,
    url,
    headers,
    model: options.model,
    models: options.models,
    modelMap: options.modelMap as ModelMap | undefined,
    capabilities: (model) => perModel.get(model) ?? base,
    keepAlive: keepAliveOf(options.keepAlive),
    numCtx: options.numCtx,
    think: options.think,
    keepThinking: options.keepThinking,
    thinkingHistory: options.thinkingHistory,
    requestOptions: options.requestOptions,
    timeouts: options.timeouts,
  };
}

/** Ollama reads a string as a Go duration, which needs a unit: `"300"` is sent as the number 300 (seconds). */
export function keepAliveOf(value: string | number | undefined): string | number | undefined {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return /^-?\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}
