import type { Rng } from '@cellshape/core';
import {
  aliasEntries,
  BATCH_NORM_EPS,
  BatchNorm,
  channelExtremes,
  columnSum,
  dense,
  edgeConvBlock,
  knnIndices,
  matMulParallel,
  matrixWeight,
  type Parameter,
  type StateEntry,
} from '@cellshape/engine';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { DGCNN_NEGATIVE_SLOPE, edgeConvReference } from './edge-conv-reference.js';
import { knnIndicesReference } from './knn-reference.js';
import { untaped } from './untaped.js';

/** Width of the DGCNN global feature (and of the FoldingNet codeword). */
export const DGCNN_WIDTH = 512;
/** Output channels of the four EdgeConv layers. */
export const EDGE_CONV_WIDTHS = [64, 64, 128, 256] as const;

/** Evaluation mode encodes at most about this many EdgeConv values (B·N·k·512) at once. */
const EVAL_CHUNK_VALUES = 2 ** 25;

/**
 * How the model computes: `'fast'` with the fused kernels of `@cellshape/engine` (typed-array
 * kNN, fused EdgeConv with batch-norm statistics from point-level sums, dense layers whose
 * gradients use untransposed products); `'plain'` with stock tfjs ops (the reference).
 */
export type Implementation = 'fast' | 'plain';

/** Intermediate results of one encoder pass, for inspection and golden tests. */
export interface EncoderTrace {
  /** Neighbour indices per EdgeConv layer, int32 `[B, N, k]`. */
  knn: Tensor3D[];
  /** EdgeConv outputs, `[B, N, C]` with C = 64, 64, 128, 256 (channels last). */
  edgeOutputs: Tensor3D[];
  /** The max-pooled conv5 output `[B, 512]` (before the embedding). */
  pooled: Tensor2D;
}

/**
 * conv5 (1×1, no bias) → batch norm → LeakyReLU(0.2) → max over the points, `[B·N, 512]` →
 * `[B, 512]`, as one operation with a hand-written gradient: batch norm and LeakyReLU are applied
 * to the B·512 pooled values only, and the max routes the gradient to one point per (sample,
 * channel) (the first attaining the extreme conv5 output), so the backward pass
 * needs only the input and the conv5 output (tfjs's tape would keep about six `[B·N, 512]`
 * tensors). Batch-norm sums in two levels ({@link columnSum}) as {@link BatchNorm}; in
 * training mode the running statistics are updated.
 */
function encoderHead(
  joined: Tensor2D,
  b: number,
  weight: Tensor2D,
  norm: BatchNorm,
  training: boolean,
): Tensor2D {
  const rows = joined.shape[0];
  const n = rows / b;
  const c = DGCNN_WIDTH;
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [x, w, gamma, beta, save] = args as [Tensor2D, Tensor2D, Tensor, Tensor, tf.GradSaveFunc];
    const z = matMulParallel(x, w);
    let mean: Tensor;
    let variance: Tensor;
    if (training) {
      mean = tf.div(columnSum(z), rows);
      variance = tf.div(columnSum(tf.square(tf.sub(z, mean))), rows);
      norm.trackBatch(mean, variance, rows);
    } else {
      mean = norm.runningMean;
      variance = norm.runningVar;
    }
    const inv = tf.rsqrt(tf.add(variance, BATCH_NORM_EPS));
    // Batch norm then LeakyReLU is, per channel, non-decreasing in z where γ ≥ 0 and
    // non-increasing where γ < 0 — float rounding included —, so its max over the points is its
    // value at the max (γ ≥ 0) or min (γ < 0) of z: normalise B·512 values instead of B·N·512.
    const lower = Array.from(gamma.dataSync() as Float32Array, (g) => g < 0);
    const { values: picked, arg } = channelExtremes(tf.reshape(z, [b, n, c]), lower);
    const value = tf.tidy(() =>
      tf.leakyRelu(
        tf.add(tf.mul(tf.mul(tf.sub(tf.tensor2d(picked, [b, c]), mean), inv), gamma), beta),
        DGCNN_NEGATIVE_SLOPE,
      ),
    ) as Tensor2D;
    const best = value.dataSync() as Float32Array;
    save([x, w, z, mean, inv, gamma]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ws, zs, meanS, invS, gammaS] = saved as [
          Tensor2D,
          Tensor2D,
          Tensor2D,
          Tensor,
          Tensor,
          Tensor,
        ];
        // dL/du: only at the winning point of each (sample, channel), through the LeakyReLU.
        const g = dy.dataSync() as Float32Array;
        const du = new Float32Array(rows * c);
        for (let s = 0; s < b; s++)
          for (let o = 0; o < c; o++) {
            const v = best[s * c + o] as number;
            du[(s * n + (arg[s * c + o] as number)) * c + o] =
              (g[s * c + o] as number) * (v > 0 ? 1 : DGCNN_NEGATIVE_SLOPE);
          }
        const duT = tf.tensor2d(du, [rows, c]);
        const xhat = tf.mul(tf.sub(zs, meanS), invS);
        const dBeta = columnSum(duT);
        const dGamma = tf.tidy(() => columnSum(tf.mul(duT, xhat)));
        // Train: dz = γ·inv/n·(n·du − Σdu − x̂·Σ(du·x̂)); eval: μ, σ constant, dz = γ·inv·du.
        const dz = tf.tidy(() =>
          training
            ? tf.mul(
                tf.sub(tf.sub(tf.mul(duT, rows), dBeta), tf.mul(xhat, dGamma)),
                tf.div(tf.mul(gammaS, invS), rows),
              )
            : tf.mul(duT, tf.mul(gammaS, invS)),
        ) as Tensor2D;
        tf.dispose([duT, xhat]);
        const dx = tf.tidy(() => matMulParallel(dz, tf.transpose(ws)));
        const dw = tf.tidy(() => matMulParallel(tf.transpose(xs), dz));
        return [dx, dw, dGamma, dBeta];
      },
    };
  });
  return op(joined, weight, norm.weight, norm.bias) as Tensor2D;
}

