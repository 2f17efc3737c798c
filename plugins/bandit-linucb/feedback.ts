/**
 * Explicit feedback: `POST /v1/lynkr/feedback {request_id, score}` rates
 * an answer, and the arm that gave it learns from the rating in the context
 * the request was routed in.
 */
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { LynkrError, type RouteSpec } from '../../kernel/index.js';
import { DIM } from './features.js';

/** What is kept of a routed request so that it can be rated. */
export interface SavedContext {
  /** The statistics it updates: `TIER|provider:model`. */
  arm: string;
  x: number[];
  /** ms since epoch. */
  expires: number;
  rated?: boolean;
}

/** Requests kept in memory for rating, at most; the store (when shared) keeps the rest until their TTL. */
const MAX_RECENT = 10_000;

/**
 * Contexts by request id, with a TTL: in a bounded map in memory, and on
 * Redis in the keyv store too, so that a rating may reach another instance
 * than the one that answered. SQLite and memory keep an expired entry until
 * it is read, so a row per answer there would grow without bound: the
 * bounded map is all there is.
 */
export class Contexts {
  readonly #recent = new Map<string, SavedContext>();
  #warned = false;

  constructor(
    private readonly store: () => Keyv,
    private readonly ttlMs: number,
    private readonly shared: boolean,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  save(id: string, arm: string, x: Float64Array): Promise<void> | undefined {
    const saved: SavedContext = { arm, x: Array.from(x), expires: this.now() + this.ttlMs };
    this.#remember(id, saved);
    return this.shared ? this.#write(id, saved, this.ttlMs) : undefined;
  }

  async get(id: string): Promise<SavedContext | undefined> {
    const recent = this.#recent.get(id);
    if (recent) return recent.expires > this.now() ? recent : undefined;
    if (!this.shared) return undefined;
    try {
      const value = (await this.store().get(`req:${id}`)) as SavedContext | undefined;
      return value && Array.isArray(value.x) && value.x.length === DIM && typeof value.arm === 'string' && value.expires > this.now() ? value : undefined;
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  async markRated(id: string, saved: SavedContext): Promise<void> {
    const rated = { ...saved, rated: true };
    this.#remember(id, rated);
    const left = saved.expires - this.now();
    if (this.shared && left > 0) await this.#write(id, rated, left);
  }

  #remember(id: string, saved: SavedContext): void {
    this.#recent.delete(id);
    this.#recent.set(id, saved);
    if (this.#recent.size > MAX_RECENT) this.#recent.delete(this.#recent.keys().next().value!);
  }

  async #write(id: string, saved: SavedContext, ttl: number): Promise<void> {
    try {
      await this.store().set(`req:${id}`, saved, ttl);
    } catch (error) {
      this.#failed(error);
    }
  }

  #failed(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    this.log.warn({ err: error }, 'the bandit cannot reach its store: ratings reach only the instance that answered');
  }
}

/** The reward a rating in [-1, 1] stands for. */
export const ratingReward = (score: number): number => (score + 1) / 2;

/**
 * The route. `learn` applies a rating to an arm and resolves when it is
 * written. 400 for a body without a `request_id` string or a `score` in
 * [-1, 1]; 404 for a request id the bandit does not know (never routed
 * here, not a turn it learns from, or older than `feedbackTtlMs`); 409 for
 * a request already rated.
 */
export function feedbackRoute(contexts: Contexts, learn: (arm: string, x: Float64Array, reward: number) => Promise<void>, ttlMs: number): RouteSpec {
  const busy = new Set<string>();
  return {
    method: 'POST',
    url: '/v1/lynkr/feedback',
    async handler(req) {
      const body = req.body as { request_id?: unknown; score?: unknown } | null | undefined;
      const id = body?.request_id;
      const score = body?.score;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'the feedback body must be a JSON object: {"request_id": "...", "score": -1..1}');
      }
      if (typeof id !== 'string' || !id || id.length > 200) {
        throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'request_id must be the x-request-id of an answer (a non-empty string)');
      }
      if (typeof score !== 'number' || !Number.isFinite(score) || score < -1 || score > 1) {
        throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', 'score must be a number from -1 (bad) to 1 (good)');
      }
      if (busy.has(id)) throw alreadyRated(id);
      busy.add(id);
      try {
        const saved = await contexts.get(id);
        if (!saved) {
          throw new LynkrError(
            'LYNKR_ERR_REQUEST_NOT_FOUND',
            `no answer with request id ${id} can be rated: unknown, not routed by the bandit, or older than ${Math.round(ttlMs / 60_000)} min`,
          );
        }
        if (saved.rated) throw alreadyRated(id);
        const reward = ratingReward(score);
        await learn(saved.arm, Float64Array.from(saved.x), reward);
        await contexts.markRated(id, saved);
        const at = saved.arm.indexOf('|');
        return { request_id: id, arm: saved.arm.slice(at + 1), tier: saved.arm.slice(0, at), reward };
      } finally {
        busy.delete(id);
      }
    },
  };
}

const alreadyRated = (id: string) => new LynkrError('LYNKR_ERR_REQUEST_INVALID', `request ${id} is already rated`, { status: 409 });
