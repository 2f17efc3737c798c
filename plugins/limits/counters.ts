/**
 * Request and token counters per caller, in the plugin's keyv store so that
 * every instance on the same store counts together.
 *
 * keyv has no atomic increment (neither its API nor @keyv/redis's adapter
 * methods offer one), so an update is read, then write. Inside one process
 * the updates of one caller run one after the other (`Serial`), so none is
 * lost; two instances updating the same caller in the same instant can
 * each overwrite the other's increment, so across instances a limit is
 * approximate: it undercounts by at most the updates that race.
 */
import type Keyv from 'keyv';
import { admits, waitMs, windowIndex, type WindowCounts, type WindowKind } from './window.js';

export const WINDOW_MS = 60_000;

/** Runs jobs one at a time per key; jobs of different keys run concurrently. */
export class Serial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(job);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    // The map holds only callers with a job pending: memory stays flat however many keys pass.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Callers with jobs queued (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}

/** The limits that apply to one request; 0 is no limit. */
export interface RateLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

/** Why a request is refused, and when it may be sent again. */
export interface RateRefusal {
  limit: 'requestsPerMinute' | 'tokensPerMinute';
  value: number;
  retryAfterMs: number;
}

const keyFor = (kind: 'r' | 't', caller: string, window: number) => `${kind}:${caller}:${window}`;

export class RateCounters {
  constructor(
    private readonly store: Keyv,
    private readonly serial: Serial,
    private readonly kind: WindowKind,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Count one request for `caller` unless a limit refuses it. The token
   * budget refuses once the window's tokens reach it; tokens are added
   * when an answer ends (`addTokens`), so the request that crosses the
   * budget is served in full.
   */
  admit(caller: string, limits: RateLimits): Promise<RateRefusal | undefined> {
    return this.serial.run(caller, async () => {
      const now = this.now();
      const w = windowIndex(now, WINDOW_MS);
      const keys = [keyFor('t', caller, w), keyFor('t', caller, w - 1), keyFor('r', caller, w), keyFor('r', caller, w - 1)];
      const values = await this.store.getMany<number>(keys);
      const counts = (i: number): WindowCounts => ({ current: num(values[i]), previous: num(values[i + 1]) });
      if (limits.tokensPerMinute > 0) {
        const tokens = counts(0);
        if (!admits(this.kind, tokens, now, WINDOW_MS, limits.tokensPerMinute)) {
          return { limit: 'tokensPerMinute', value: limits.tokensPerMinute, retryAfterMs: waitMs(this.kind, tokens, now, WINDOW_MS, limits.tokensPerMinute) };
        }
      }
      if (limits.requestsPerMinute > 0) {
        const requests = counts(2);
        if (!admits(this.kind, requests, now, WINDOW_MS, limits.requestsPerMinute)) {
          return { limit: 'requestsPerMinute', value: limits.requestsPerMinute, retryAfterMs: waitMs(this.kind, requests, now, WINDOW_MS, limits.requestsPerMinute) };
        }
        await this.store.set(keys[2]!, requests.current + 1, 2 * WINDOW_MS);
      }
      return undefined;
    });
  }

  /** Add an answer's tokens to `caller`'s current window. */
  addTokens(caller: string, tokens: number): Promise<void> {
    if (tokens <= 0) return Promise.resolve();
    return this.serial.run(caller, async () => {
      const key = keyFor('t', caller, windowIndex(this.now(), WINDOW_MS));
      const current = num(await this.store.get<number>(key));
      await this.store.set(key, current + tokens, 2 * WINDOW_MS);
    });
  }
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