/**
 * The dynamic graph CNN encoder of cellshape-cloud: four EdgeConv layers (kNN graph recomputed
 * on the current features before each), concatenation (512) → 1×1 conv 512 → batch norm →
 * LeakyReLU(0.2) → max over points → linear without bias to F (skipped when F = 512).
 * Channels-last internally: points `[B, N, 3]` → features `[B, F]`.
 */
export class DgcnnEncoder {
  readonly norms: BatchNorm[];
  /** conv1–4 `[out, 2·in, 1, 1]` and conv5 `[512, 512, 1]` in PyTorch, held as `[in, out]`. */
  readonly convs: Parameter[];
  /** `[F, 512]` in PyTorch, held as `[512, F]`; absent for F = 512. */
  readonly embedding: Parameter | undefined;

  constructor(
    readonly numFeatures: number,
    readonly k: number,
    rng: Rng,
    readonly implementation: Implementation = 'fast',
  ) {
    this.norms = [...EDGE_CONV_WIDTHS, DGCNN_WIDTH].map((c) => new BatchNorm(c));
    const inputs = [3, ...EDGE_CONV_WIDTHS.slice(0, 3)];
    this.convs = EDGE_CONV_WIDTHS.map((out, i) =>
      matrixWeight(rng, [out, 2 * (inputs[i] as number), 1, 1]),
    );
    this.convs.push(matrixWeight(rng, [DGCNN_WIDTH, DGCNN_WIDTH, 1]));
    this.embedding =
      numFeatures === DGCNN_WIDTH ? undefined : matrixWeight(rng, [numFeatures, DGCNN_WIDTH]);
  }

  /**
   * State-dict entries in PyTorch order: `encoder.bn1–5.*`, then each `encoder.convX.0.weight`
   * followed by `encoder.convX.1.*`, the same batch norm under the name of its `nn.Sequential`
   * slot (an alias), then `encoder.embedding.weight`.
   */
  stateEntries(): StateEntry[] {
    const norms = this.norms.map((norm, i) => norm.stateEntries(`encoder.bn${i + 1}`));
    const entries = norms.flat();
    this.convs.forEach((conv, i) => {
      entries.push({ kind: 'parameter', key: `encoder.conv${i + 1}.0.weight`, parameter: conv });
      entries.push(
        ...aliasEntries(norms[i] as StateEntry[], `encoder.bn${i + 1}`, `encoder.conv${i + 1}.1`),
      );
    });
    if (this.embedding)
      entries.push({
        kind: 'parameter',
        key: 'encoder.embedding.weight',
        parameter: this.embedding,
      });
    return entries;
  }

