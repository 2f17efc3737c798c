import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Exchange } from '../pipeline/types.js';

/**
 * Milliseconds spent in Lynkr itself when an answer's headers go out: the
 * time since the request arrived, less the time the kernel waited on
 * providers (`timings.upstreamMs`, up to their response) and the time the
 * API surface waited on the answer's events before the headers
 * (`eventWaitMs`: the upstream's time to its first event, or to the whole
 * answer without streaming).
 * @public
 */
export function overheadMs(ex: Exchange, eventWaitMs: number): string {
  const ms = performance.now() - ex.startedAt - ex.timings.upstreamMs - eventWaitMs;
  return Math.max(0, ms).toFixed(2);
}

/**
 * The headers of every answer: the pipeline's (`x-lynkr-provider`,
 * `x-lynkr-model`, the upstream's pass-through headers), `request-id` (the
 * exchange id, so that one id finds the request in Lynkr's logs; an
 * upstream's own id travels as `upstream-request-id`) and
 * `x-lynkr-overhead-ms`.
 * @public
 */
export function answerHeaders(pipelineHeaders: Record<string, string>, ex: Exchange, eventWaitMs: number): Record<string, string> {
  return { ...pipelineHeaders, 'request-id': ex.id, 'x-lynkr-overhead-ms': overheadMs(ex, eventWaitMs) };
}

/**
 * Take over the reply and write a 200's head: the headers already on the
 * reply (the kernel's `x-request-id`, which the hijack would otherwise lose),
 * then {@link answerHeaders}, then `own` (name, value, name, value...). A
 * later source wins a name both give.
 *
 * The head goes to node as one flat list rather than an object: building an
 * object of some ten dashed names walks a new hidden-class transition per
 * name, which with the caches cold between two requests cost about 30 µs,
 * and node reads a list faster too.
 * @internal
 */
export function writeAnswerHead(reply: FastifyReply, pipelineHeaders: Readonly<Record<string, string>>, ex: Exchange, eventWaitMs: number, own: readonly string[]): void {
  const replyHeaders = reply.getHeaders();
  reply.hijack();
  const head: Array<string | number> = [];
  for (const name in replyHeaders) {
    const value = replyHeaders[name];
    if (value === undefined || name in pipelineHeaders || isAnswerOwn(name, own)) continue;
    if (Array.isArray(value)) for (const v of value) head.push(name, v);
    else head.push(name, value);
  }
  for (const name in pipelineHeaders) if (!isAnswerOwn(name, own)) head.push(name, pipelineHeaders[name]!);
  head.push('request-id', ex.id, 'x-lynkr-overhead-ms', overheadMs(ex, eventWaitMs), ...own);
  reply.raw.writeHead(200, head as unknown as OutgoingHttpHeaders);
}

/** Whether the answer sets `name` itself (`request-id`, `x-lynkr-overhead-ms`, or one of `own`'s names). */
function isAnswerOwn(name: string, own: readonly string[]): boolean {
  if (name === 'request-id' || name === 'x-lynkr-overhead-ms') return true;
  for (let i = 0; i < own.length; i += 2) if (own[i] === name) return true;
  return false;
}

/**
 * Send a whole (non-streamed) answer: `body` as JSON (or, as a Buffer, JSON
 * already: an upstream's answer passed on verbatim) with status 200, the
 * headers already on the reply (the kernel's `x-request-id`) and
 * {@link answerHeaders}. Written to the socket in one `writeHead` and one
 * `end`, past fastify's serialisation and send hooks: the kernel registers
 * none, and this is the path of every non-streamed answer.
 * @public
 */
export function sendAnswer(reply: FastifyReply, body: unknown, pipelineHeaders: Record<string, string>, ex: Exchange, eventWaitMs: number): void {
  const text = Buffer.isBuffer(body) ? body : JSON.stringify(body);
  writeAnswerHead(reply, pipelineHeaders, ex, eventWaitMs, ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(text))]);
  reply.raw.end(text);
}
