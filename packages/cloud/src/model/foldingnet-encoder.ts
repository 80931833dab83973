import {
  checkInteger,
  checkOneOf,
  InvalidArgumentError,
  invalidArgument,
  type Rng,
} from '@cellshape/core';
import {
  biasAdd,
  biasParameter,
  dense,
  knnIndices,
  type LoadStateDictOptions,
  ModuleState,
  matrixWeight,
  type Parameter,
  type StateArray,
  type StateDict,
  type StateEntry,
} from '@cellshape/engine';
import type { Tensor, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderTrace, Implementation } from './dgcnn-encoder.js';
import { globalMaxPool, localCovariance, localMaxPool } from './foldingnet-graph.js';
import { knnIndicesReference } from './knn-reference.js';

/** Width of the FoldingNet encoder's codeword (the features without an embedding layer). */
export const FOLDINGNET_WIDTH = 512;
/** Neighbours per point of the FoldingNet encoder's graph in the original (`k=None`). */
export const FOLDINGNET_DEFAULT_K = 16;

/** A 1×1 convolution or linear layer with bias: weight `[in, out]`, bias `[out]`. */
interface Layer {
  /** The module name, e.g. `encoder.mlp1.0`. */
  readonly name: string;
  readonly weight: Parameter;
  readonly bias: Parameter;
}

/** A PyTorch-initialised layer `name` (`Conv1d` when `conv`, else `Linear`) drawn from `rng`. */
function layer(name: string, rng: Rng, inputs: number, outputs: number, conv: boolean): Layer {
  const shape = conv ? [outputs, inputs, 1] : [outputs, inputs];
  return {
    name,
    weight: matrixWeight(rng, shape),
    bias: biasParameter(rng, outputs, inputs),
  };
}

const FN = 'FoldingNetEncoder';

/**
 * The FoldingNet encoder of cellshape-cloud (`FoldNetEncoder`): one kNN graph on the points
 * (the point itself included) → local covariance features (xyz and the outer product of the
 * first two neighbours, 12 channels) → `mlp1` (1×1 convs 12 → 64 → 64 → 64, ReLU each) →
 * graph layer: local max-pool over the neighbourhood, `linear1` 64 → 64, `conv1` 64 → 128 +
 * ReLU, local max-pool, `linear2` 128 → 128, `conv2` 128 → 1024 → max over points → `mlp2`
 * (1024 → 512, ReLU, 512 → 512) → linear without bias to F (skipped when F = 512). No batch
 * norm, so training and evaluation modes compute the same.
 *
 * Parameter names, order and PyTorch shapes are those of the original under `encoder.`
 * (`encoder.mlp1.0.weight` `[64, 12, 1]`, `encoder.linear1.weight` `[64, 64]`, …); weights are
 * held as `[in, out]`. Any F in 2..1024 works.
 * Channels-last internally: points `[B, N, 3]` → features `[B, F]`.
 */
export class FoldingNetEncoder {
  /** `encoder.mlp1.0`, `.2`, `.4`. */
  readonly mlp1: readonly Layer[];
  readonly linear1: Layer;
  readonly conv1: Layer;
  readonly linear2: Layer;
  readonly conv2: Layer;
  /** `encoder.mlp2.0`, `.2`. */
  readonly mlp2: readonly Layer[];
  /** `encoder.embedding.weight` `[F, 512]`, held as `[512, F]`; absent for F = 512. */
  readonly embedding: Parameter | undefined;
  /** Number of kNN graphs of a pass (one, shared by every layer). */
  readonly graphCount = 1;
  private readonly state: ModuleState;

  /**
   * Draws PyTorch's default initialisation (uniform on ±1/√fan_in, weights and biases) from
   * `rng`, layer by layer in PyTorch order.
   *
   * @param numFeatures F, an integer in 2..1024.
   * @param k neighbours per point (the point itself included), an integer ≥ 2; the original's
   *   default is {@link FOLDINGNET_DEFAULT_K}, cellshape-cloud's autoencoder passes 20.
   * @param implementation `'fast'` (typed-array kNN, wasm-friendly dense gradients) or
   *   `'plain'` (stock tfjs kNN and dense layers, the reference); the same numbers within
   *   float32 rounding. Both take maxima with PyTorch's tie rule (the gradient goes to the
   *   first maximum: ties are common in this network, see {@link localMaxPool}).
   */
  constructor(
    readonly numFeatures: number,
    readonly k: number,
    rng: Rng,
    readonly implementation: Implementation = 'fast',
  ) {
    checkInteger(FN, 'numFeatures', numFeatures, { min: 2, max: 1024 });
    // Local covariance uses two neighbours.
    checkInteger(FN, 'k', k, { min: 2 });
    checkOneOf(FN, 'implementation', implementation, ['fast', 'plain']);
    this.mlp1 = [12, 64, 64].map((inputs, i) =>
      layer(`encoder.mlp1.${2 * i}`, rng, inputs, 64, true),
    );
    this.linear1 = layer('encoder.linear1', rng, 64, 64, false);
    this.conv1 = layer('encoder.conv1', rng, 64, 128, true);
    this.linear2 = layer('encoder.linear2', rng, 128, 128, false);
    this.conv2 = layer('encoder.conv2', rng, 128, 1024, true);
    this.mlp2 = [
      layer('encoder.mlp2.0', rng, 1024, FOLDINGNET_WIDTH, true),
      layer('encoder.mlp2.2', rng, FOLDINGNET_WIDTH, FOLDINGNET_WIDTH, true),
    ];
    this.embedding =
      numFeatures === FOLDINGNET_WIDTH
        ? undefined
        : matrixWeight(rng, [numFeatures, FOLDINGNET_WIDTH]);
    this.state = new ModuleState(FN, this.stateEntries());
  }

