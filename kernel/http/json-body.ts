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
