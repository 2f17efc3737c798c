/**
 * Reading Ollama's answers off the wire: an NDJSON stream line by line, or
 * one JSON answer, with the ways each can fail.
 */
import {
  LynkrError,
  decodeNDJSON,
  isLynkrError,
  upstreamBodyError,
  type UpstreamResponse,
} from '../../kernel/index.js';
import type { OllamaChatChunk } from './wire.js';

/**
 * The chunks of an NDJSON stream, each yielded as its line completes (lines
 * split across reads and a last line without its newline are handled by
 * the kernel's decoder).
 *
 * - The `done: true` chunk is the last: after it the connection is
 *   released to the pool, whatever follows.
 * - An `{"error": "..."}` line fails the stream with Ollama's message. As
 *   the first line it fails the call itself, before any event (through
 *   `prefetch`), where a fallback can still act.
 * - A body that ends without a `done` chunk was cut:
 *   LYNKR_ERR_UPSTREAM_DISCONNECTED, rather than pass for a whole answer.
 * - A line that is not a JSON object: LYNKR_ERR_UPSTREAM_PROTOCOL.
 */
export async function* ollamaChunks(res: UpstreamResponse, label: string): AsyncGenerator<OllamaChatChunk> {
  try {
    for await (const line of decodeNDJSON(res.body)) {
      const chunk = asChunk(line, label);
      if (chunk.error !== undefined) throw upstreamBodyError(label, { error: chunk.error });
      if (chunk.done) {
        // Before the yield: a consumer that stops at the last event must not cost the connection.
        res.release();
        yield chunk;
        return;
      }
      yield chunk;
    }
  } catch (error) {
    if (isLynkrError(error)) throw error;
    // decodeNDJSON names the line that is not JSON.
    throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" sent a stream line that is not JSON: ${messageOf(error)}`, { cause: error });
  }
  throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its stream before the done chunk`);
}

/** A whole (non-streamed) answer: a chunk with `done: true` and a message, or an error Ollama sent with a 200. */
export function wholeAnswer(body: unknown, label: string): OllamaChatChunk {
  const chunk = asChunk(body, label);
  if (chunk.error !== undefined) throw upstreamBodyError(label, { error: chunk.error });
  if (typeof chunk.message !== 'object' || chunk.message === null) {
    throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" answered without a message`, { detail: { body } });
  }
  return chunk;
}

function asChunk(value: unknown, label: string): OllamaChatChunk {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as OllamaChatChunk;
  throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" sent ${JSON.stringify(value)?.slice(0, 200)} where a JSON object belongs`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
