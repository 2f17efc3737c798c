import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedConfig } from '../config/schema.js';

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/**
 * A key's public name: `k_` and 12 hex digits of a hash that is not the one
 * compared against, so that limits and logs can tell keys apart, across
 * instances, without holding the key.
 */
export const keyId = (key: string): string => `k_${createHash('sha256').update(`lynkr-key-id:${key}`).digest('hex').slice(0, 12)}`;

/**
 * The configured Lynkr keys and the team each selects. Keys are compared as
 * digests in constant time, so neither timing nor a log of this map reveals
 * them.
 */
export class KeyMap {
  readonly #entries: Array<{ digest: Buffer; team: string | undefined; keyId: string }> = [];

  constructor(config: Pick<ResolvedConfig, 'keys' | 'teams'>) {
    for (const key of config.keys) this.#entries.push({ digest: digest(key), team: undefined, keyId: keyId(key) });
    for (const [team, t] of Object.entries(config.teams)) {
      for (const key of t.keys ?? []) this.#entries.push({ digest: digest(key), team, keyId: keyId(key) });
    }
  }

  /** How many keys are configured. */
  get size(): number {
    return this.#entries.length;
  }

  get enabled(): boolean {
    return this.#entries.length > 0;
  }

  /** The entry for a key, or undefined. */
  match(key: string): { team: string | undefined; keyId: string } | undefined {
    const d = digest(key);
    let found: { team: string | undefined; keyId: string } | undefined;
    for (const entry of this.#entries) if (timingSafeEqual(entry.digest, d)) found ??= { team: entry.team, keyId: entry.keyId };
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
): { status: 'ok'; team: string | undefined; keyId: string } | { status: 'missing' } | { status: 'invalid' } {
  const given = candidates(headers);
  if (!given.length) return { status: 'missing' };
  for (const key of given) {
    const hit = keys.match(key);
    if (hit) return { status: 'ok', team: hit.team, keyId: hit.keyId };
  }
  return { status: 'invalid' };
}

/**
 * Whether a bind address only accepts connections from this machine:
 * `localhost`, `127.0.0.0/8`, `::1` and their IPv4-mapped forms. Any other
 * name counts as exposed, even one that resolves to loopback: the check
 * must not depend on DNS.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * What the server may do with its bind address and keys: listen with keys
 * (`protected`), listen on loopback without keys (`local`), listen beyond
 * loopback without keys because the config says so (`exposed`), or refuse.
 */
export function exposure(
  server: { host: string; allowUnauthenticated: boolean },
  keys: { enabled: boolean },
): 'protected' | 'local' | 'exposed' | 'refused' {
  if (keys.enabled) return 'protected';
  if (isLoopbackHost(server.host)) return 'local';
  return server.allowUnauthenticated ? 'exposed' : 'refused';
}
