/**
 * `POST /v1/messages`: decode, run the pipeline, answer as a stream or as
 * one JSON message.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  sendAnswer,
  collectMessage,
  errorFromStreamError,
  overheadMs,
  StreamError,
  streamAnswer,
  takeVerbatim,
  type Exchange,
  type MessagesResponse,
  type PipelineApi,
  type PipelineResult,
} from '../../kernel/index.js';
import { parseMessagesRequest } from './request.js';
import { anthropicEncoding } from './stream.js';

/** The route handler, bound to the pipeline and the plugin's options. */
export function messagesHandler(pipeline: PipelineApi, pingIntervalMs: number) {
  return async (req: FastifyRequest, reply: FastifyReply, ex: Exchange): Promise<unknown> => {
    const waited = { ms: 0 };
    try {
      const request = parseMessagesRequest(req.body);
      const result = await pipeline.handle(request, ex);
      if (request.stream === true) return await streamAnswer(reply, result, ex, { pingIntervalMs, encoding: anthropicEncoding(ex) });
      // An Anthropic upstream's answer as it came, when nothing on the response path changes it.
      const verbatim = takeVerbatim(result.events, 'anthropic', false);
      if (verbatim) return sendAnswer(reply, verbatim.bytes, result.headers, ex, 0);
      const message = await collect(result, waited);
      return sendAnswer(reply, message, result.headers, ex, waited.ms);
    } catch (caught) {
      const error = caught instanceof StreamError ? errorFromStreamError(caught) : caught;
      if (ex.aborted || reply.sent) {
        // The client is gone, or the stream had already started: nobody can read an error answer now.
        if (!ex.aborted) ex.log.error({ err: error }, 'failed after the response started');
        if (!reply.sent) reply.hijack();
        reply.raw.destroy();
        return undefined;
      }
      // The kernel renders the error (renderAnthropicError, which sets request-id); headers set here go out with it.
      void reply.header('x-lynkr-overhead-ms', overheadMs(ex, waited.ms));
      // Known once the route stage has decided: which provider failed is the first thing to look for.
      if (ex.decision) void reply.header('x-lynkr-provider', ex.decision.provider).header('x-lynkr-model', ex.decision.model);
      throw error;
    }
  };
}

/**
 * The whole answer, timing the wait: that time is the upstream's, not
 * Lynkr's overhead. A client that goes away aborts ex.signal, which the
 * provider honours: the collect then fails instead of reading on.
 */
async function collect(result: PipelineResult, waited: { ms: number }): Promise<MessagesResponse> {
  const start = performance.now();
  try {
    return await collectMessage(result.events);
  } finally {
    waited.ms = performance.now() - start;
  }
}
