import { definePlugin, LYNKR_VERSION, Type } from '../../kernel/index.js';
import { localTokenCounter, type TokenCounter } from './count-tokens.js';
import { renderAnthropicError } from './errors.js';
import { messagesHandler } from './messages.js';
import { anthropicModelList, collectModels, openAIModelList, wantsAnthropicFormat, type PageQuery } from './models.js';
import { parseCountTokensRequest } from './request.js';

/**
 * The Anthropic Messages API front door: what Claude Code and the Anthropic
 * SDKs call. Requests are already in the IR, so it validates, runs the
 * pipeline and writes the answer back, streamed or whole.
 */
export default definePlugin({
  name: 'api-anthropic',
  version: '1.0.0',
  kernel: '^1',
  description: 'Anthropic Messages API: /v1/messages, count_tokens, /v1/models',
  options: Type.Object(
    {
      pingIntervalMs: Type.Integer({
        minimum: 10,
        default: 15_000,
        description: 'Send a ping on a stream that has been silent this long, so that clients and proxies keep the connection open.',
      }),
    },
    { additionalProperties: false },
  ),
  setup(ctx, options) {
    const surface = 'anthropic';
    const renderError = renderAnthropicError;
    // The one place a counter is chosen: an upstream-backed counter for Anthropic-family routes would be picked here.
    const counter: TokenCounter = localTokenCounter;

    ctx.http.route({ method: 'POST', url: '/v1/messages', surface, renderError, handler: messagesHandler(ctx.pipeline, options.pingIntervalMs) });

    ctx.http.route({
      method: 'POST',
      url: '/v1/messages/count_tokens',
      surface,
      renderError,
      async handler(req, reply, ex) {
        const request = parseCountTokensRequest(req.body);
        const inputTokens = await counter.count(request, ex);
        return reply.header('request-id', ex.id).send({ input_tokens: inputTokens });
      },
    });

    ctx.http.route({
      method: 'GET',
      url: '/v1/models',
      surface,
      renderError,
      handler(req, reply, ex) {
        const models = collectModels(ctx.providers.list(), ex.log);
        const body = wantsAnthropicFormat(req.headers) ? anthropicModelList(models, req.query as PageQuery) : openAIModelList(models);
        return reply.header('request-id', ex.id).send(body);
      },
    });

    // Claude Code probes `HEAD /` before its first request; a 404 there reads as "no server".
    ctx.http.route({
      method: ['GET', 'HEAD'],
      url: '/',
      auth: false,
      surface,
      renderError,
      handler: (_req, reply) => reply.send({ name: 'lynkr', version: LYNKR_VERSION, status: 'ok' }),
    });
    // The tokenizer loads on the first count_tokens call, not here: its tables take tens of megabytes that a
    // gateway whose clients never count tokens should not carry.
  },
});
