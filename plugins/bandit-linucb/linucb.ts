/**
 * Disjoint LinUCB's algebra (Li et al. 2010), one arm at a time: ridge
 * regression of the reward on the context, with an upper confidence bound.
 * Matrices are row-major Float64Arrays of d×d.
 *
 * An arm's model is A = λI + Σ w·x·xᵀ and b = λ·θ₀ + Σ w·r·x, so that
 * θ = A⁻¹b shrinks towards the prior θ₀ with the weight of λ observations.
 * Only the data parts (Σ w·x·xᵀ, Σ w·r·x) are stored: the prior comes from
 * the tier table at decision time, and follows its changes without losing
 * what was learned.
 */

/** What an arm has learned. Immutable: an update makes a new one, so a decision always reads a consistent state. */
export interface ArmStats {
  /** Σ w·x·xᵀ, the data part of A. */
  readonly A: Float64Array;
  /** Σ w·r·x, the data part of b. */
  readonly b: Float64Array;
  /** (λI + A)⁻¹, kept current by Sherman–Morrison. */
  readonly Ainv: Float64Array;
  /** Updates so far. */
  readonly n: number;
  /** Changes with every write: tells a state read back from the store from the one this process already has. */
  readonly rev: string;
}

/** The identity times `v`. */
export function scaledIdentity(d: number, v: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = v;
  return m;
}

/** An arm that has seen nothing: A⁻¹ = I/λ. */
export function untrained(d: number, lambda: number): ArmStats {
  return { A: new Float64Array(d * d), b: new Float64Array(d), Ainv: scaledIdentity(d, 1 / lambda), n: 0, rev: '' };
}

/** The inverse of a d×d matrix by Gauss-Jordan with partial pivoting; undefined when it is singular. */
export function invert(m: Float64Array, d: number): Float64Array | undefined {
  const a = Float64Array.from(m);
  const inv = scaledIdentity(d, 1);
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r * d + col]!) > Math.abs(a[pivot * d + col]!)) pivot = r;
    const p = a[pivot * d + col]!;
    if (Math.abs(p) < 1e-12) return undefined;
    if (pivot !== col) {
      for (let k = 0; k < d; k++) {
        swap(a, pivot * d + k, col * d + k);
        swap(inv, pivot * d + k, col * d + k);
      }
    }
    for (let k = 0; k < d; k++) {
      a[col * d + k]! /= p;
      inv[col * d + k]! /= p;
    }
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r * d + col]!;
      if (f === 0) continue;
      for (let k = 0; k < d; k++) {
        a[r * d + k]! -= f * a[col * d + k]!;
        inv[r * d + k]! -= f * inv[col * d + k]!;
      }
    }
  }
  return inv;
}

function swap(m: Float64Array, i: number, j: number): void {
  const t = m[i]!;
  m[i] = m[j]!;
  m[j] = t;
}

/** `out = M·x` for a d×d matrix. */
export function multiply(m: Float64Array, x: Float64Array, out: Float64Array, d: number): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += m[i * d + k]! * x[k]!;
    out[i] = s;
  }
  return out;
}

export function dot(a: Float64Array, b: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * (A + w·x·xᵀ)⁻¹ from A⁻¹ (symmetric) in O(d²), by Sherman–Morrison:
 * A⁻¹ − w·(A⁻¹x)(A⁻¹x)ᵀ / (1 + w·xᵀA⁻¹x).
 */
export function shermanMorrison(Ainv: Float64Array, x: Float64Array, w: number, d: number): Float64Array {
  const u = multiply(Ainv, x, new Float64Array(d), d);
  const denom = 1 + w * dot(x, u, d);
  const out = Float64Array.from(Ainv);
  const f = w / denom;
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) out[i * d + k]! -= f * u[i]! * u[k]!;
  return out;
}

/** Re-invert from A every so many updates, so that rounding in the rank-one updates cannot accumulate. */
const REINVERT_EVERY = 256;

/**
 * The arm after one observation of reward `r` in context `x`, counted `w`
 * times (explicit feedback may weigh more than one request).
 */
export function observe(stats: ArmStats, x: Float64Array, r: number, w: number, lambda: number, rev: string): ArmStats {
  const d = x.length;
  const A = Float64Array.from(stats.A);
  const b = Float64Array.from(stats.b);
  for (let i = 0; i < d; i++) {
    b[i]! += w * r * x[i]!;
    for (let k = 0; k < d; k++) A[i * d + k]! += w * x[i]! * x[k]!;
  }
  const n = stats.n + 1;
  const Ainv = n % REINVERT_EVERY === 0 ? (inverseOf(A, d, lambda) ?? shermanMorrison(stats.Ainv, x, w, d)) : shermanMorrison(stats.Ainv, x, w, d);
  return { A, b, Ainv, n, rev };
}

/** (λI + A)⁻¹. */
export function inverseOf(A: Float64Array, d: number, lambda: number): Float64Array | undefined {
  const full = Float64Array.from(A);
  for (let i = 0; i < d; i++) full[i * d + i]! += lambda;
  return invert(full, d);
}

/**
 * The arm's estimate for context `x`: `mean` = θ·x with θ = A⁻¹(λθ₀ + b),
 * and `width` = √(xᵀA⁻¹x), the confidence the UCB adds α times. The prior θ₀
 * is non-zero on the bias only (x[0] = 1): `prior` is λ·θ₀[0]. `z` is
 * scratch space of length d.
 */
export function estimate(stats: ArmStats, prior: number, x: Float64Array, z: Float64Array): { mean: number; width: number } {
  const d = x.length;
  multiply(stats.Ainv, x, z, d);
  return { mean: prior * z[0]! + dot(stats.b, z, d), width: Math.sqrt(Math.max(0, dot(x, z, d))) };
}
