/**
 * Answers in flight per caller, in this process only: a count that lives as
 * long as its requests cannot survive an instance that dies mid-stream, so
 * it is never stored. With several instances each enforces the limit on its
 * own share of the traffic.
 */
export class Slots {
  readonly #held = new Map<string, number>();

  /** Take a slot for `caller` unless it already holds `limit`. */
  acquire(caller: string, limit: number): boolean {
    const held = this.#held.get(caller) ?? 0;
    if (held >= limit) return false;
    this.#held.set(caller, held + 1);
    return true;
  }

  release(caller: string): void {
    const held = (this.#held.get(caller) ?? 0) - 1;
    if (held > 0) this.#held.set(caller, held);
    else this.#held.delete(caller);
  }

  /** Slots held by `caller`. */
  held(caller: string): number {
    return this.#held.get(caller) ?? 0;
  }
}
