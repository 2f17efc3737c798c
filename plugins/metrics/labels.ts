/**
 * Label values with a bound: every distinct value is a time series in
 * Prometheus and in this process, and some values come from clients (a
 * model id a router passes through), so each label keeps at most `max`
 * values and reports the rest as `other`.
 */

/** The value of a label that was not known: no decision, no model. */
export const UNKNOWN = 'unknown';
/** The value every value beyond the bound is reported as. */
export const OTHER = 'other';

export class LabelCap {
  readonly #seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** `value` when it is known or there is room for it, `other` beyond the bound, `unknown` for nothing. */
  of(value: unknown): string {
    if (typeof value !== 'string' || value === '') return UNKNOWN;
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.max) return OTHER;
    this.#seen.add(value);
    return value;
  }
}
