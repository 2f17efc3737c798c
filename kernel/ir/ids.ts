import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Random bytes drawn in one call and spent a few at a time: one syscall per 170 ids instead of one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/**
 * `length` random base-62 characters (about 5.95 bits each: 24 give 142
 * bits, more than a UUID's 122), drawn from the system CSPRNG with rejection
 * sampling so that every character is equally likely.
 * @public
 */
export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    if (used === pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const byte = pool[used++]!;
    // 248 = 4 × 62: bytes at or above it would make the first 8 characters likelier.
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

/**
 * A fresh id in Anthropic's style (`msg_…`, `toolu_…`: the prefix, an
 * underscore and 24 base-62 characters), for answers and tool calls whose
 * upstream gave none.
 * @public
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(24)}`;
}
