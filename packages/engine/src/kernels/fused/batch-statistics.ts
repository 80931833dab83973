import type { ChannelSums } from './fused-wasm.js';

/**
 * The per-channel constants of the fused batch-norm kernels, in float64 from the kernels'
 * float64 channel sums, with PyTorch's semantics: biased batch variance, eps added to it.
 *
 * Forward: y = a·k + c0 with k = γ·inv, c0 = β − μ·k, inv = 1/√(σ² + eps).
 * Backward, for the output gradient g and x̂ = (a − μ)·inv over n values per channel:
 * dβ = Σg, dγ = Σg·x̂ = (Σg·a − μ·Σg)·inv and, in training mode,
 * da = k·(g − Σg/n − x̂·dγ/n) = k·g + c1·a + c0 with c1 = −k·inv·dγ/n,
 * c0 = −k·Σg/n + k·inv·μ·dγ/n; in evaluation mode (fixed statistics) da = k·g.
 */

/** Mean and biased variance from S1 = Σa and S2 = Σa² over `count` values per channel. */
export function batchMoments(
  s1: Float64Array,
  s2: Float64Array,
  count: number,
): { mean: Float64Array; variance: Float64Array } {
  const mean = s1.map((s) => s / count);
  const variance = s2.map((s, c) => Math.max(0, s / count - (mean[c] as number) ** 2));
  return { mean, variance };
}

/** 1/√(σ² + eps) per channel. */
export function inverseStd(variance: ArrayLike<number>, eps: number): Float64Array {
  return Float64Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
}

/** The forward constants k and c0 (float32, for the kernels). */
export function forwardConstants(
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps: number,
): { k: Float32Array; c0: Float32Array } {
  const inv = inverseStd(variance, eps);
  const k = Float32Array.from(inv, (v, c) => v * (gamma[c] as number));
  const c0 = Float32Array.from(
    inv,
    (v, c) => (beta[c] as number) - (mean[c] as number) * v * (gamma[c] as number),
  );
  return { k, c0 };
}

/** What {@link backwardConstants} returns: gradients of γ, β and the input's bias, k, c1, c0. */
export interface BackwardConstants {
  dGamma: Float32Array;
  dBeta: Float32Array;
  /** Σ over every position of the input gradient (the gradient of a bias added to the input). */
  dInputBias: Float32Array;
  k: Float32Array;
  c1: Float32Array;
  c0: Float32Array;
}

/**
 * The parameter gradients and the input-gradient constants k, c1, c0 (float32), from the
 * backward sums `g` (S1 = Σg, S2 = Σg·a, S3 = Σg·a') and, for the gradient of a bias added
 * before the activation, the forward sums `a` (S3 = Σa', S4 = Σa'·a): Σ da·a' =
 * k·Σg·a' + c1·Σa'·a + c0·Σa'.
 */
export function backwardConstants(
  g: ChannelSums,
  a: ChannelSums | undefined,
  count: number,
  stats: { mean: ArrayLike<number>; variance: ArrayLike<number>; gamma: ArrayLike<number> },
  eps: number,
  training: boolean,
): BackwardConstants {
  const inv = inverseStd(stats.variance, eps);
  const channels = inv.length;
  const out = {
    dGamma: new Float32Array(channels),
    dBeta: Float32Array.from(g.s1),
    dInputBias: new Float32Array(channels),
    k: new Float32Array(channels),
    c1: new Float32Array(channels),
    c0: new Float32Array(channels),
  };
  for (let c = 0; c < channels; c++) {
    const i = inv[c] as number;
    const m = stats.mean[c] as number;
    const s1 = g.s1[c] as number;
    const t = ((g.s2[c] as number) - m * s1) * i;
    const k = (stats.gamma[c] as number) * i;
    const c1 = training ? (-k * i * t) / count : 0;
    const c0 = training ? (-k * s1) / count + (k * i * m * t) / count : 0;
    out.dGamma[c] = t;
    out.k[c] = k;
    out.c1[c] = c1;
    out.c0[c] = c0;
    out.dInputBias[c] =
      k * (g.s3[c] as number) +
      (a === undefined ? 0 : c1 * (a.s4[c] as number) + c0 * (a.s3[c] as number));
  }
  return out;
}
