import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedConfig } from '../config/schema.js';

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/**
 * The configured Lynkr keys and the team each selects. Keys are compared as
 * digests in constant time, so neither timing nor a log of this map reveals
 * them.
 */
export class KeyMap {
  readonly #entries: Array<{ digest: Buffer; team: string | undefined }> = [];

  constructor(config: Pick<ResolvedConfig, 'keys' | 'teams'>) {
    for (const key of config.keys) this.#entries.push({ digest: digest(key), team: undefined });
    for (const [team, t] of Object.entries(config.teams)) {
      for (const key of t.keys ?? []) this.#entries.push({ digest: digest(key), team });
    }
  }

  get enabled(): boolean {
    return this.#entries.length > 0;
  }

  /** The entry for a key, or undefined. */
  match(key: string): { team: string | undefined } | undefined {
    const d = digest(key);
    let found: { team: string | undefined } | undefined;
    for (const entry of this.#entries) if (timingSafeEqual(entry.digest, d)) found ??= { team: entry.team };
    return found;
  }
}

/** The candidate keys a request carries, strongest first. */
function candidates(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  const lynkr = headers['x-lynkr-key'];
  if (typeof lynkr === 'string' && lynkr) out.push(lynkr);
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) out.push(apiKey);
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/**
 * Find the caller's Lynkr key. A request may carry other credentials too (a
 * Claude subscription token in `Authorization`), so any header holding a
 * configured key is accepted.
 */
export function inboundKey(
  headers: IncomingHttpHeaders,
  keys: KeyMap,
): { status: 'ok'; team: string | undefined } | { status: 'missing' } | { status: 'invalid' } {
  const given = candidates(headers);
  if (!given.length) return { status: 'missing' };
  for (const key of given) {
    const hit = keys.match(key);
    if (hit) return { status: 'ok', team: hit.team };
  }
  return { status: 'invalid' };
}
