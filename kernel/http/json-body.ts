/**
 * What a JSON request body must be before any plugin sees it, beyond
 * fastify's own checks (size, syntax, prototype poisoning):
 *
 * - UTF-8, as RFC 8259 requires of JSON exchanged between systems. A
 *   lossy decode would turn the bad bytes into U+FFFD and send a provider
 *   text the client never wrote.
 * - nested at most {@link MAX_JSON_DEPTH} levels. `JSON.parse` takes any
 *   depth, but the recursive `JSON.stringify` that encodes a request for its
 *   provider (and every recursive walk of a body) overflows the stack a few
 *   thousand levels down: a 500 where a 400 belongs.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { LynkrError } from '../errors.js';

/** The deepest nesting of objects and arrays a request body may have; real requests stay under 20. */
export const MAX_JSON_DEPTH = 256;

/** The body's text, or the error to answer when it is not UTF-8. */
export function utf8Text(bytes: Buffer): string | LynkrError {
  if (!isUtf8(bytes)) return new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'invalid request body: it is not valid UTF-8');
  return bytes.toString('utf8');
}

/** The error to answer for a parsed body nested deeper than {@link MAX_JSON_DEPTH}, else null. */
export function depthError(value: unknown): LynkrError | null {
  if (typeof value !== 'object' || value === null || !deeper(value, MAX_JSON_DEPTH)) return null;
  return new LynkrError('LYNKR_ERR_REQUEST_INVALID', `invalid request body: objects and arrays are nested more than ${MAX_JSON_DEPTH} levels deep`);
}

/** Whether `value` (an object or array) nests more than `left` levels. Stops at the first path that does. */
function deeper(value: object, left: number): boolean {
  if (left === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && deeper(v, left - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null && deeper(v, left - 1)) return true;
  }
  return false;
}

const EMPTY = Buffer.alloc(0);

/**
 * A request body's bytes, for the JSON parser; `done` is called once, with
 * the bytes or, as utf8Text does, the error to answer (413 over `limit`, 400
 * for a body that ends short of its content-length or breaks off).
 *
 * fastify hands the body stream over from inside node's `request` event,
 * before node has parsed the bytes that followed the head in the same read.
 * One tick later a body that came with its head (most requests under
 * 64 KB) lies whole in the stream's buffer and is taken in one `read()`:
 * no flowing mode, no `data` and `end` events, no copy. A body still on its
 * way (a large one, or chunked) is read as it arrives, counted against the
 * limit chunk by chunk.
 */
export function readBody(payload: Readable, contentLength: string | undefined, limit: number, done: (bytes: Buffer | LynkrError) => void): void {
  const expected = contentLength === undefined ? Number.NaN : Number(contentLength);
  if (expected > limit) {
    done(tooLarge());
    return;
  }
  process.nextTick(() => {
    if (payload.readableFlowing === null && payload.readableLength === expected) {
      const bytes = expected === 0 ? EMPTY : (payload.read() as Buffer);
      // Let the stream run to its end, as node expects of a request it will reuse the connection after.
      payload.resume();
      done(bytes);
      return;
    }
    readAsItArrives(payload, expected, limit, done);
  });
}

function readAsItArrives(payload: Readable, expected: number, limit: number, done: (bytes: Buffer | LynkrError) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (error: LynkrError | null): void => {
    payload.off('data', onData).off('end', onEnd).off('error', onError);
    if (error) {
      // The rest is drained and dropped: the answer is the error.
      payload.resume();
      done(error);
      return;
    }
    if (!Number.isNaN(expected) && received !== expected) {
      done(new LynkrError('LYNKR_ERR_REQUEST_INVALID', `invalid request body: ${received} bytes where content-length said ${expected}`));
      return;
    }
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > limit) finish(tooLarge());
    else chunks.push(chunk);
  };
  const onEnd = (): void => finish(null);
  const onError = (error: Error): void => finish(new LynkrError('LYNKR_ERR_REQUEST_INVALID', `invalid request body: ${error.message}`, { cause: error }));
  payload.on('data', onData).on('end', onEnd).on('error', onError);
}

const tooLarge = (): LynkrError => new LynkrError('LYNKR_ERR_REQUEST_TOO_LARGE', 'request body is too large (server.bodyLimit)');
