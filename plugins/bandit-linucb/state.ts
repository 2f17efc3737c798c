/**
 * The arms' statistics: in memory for decisions, in the keyv store for
 * persistence and for other instances. Decisions never wait for the store;
 * updates go through one queue per arm, so that each arm's read, update and
 * write never interleave within a process.
 */
import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { DIM, FEATURES_VERSION } from './features.js';
import { inverseOf, observe, untrained, type ArmStats } from './linucb.js';

/** The stored form of an arm: the data parts only (the prior is not stored). */
interface StoredArm {
  /** FEATURES_VERSION: what the dimensions mean. */
  v: number;
  d: number;
  n: number;
  A: number[];
  b: number[];
  rev: string;
}

/** One observation waiting to be applied. */
interface Observation {
  x: Float64Array;
  r: number;
  w: number;
}

/** Pending observations of one arm beyond which the oldest are dropped (a store that cannot keep up must not grow memory). */
const MAX_QUEUE = 10_000;

class Slot {
  stats: ArmStats;
  queue: Observation[] = [];
  running: Promise<void> | undefined;

  constructor(
    readonly key: string,
    stats: ArmStats,
  ) {
    this.stats = stats;
  }
}

// Tells this process's writes from other instances'.
const INSTANCE = randomUUID().slice(0, 8);
let writes = 0;

export class ArmStore {
  readonly #slots = new Map<string, Slot>();
  readonly #untrained: ArmStats;
  #warned = false;

  constructor(
    private readonly store: () => Keyv,
    /** λ: the prior's weight in observations. */
    readonly lambda: number,
    private readonly log: Logger,
  ) {
    this.#untrained = untrained(DIM, lambda);
  }

  /** The arm's statistics now, for a decision: never waits. The first sight of an arm starts reading it from the store. */
  stats(key: string): ArmStats {
    const slot = this.#slots.get(key);
    if (slot) return slot.stats;
    this.#run(this.#slot(key));
    return this.#untrained;
  }

  /** Queue an observation; resolves when it is applied and written. */
  update(key: string, x: Float64Array, r: number, w = 1): Promise<void> {
    const slot = this.#slot(key);
    if (slot.queue.length >= MAX_QUEUE) slot.queue.shift();
    slot.queue.push({ x, r, w });
    return this.#run(slot);
  }

  /** Read every known arm again, for what other instances learned. */
  refresh(): Promise<void> {
    return Promise.all([...this.#slots.values()].map((slot) => this.#run(slot))).then(() => undefined);
  }

  /** Resolves when no update is pending. */
  async settled(): Promise<void> {
    for (;;) {
      const running = [...this.#slots.values()].map((s) => s.running).filter((p) => p !== undefined);
      if (!running.length) return;
      await Promise.all(running);
    }
  }

  /** What each arm has learned, for the service. */
  snapshot(): Array<{ key: string; stats: ArmStats }> {
    return [...this.#slots].map(([key, slot]) => ({ key, stats: slot.stats }));
  }

  #slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (!slot) this.#slots.set(key, (slot = new Slot(key, this.#untrained)));
    return slot;
  }

  /** Start the arm's worker unless it runs; it drains the queue, a batch per store round trip. */
  #run(slot: Slot): Promise<void> {
    if (slot.running) return slot.running;
    const running = this.#drain(slot).then(
      () => this.#done(slot),
      (error: unknown) => {
        this.log.warn({ err: error, arm: slot.key }, 'bandit update failed');
        return this.#done(slot);
      },
    );
    slot.running = running;
    return running;
  }

  /** An update queued between the worker's last look at the queue and its end starts it again. */
  #done(slot: Slot): Promise<void> | undefined {
    slot.running = undefined;
    return slot.queue.length ? this.#run(slot) : undefined;
  }

  async #drain(slot: Slot): Promise<void> {
    const key = slot.key;
    do {
      const batch = slot.queue.splice(0);
      let base = slot.stats;
      try {
        const stored = parse(await this.store().get(`arm:${key}`));
        // The same revision is what this process wrote last: its inverse is current and needs no recomputing.
        if (stored && stored.rev !== base.rev) base = this.#fromStored(stored) ?? base;
      } catch (error) {
        this.#storeFailed(error);
      }
      let next = base;
      for (const o of batch) next = observe(next, o.x, o.r, o.w, this.lambda, `${INSTANCE}-${++writes}`);
      slot.stats = next;
      if (!batch.length) continue;
      const value: StoredArm = { v: FEATURES_VERSION, d: DIM, n: next.n, A: Array.from(next.A), b: Array.from(next.b), rev: next.rev };
      try {
        // The whole arm in one write: an instance reading it sees a consistent state.
        await this.store().set(`arm:${key}`, value);
      } catch (error) {
        this.#storeFailed(error);
      }
    } while (slot.queue.length);
  }

  #fromStored(s: StoredArm): ArmStats | undefined {
    const A = Float64Array.from(s.A);
    const Ainv = inverseOf(A, DIM, this.lambda);
    return Ainv && { A, b: Float64Array.from(s.b), Ainv, n: s.n, rev: s.rev };
  }

  #storeFailed(error: unknown): void {
    // Once per process: a store that is down would otherwise log on every request.
    if (this.#warned) return;
    this.#warned = true;
    this.log.warn({ err: error }, 'the bandit cannot reach its store; it goes on learning in memory');
  }
}

/** A stored arm of this feature set, or undefined (other features, or not an arm at all). */
function parse(value: unknown): StoredArm | undefined {
  const s = value as Partial<StoredArm> | undefined;
  if (!s || s.v !== FEATURES_VERSION || s.d !== DIM || typeof s.n !== 'number' || typeof s.rev !== 'string') return undefined;
  if (!Array.isArray(s.A) || s.A.length !== DIM * DIM || !Array.isArray(s.b) || s.b.length !== DIM) return undefined;
  if (!s.A.every(Number.isFinite) || !s.b.every(Number.isFinite)) return undefined;
  return s as StoredArm;
}
