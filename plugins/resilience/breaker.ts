/**
 * A circuit breaker per provider:model. Closed: calls go through and
 * consecutive provider faults are counted. At the threshold it opens: calls
 * are refused (the fallback ladder skips it) until the cooldown ends. Then it
 * is half-open: one probe goes through; its success closes the circuit, its
 * failure opens it for another cooldown.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

interface Circuit {
  failures: number;
  openedAt: number;
  /** Open, or half-open with its one probe out. */
  state: 'closed' | 'open' | 'probing';
}

export interface BreakerSettings {
  enabled: boolean;
  failures: number;
  cooldownMs: number;
}

export class Breakers {
  readonly #circuits = new Map<string, Circuit>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = () => performance.now(),
    private readonly onChange: (key: string, state: CircuitState) => void = () => {},
  ) {}

  /** The state a call would meet now. */
  state(key: string): CircuitState {
    const c = this.#circuits.get(key);
    if (!c || c.state === 'closed') return 'closed';
    if (c.state === 'probing') return 'open';
    return this.now() - c.openedAt >= this.settings.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go out now; a half-open circuit lets exactly one through (the probe). */
  acquire(key: string): boolean {
    if (!this.settings.enabled) return true;
    const state = this.state(key);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    this.#circuits.get(key)!.state = 'probing';
    this.onChange(key, 'half-open');
    return true;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  remainingMs(key: string): number {
    const c = this.#circuits.get(key);
    if (!c || c.state === 'closed') return 0;
    return Math.max(0, this.settings.cooldownMs - (this.now() - c.openedAt));
  }

  success(key: string): void {
    const c = this.#circuits.get(key);
    if (!c) return;
    const was = c.state;
    this.#circuits.delete(key);
    if (was !== 'closed') this.onChange(key, 'closed');
  }

  failure(key: string): void {
    if (!this.settings.enabled) return;
    let c = this.#circuits.get(key);
    if (!c) this.#circuits.set(key, (c = { failures: 0, openedAt: 0, state: 'closed' }));
    c.failures += 1;
    if (c.state === 'probing' || (c.state === 'closed' && c.failures >= this.settings.failures)) {
      c.state = 'open';
      c.openedAt = this.now();
      this.onChange(key, 'open');
    }
  }

  /** A call that ended without a verdict on the provider (the client left, a bad request): frees a probe. */
  release(key: string): void {
    const c = this.#circuits.get(key);
    if (c?.state === 'probing') {
      c.state = 'open';
      c.openedAt = this.now() - this.settings.cooldownMs;
    }
  }
}
