import { definePlugin, Type } from '../../kernel/index.js';
import { chatHandler } from './chat.js';
import { renderOpenAIError } from './errors.js';
import { fitToUpstream, type FormatParam } from './fit.js';
import { responsesHandler } from './responses.js';
import { ResponseStore } from './store.js';

/** The surfaces this plugin serves, and what each calls the parameter that becomes `response_format`. */
const SURFACES: Readonly<Record<string, FormatParam>> = { 'openai-chat': 'response_format', 'openai-responses': 'text.format' };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The OpenAI API front door: Chat Completions (Copilot CLI, Aider, Cursor,
 * the OpenAI SDKs) and Responses (Codex CLI). Requests decode into the IR,
 * go through the pipeline like any other, and the answer goes back in the
 * caller's format, streamed or whole.
 */
export const openaiApi = definePlugin({
  name: 'api-openai',
  version: '1.0.0',
  kernel: '^1',
  description: 'OpenAI API: /v1/chat/completions and /v1/responses',
  options: Type.Object(
    {
      pingIntervalMs: Type.Integer({
        minimum: 10,
        default: 15_000,
        description: 'Send an SSE comment on a stream that has been silent this long, so that clients and proxies keep the connection open.',
      }),
      defaultMaxTokens: Type.Integer({
        minimum: 1,
        default: 8192,
        description: 'The output limit of a request that sets none (max_tokens, max_completion_tokens, max_output_tokens); providers clamp it further to what the model takes.',
      }),
      storeResponses: Type.Boolean({
        default: true,
        description: 'Keep responses (unless the request says store: false) so that previous_response_id can continue them.',
      }),
      storeTtlMs: Type.Integer({ minimum: 1000, default: DAY_MS, description: 'How long a stored response can be continued.' }),
      storeMaxBytes: Type.Integer({
        minimum: 1024,
        default: 8 * 1024 * 1024,
        description: 'The largest conversation stored for one response (it holds the whole history); a larger one is not kept, and continuing it gets a 400 that says so.',
      }),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    const renderError = renderOpenAIError;
    const settings = { pipeline: ctx.pipeline, pingIntervalMs: options.pingIntervalMs, defaultMaxTokens: options.defaultMaxTokens };
    const store = options.storeResponses ? new ResponseStore(ctx.store, { ttlMs: options.storeTtlMs, maxBytes: options.storeMaxBytes }) : undefined;
    const wireOf = (provider: string) => ctx.providers.get(provider)?.wire;

    ctx.http.route({ method: 'POST', url: '/v1/chat/completions', surface: 'openai-chat', renderError, handler: chatHandler(settings) });
    ctx.http.route({ method: 'POST', url: '/v1/responses', surface: 'openai-responses', renderError, handler: responsesHandler({ ...settings, store, wireOf }) });

    // Innermost ('post'): it must see the provider actually called, after any fallback handler changed it.
    ctx.hooks.on(
      'invoke',
      (call, next) => {
        const formatParam = SURFACES[call.exchange.surface];
        const wire = formatParam && wireOf(call.decision.provider);
        if (!wire) return next();
        const target = { provider: call.decision.provider, wire };
        const request = fitToUpstream(call.request, target, formatParam, (msg) => call.exchange.log.debug(msg));
        return request === call.request ? next() : next({ ...call, request });
      },
      { order: 'post' },
    );
  },
});

export default openaiApi;
