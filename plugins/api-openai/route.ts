/**
 * What both routes share: collecting a whole answer for a non-streaming
 * client, and answering a failure.
 */
import type { FastifyReply } from 'fastify';
import { collectMessage, overheadMs, randomToken, type Exchange, type MessagesResponse, type PipelineResult } from '../../kernel/index.js';
import { toRouteError } from './errors.js';

/** Time spent waiting on the answer's events: the upstream's, not Lynkr's overhead. */
export interface Waited {
  ms: number;
}

/**
 * The whole answer, timing the wait. A client that goes away aborts
 * ex.signal, which the provider honours: the collect then fails instead of
 * reading on.
 */
export async function collect(result: PipelineResult, waited: Waited): Promise<MessagesResponse> {
  const start = performance.now();
  try {
    return await collectMessage(result.events);
  } finally {
    waited.ms = performance.now() - start;
  }
}

/**
 * Answer a failure: rethrown for the kernel to render (renderOpenAIError)
 * while the response has not started; once it has, or once the client is
 * gone, nobody can read an error answer, so the socket is released.
 */
export function failed(caught: unknown, reply: FastifyReply, ex: Exchange, waited: Waited): undefined {
  const error = toRouteError(caught);
  if (ex.aborted || reply.sent) {
    if (!ex.aborted) ex.log.error({ err: error }, 'failed after the response started');
    if (!reply.sent) reply.hijack();
    reply.raw.destroy();
    return undefined;
  }
  void reply.header('x-lynkr-overhead-ms', overheadMs(ex, waited.ms));
  throw error;
}

/** A fresh id in OpenAI's style (`chatcmpl-…`, `resp_…`). */
export function openaiId(prefix: string): string {
  return `${prefix}${randomToken(24)}`;
}

/** Unix seconds, as OpenAI's `created` fields are. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