  /** State-dict entries in PyTorch `state_dict()` order (parameters only: no buffers). */
  stateEntries(): StateEntry[] {
    const layers = [...this.mlp1, this.linear1, this.conv1, this.linear2, this.conv2, ...this.mlp2];
    const entries = layers.flatMap((l): StateEntry[] => [
      { kind: 'parameter', key: `${l.name}.weight`, parameter: l.weight },
      { kind: 'parameter', key: `${l.name}.bias`, parameter: l.bias },
    ]);
    if (this.embedding)
      entries.push({
        kind: 'parameter',
        key: 'encoder.embedding.weight',
        parameter: this.embedding,
      });
    return entries;
  }

  /** Trainable variables in PyTorch `named_parameters()` order, with PyTorch names. */
  namedParameters(): Array<[name: string, variable: Variable]> {
    return this.state.namedParameters();
  }

  /** The parameters as plain arrays in PyTorch `state_dict()` order and shapes (copies). */
  stateDict(): StateDict {
    return this.state.stateDict();
  }

  /**
   * Loads parameters in PyTorch layout (e.g. the `encoder.*` entries of a cellshape-cloud
   * state dict); see `ModuleState.loadStateDict` (strict by default, nothing changes on error).
   */
  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options?: LoadStateDictOptions,
  ): void {
    this.state.loadStateDict(state, options);
  }

  /**
   * Points `[B, N, 3]` (float32, finite, N ≥ k) → features `[B, F]` (the caller owns them).
   * @throws InvalidArgumentError naming `points` when the shape, dtype or values are wrong.
   */
  encode(points: Tensor): Tensor2D {
    const fn = `${FN}.encode`;
    if (!(points instanceof tf.Tensor))
      throw invalidArgument(fn, 'points', 'a tf.Tensor [B, N, 3]', points);
    if (points.rank !== 3 || points.shape[2] !== 3 || points.shape[0] === 0)
      throw invalidArgument(fn, 'points', 'a tensor of shape [B, N, 3] with B ≥ 1', points.shape);
    if (points.dtype !== 'float32') throw invalidArgument(fn, 'points', 'float32', points.dtype);
    if ((points.shape[1] as number) < this.k)
      throw new InvalidArgumentError(
        `${fn}: 'points' must have at least k = ${this.k} points per cloud, got ${points.shape[1]}`,
        { fn, arg: 'points' },
      );
    const check = tf.tidy(() => tf.sum(tf.mul(points, 0)));
    const finite = check.dataSync()[0] === 0;
    check.dispose();
    if (!finite) throw invalidArgument(fn, 'points', 'finite (no NaN or infinity)');
    return this.forward(points as Tensor3D, false);
  }

  /**
   * The unvalidated pass `[B, N, 3]` → `[B, F]` (`training` is accepted for the encoder
   * interface and changes nothing: there is no batch norm). Fills `trace` when given: `knn`
   * gets the one graph, `pooled` the `mlp2` output `[B, 512]`, `edgeOutputs` stays empty.
   * `graphs[0]`, when given, replaces the kNN search (int32 `[B, N, k]`).
   */
  forward(
    points: Tensor3D,
    _training: boolean,
    trace?: EncoderTrace,
    graphs?: readonly Tensor3D[],
  ): Tensor2D {
    const fast = this.implementation === 'fast';
    const [b, n] = points.shape;
    const linear = (x: Tensor2D, l: Layer): Tensor2D =>
      fast
        ? (biasAdd(dense(x, l.weight.variable as Tensor2D), l.bias.variable) as Tensor2D)
        : tf.add(tf.matMul(x, l.weight.variable as Tensor2D), l.bias.variable);
    const rows = (x: Tensor, c: number): Tensor2D => tf.reshape(x, [b * n, c]);
    const cloud = (x: Tensor, c: number): Tensor3D => tf.reshape(x, [b, n, c]);
    return tf.tidy(() => {
      const given = graphs?.[0];
      const idx =
        given ?? (fast ? knnIndices(points, this.k) : knnIndicesReference(points, this.k));
      if (trace) trace.knn.push(tf.keep(given ? tf.clone(idx) : idx));
      let h = rows(localCovariance(points, idx), 12);
      for (const l of this.mlp1) h = tf.relu(linear(h, l));
      h = linear(rows(localMaxPool(cloud(h, 64), idx), 64), this.linear1);
      h = tf.relu(linear(h, this.conv1));
      h = linear(rows(localMaxPool(cloud(h, 128), idx), 128), this.linear2);
      const conv2 = cloud(linear(h, this.conv2), 1024);
      let g = globalMaxPool(conv2);
      g = tf.relu(linear(g, this.mlp2[0] as Layer));
      const pooled = linear(g, this.mlp2[1] as Layer);
      if (trace) trace.pooled = tf.keep(pooled);
      if (!this.embedding) return pooled;
      const w = this.embedding.variable as Tensor2D;
      return fast ? dense(pooled, w) : tf.matMul(pooled, w);
    });
  }

  /** Frees the weights. */
  dispose(): void {
    this.state.dispose();
  }
}
