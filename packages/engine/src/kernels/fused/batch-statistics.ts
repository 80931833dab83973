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

/** The parameter gradients and the input-gradient constants k, c1, c0 (float32). */
export function backwardConstants(
  sums: { s1: Float64Array; s2: Float64Array },
  count: number,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  eps: number,
  training: boolean,
): {
  dGamma: Float32Array;
  dBeta: Float32Array;
  k: Float32Array;
  c1: Float32Array;
  c0: Float32Array;
} {
  const inv = inverseStd(variance, eps);
  const channels = inv.length;
  const dGamma = new Float32Array(channels);
  const k = new Float32Array(channels);
  const c1 = new Float32Array(channels);
  const c0 = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const i = inv[c] as number;
    const m = mean[c] as number;
    const s1 = sums.s1[c] as number;
    const t = ((sums.s2[c] as number) - m * s1) * i;
    const kc = (gamma[c] as number) * i;
    dGamma[c] = t;
    k[c] = kc;
    if (training) {
      c1[c] = (-kc * i * t) / count;
      c0[c] = (-kc * s1) / count + (kc * i * m * t) / count;
    }
  }
  return { dGamma, dBeta: Float32Array.from(sums.s1), k, c1, c0 };
}
