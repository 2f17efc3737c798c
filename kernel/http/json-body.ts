/**
 * What a JSON request body must be before any plugin sees it, besides within
 * its size limit (readBody):
 *
 * - UTF-8, as RFC 8259 requires of JSON exchanged between systems. A
 *   lossy decode would turn the bad bytes into U+FFFD and send a provider
 *   text the client never wrote.
 * - JSON, and not empty.
 * - nested at most {@link MAX_JSON_DEPTH} levels. `JSON.parse` takes any
 *   depth, but the recursive `JSON.stringify` that encodes a request for its
 *   provider (and every recursive walk of a body) overflows the stack a few
 *   thousand levels down: a 500 where a 400 belongs.
 * - free of prototype poisoning: no `__proto__` key, and no `constructor`
 *   key holding an object with a `prototype` key, at any depth. `JSON.parse`
 *   makes such keys plain own properties, but code that later merges the
 *   value into another object (`Object.assign`, a deep merge) would set a
 *   prototype through them. fastify's parser refuses the same keys by
 *   scanning the whole text with two regular expressions after parsing it;
 *   here they are looked for during the depth walk, which visits every key
 *   anyway (a quarter of the parse's time saved on a 115 KB Claude Code
 *   request).
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

/**
 * A request body's text as JSON: `done` is called once, with the value, or
 * with the error to answer (400) for a body that is empty, is not JSON, nests
 * deeper than {@link MAX_JSON_DEPTH} or holds a prototype-poisoning key.
 */
export function parseJsonBody(text: string, done: (error: LynkrError | null, value?: unknown) => void): void {
  if (text.length === 0) return done(new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'invalid request body: it is empty (send a JSON object)'));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON.parse's own message: it quotes the body, which would then reach the logs.
    return done(new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'invalid request body: it is not valid JSON'));
  }
  done(bodyError(value), value);
}

/** The error to answer for a parsed body nested deeper than {@link MAX_JSON_DEPTH} or holding a prototype-poisoning key, else null. */
export function bodyError(value: unknown): LynkrError | null {
  if (typeof value !== 'object' || value === null) return null;
  const found = walk(value, MAX_JSON_DEPTH);
  if (found === OK) return null;
  if (found === TOO_DEEP) return new LynkrError('LYNKR_ERR_REQUEST_INVALID', `invalid request body: objects and arrays are nested more than ${MAX_JSON_DEPTH} levels deep`);
  return new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'invalid request body: a "__proto__" key, or a "constructor" key holding a "prototype", is not allowed');
}

const OK = 0;
const TOO_DEEP = 1;
const POISON = 2;
type Walk = typeof OK | typeof TOO_DEEP | typeof POISON;

const hasOwn = Object.prototype.hasOwnProperty;

/** Whether `value` (an object or array) nests more than `left` levels, or holds a poisoning key. Stops at the first finding. */
function walk(value: object, left: number): Walk {
  if (left === 0) return TOO_DEEP;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) {
        const found = walk(v, left - 1);
        if (found !== OK) return found;
      }
    }
    return OK;
  }
  for (const key in value) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (key === '__proto__') return POISON;
    if (typeof v === 'object' && v !== null) {
      if (key === 'constructor' && hasOwn.call(v, 'prototype')) return POISON;
      const found = walk(v, left - 1);
      if (found !== OK) return found;
    }
  }
  return OK;
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
