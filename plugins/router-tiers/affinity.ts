/**
 * Session affinity: a conversation stays on the model that served it. Pins
 * live in the plugin's keyv store (SQLite, or Redis shared by several
 * instances) with a TTL, so nothing process-local is needed for correctness.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { MessagesRequest } from '../../kernel/index.js';
import { TIERS, type TierName, type TierTable } from './refs.js';
import { rank } from './tiers.js';
import { systemText, typedText } from './text.js';

/** Headers that carry a client's session id: Claude Code, Codex, and a generic one. */
const SESSION_HEADERS = ['x-claude-code-session-id', 'session-id', 'session_id', 'x-session-id'] as const;

/**
 * The client's session id: from its headers, else from Claude Code's
 * `metadata.user_id`, a JSON string with a `session_id`.
 */
export function sessionId(request: MessagesRequest, headers: IncomingHttpHeaders): string | undefined {
  for (const name of SESSION_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string' && value) return value;
  }
  const user = request.metadata?.user_id;
  if (typeof user === 'string' && user.startsWith('{') && user.includes('session_id')) {
    try {
      const id = (JSON.parse(user) as { session_id?: unknown }).session_id;
      if (typeof id === 'string' && id) return id;
    } catch {
      // Not JSON after all: there is no session id in it.
    }
  }
  return undefined;
}

/** Claude Code's billing line changes between requests of one conversation, so it must not enter a fingerprint. */
const VOLATILE_SYSTEM_LINE = /^x-anthropic-billing-header:.*$/gm;

/**
 * The key of a conversation's pin. One session can hold several
 * conversations (a subagent's, the one after a compaction or a `/clear`), so
 * the first thing the user typed is always part of it. Without a session id,
 * the system prompt and the user agent stand in for one.
 */
export function conversationKey(request: MessagesRequest, headers: IncomingHttpHeaders, team: string | undefined): string {
  let first = '';
  for (const message of request.messages) {
    first = typedText(message);
    if (first) break;
  }
  const hash = createHash('sha256').update(`${team ?? ''}\0${first.slice(0, 2000)}\0`);
  const id = sessionId(request, headers);
  if (id) hash.update(`session\0${id}`);
  else hash.update(`fingerprint\0${systemText(request).replace(VOLATILE_SYSTEM_LINE, '').slice(0, 500)}\0${headers['user-agent'] ?? ''}`);
  return `pin:${hash.digest('hex').slice(0, 32)}`;
}

/** What a pin remembers. */
export interface Pin {
  provider: string;
  model: string;
  tier: TierName;
  /** When it was last written (ms since epoch), to refresh its TTL without writing on every request. */
  at: number;
}

function isPin(value: unknown): value is Pin {
  const p = value as Partial<Pin> | undefined;
  return typeof p?.provider === 'string' && typeof p.model === 'string' && typeof p.at === 'number' && TIERS.includes(p.tier as TierName);
}

/**
 * Reads and writes pins. Storage failures are logged and routing goes on
 * without the pin: a broken store must not fail requests.
 */
export class PinStore {
  constructor(
    private readonly store: () => Keyv,
    private readonly ttlMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<Pin | undefined> {
    try {
      const value: unknown = await this.store().get(key);
      return isPin(value) ? value : undefined;
    } catch (error) {
      this.log.warn({ err: error }, 'cannot read a session pin; routing without it');
      return undefined;
    }
  }

  /**
   * Pin `target` unless the existing pin already says the same and is fresh:
   * the TTL is refreshed once a quarter of it has passed, not on every request.
   */
  save(key: string, current: Pin | undefined, target: Omit<Pin, 'at'>): void {
    const now = this.now();
    const same = current && current.provider === target.provider && current.model === target.model && current.tier === target.tier;
    if (same && now - current.at < this.ttlMs / 4) return;
    // Not awaited: the request need not wait for the store, and the next turn comes after this one's answer.
    void (async () => {
      try {
        await this.store().set(key, { ...target, at: now }, this.ttlMs);
      } catch (error) {
        this.log.warn({ err: error }, 'cannot save a session pin');
      }
    })();
  }
}

/** What to do with a pinned conversation's new request. */
export type PinVerdict = 'tool-exchange' | 'hold' | 'escalate';

/**
 * A pinned conversation keeps its model, with one way out: a typed turn that
 * scores clearly above the pinned tier (at least `margin` points into the
 * next band up) escalates. A request that answers tool calls always stays,
 * since tool-call ids cannot cross providers. Pins never move down: a new
 * conversation re-routes.
 */
export function judgePin(
  pin: Pin,
  fresh: { tier: TierName; score: number | undefined },
  toolExchange: boolean,
  table: TierTable,
  margin: number,
): PinVerdict {
  if (toolExchange) return 'tool-exchange';
  const pinned = rank(pin.tier);
  if (pinned === TIERS.length - 1 || rank(fresh.tier) <= pinned || fresh.score === undefined) return 'hold';
  return fresh.score >= table.get(TIERS[pinned + 1]!).minScore + margin ? 'escalate' : 'hold';
}