  /**
   * `[B, N, 3]` → `[B, F]`; fills `trace` (tensors the caller then owns) when given. `graphs`,
   * when given, replaces the kNN search of each EdgeConv layer (int32 `[B, N, k]` each).
   */
  forward(
    points: Tensor3D,
    training: boolean,
    trace?: EncoderTrace,
    graphs?: readonly Tensor3D[],
  ): Tensor2D {
    if (this.implementation === 'fast') return this.forwardFast(points, training, trace, graphs);
    const [b, n] = points.shape;
    // In evaluation mode samples are independent: bound the [B, N, k, C] EdgeConv tensors
    // (the wasm heap is limited) by encoding a few samples at a time.
    const chunk = Math.max(1, Math.floor(EVAL_CHUNK_VALUES / (n * this.k * DGCNN_WIDTH)));
    if (!training && !trace && !graphs && b > chunk)
      return tf.tidy(() => {
        const parts: Tensor2D[] = [];
        for (let start = 0; start < b; start += chunk) {
          const size = Math.min(chunk, b - start);
          parts.push(this.forward(tf.slice(points, [start, 0, 0], [size, n, 3]), false));
        }
        return tf.concat(parts, 0);
      });
    return tf.tidy(() => {
      let h = points;
      const layers: Tensor3D[] = [];
      for (let i = 0; i < EDGE_CONV_WIDTHS.length; i++) {
        const idx = graphs?.[i] ?? knnIndicesReference(h, this.k);
        const norm = this.norms[i] as BatchNorm;
        h = edgeConvReference(
          h,
          idx,
          (this.convs[i] as Parameter).variable as Tensor2D,
          (z: Tensor) => norm.apply(z, training),
        );
        layers.push(h);
        if (trace) {
          trace.knn.push(tf.keep(graphs?.[i] ? tf.clone(idx) : idx));
          trace.edgeOutputs.push(tf.keep(h));
        }
      }
      const joined = tf.reshape(tf.concat(layers, 2), [b * n, DGCNN_WIDTH]);
      const conv5 = tf.matMul(joined, (this.convs[4] as Parameter).variable);
      const activated = tf.leakyRelu(
        (this.norms[4] as BatchNorm).apply(conv5, training),
        DGCNN_NEGATIVE_SLOPE,
      );
      const pooled = tf.max(tf.reshape(activated, [b, n, DGCNN_WIDTH]), 1) as Tensor2D;
      if (trace) trace.pooled = tf.keep(pooled);
      return this.embedding ? tf.matMul(pooled, this.embedding.variable) : pooled;
    });
  }

  /** {@link DgcnnEncoder.forward} with the fused kernels (no `[B, N, k, C]` tensor, so no chunks). */
  private forwardFast(
    points: Tensor3D,
    training: boolean,
    trace?: EncoderTrace,
    graphs?: readonly Tensor3D[],
  ): Tensor2D {
    const [b, n] = points.shape;
    return tf.tidy(() => {
      let h = points;
      const layers: Tensor3D[] = [];
      for (let i = 0; i < EDGE_CONV_WIDTHS.length; i++) {
        // Untaped: the kNN's Gram matrices would otherwise stay on the gradient tape.
        const idx = graphs?.[i] ?? untaped(h, (input) => knnIndices(input, this.k));
        const norm = this.norms[i] as BatchNorm;
        const result = edgeConvBlock(
          h,
          (this.convs[i] as Parameter).variable,
          norm.weight,
          norm.bias,
          {
            knn: idx,
            training,
            runningMean: norm.runningMean,
            runningVar: norm.runningVar,
            negativeSlope: DGCNN_NEGATIVE_SLOPE,
          },
        );
        if (training && result.runningMean && result.runningVar) {
          norm.runningMean.assign(result.runningMean);
          norm.runningVar.assign(result.runningVar);
          norm.numBatchesTracked += 1;
        }
        tf.dispose([result.batchMean, result.batchVar, result.runningMean, result.runningVar]);
        h = result.output;
        layers.push(h);
        if (trace) {
          trace.knn.push(tf.keep(graphs?.[i] ? tf.clone(idx) : idx));
          trace.edgeOutputs.push(tf.keep(h));
        } else if (!graphs?.[i]) idx.dispose();
      }
      const joined = tf.reshape(tf.concat(layers, 2), [b * n, DGCNN_WIDTH]) as Tensor2D;
      const pooled = encoderHead(
        joined,
        b,
        (this.convs[4] as Parameter).variable as Tensor2D,
        this.norms[4] as BatchNorm,
        training,
      );
      if (trace) trace.pooled = tf.keep(pooled);
      return this.embedding ? dense(pooled, this.embedding.variable as Tensor2D) : pooled;
    });
  }

  dispose(): void {
    for (const norm of this.norms) norm.dispose();
    for (const conv of this.convs) conv.variable.dispose();
    this.embedding?.variable.dispose();
  }
}
