import {
  checkInteger,
  checkNumber,
  checkOneOf,
  createRng,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import {
  type Autoencoder,
  ModuleState,
  registerGradients,
  StateDictModule,
} from '@cellshape/engine';
import type { Scalar, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { chamferLoss } from '../losses/chamfer.js';
import { DgcnnEncoder, type EncoderTrace, type Implementation } from './dgcnn-encoder.js';
import { type DecoderType, FoldingDecoder } from './folding-decoder.js';
import { FoldingNetEncoder } from './foldingnet-encoder.js';
import { type SourceShape, sourcePoints } from './source-points.js';

/** Encoders of the point-cloud autoencoder. */
export type EncoderType = 'dgcnn' | 'foldingnet';

/** Options of {@link CloudAutoEncoder}; every field is optional, see {@link DEFAULT_CLOUD_AUTOENCODER_OPTIONS}. */
export interface CloudAutoEncoderOptions {
  /**
   * The encoder: `'dgcnn'` (dynamic graph CNN) or `'foldingnet'` (FoldingNet's local
   * covariance features and graph max-pooling, one kNN graph on the points). Default `'dgcnn'`.
   */
  encoderType?: EncoderType;
  /** The decoder: `'foldingnet'` (conv-style) or `'foldingnetbasic'` (linear-style). Default `'foldingnet'`. */
  decoderType?: DecoderType;
  /**
   * Number of features F, an integer in 2..1024. Default 128. With F ≠ 512 the encoder ends in
   * a linear 512 → F and the decoder starts with a linear F → 512 (both without bias); with
   * F = 512 both are absent, as in cellshape-cloud.
   */
  numFeatures?: number;
  /** Neighbours per point in the EdgeConv graphs (the point itself included). Default 20. */
  k?: number;
  /**
   * Decoder source points: `'plane'` (a √M×√M grid on [−std, std]², the 45×45 grid of
   * cellshape for M = 2025), `'sphere'` (M points on the sphere of radius std) or
   * `'gaussian'` (M normal points with standard deviation std); random shapes are seeded by
   * `seed`. Default `'plane'`.
   */
  shape?: SourceShape;
  /** Number of source points M = reconstructed points; a perfect square for `'plane'`. Default 2025. */
  numSourcePoints?: number;
  /** Scale of the source points (see `shape`). Default 0.3. */
  std?: number;
  /** Seed of the weight initialisation (PyTorch's default init scheme) and of random source points. Default 0. */
  seed?: number;
  /**
   * Explicit source points for `'sphere'` / `'gaussian'` (e.g. the `sphere.npy` of a PyTorch
   * model): M×3 coordinates, row-major, as a plain number array so the config stays JSON.
   * `numSourcePoints` must then equal M. Default: generated from `seed`.
   */
  sourcePoints?: readonly number[];
  /**
   * `'fast'` (default): the fused kernels of `@cellshape/engine` (typed-array kNN, fused
   * EdgeConv with a custom gradient, dense layers with wasm-friendly gradients); `'plain'`:
   * stock tfjs ops, the reference formulation (much slower, far more memory). Both give the
   * same numbers within float32 rounding.
   */
  implementation?: Implementation;
}

/** The defaults of {@link CloudAutoEncoderOptions}. */
export const DEFAULT_CLOUD_AUTOENCODER_OPTIONS: Readonly<
  Omit<Required<CloudAutoEncoderOptions>, 'sourcePoints'>
> = Object.freeze({
  encoderType: 'dgcnn',
  decoderType: 'foldingnet',
  numFeatures: 128,
  k: 20,
  shape: 'plane',
  numSourcePoints: 2025,
  std: 0.3,
  seed: 0,
  implementation: 'fast',
});

/** Output of {@link CloudAutoEncoder.forward} (a plain object: `tf.dispose(output)` frees it). */
export type CloudAutoEncoderOutput = {
  /** Encoder output `[B, F]`. */
  features: Tensor2D;
  /** Decoder output `[B, M, 3]`. */
  reconstruction: Tensor3D;
};

/** Output of {@link CloudAutoEncoder.trace}: the forward outputs and the encoder's intermediates. */
export type CloudAutoEncoderTrace = CloudAutoEncoderOutput & EncoderTrace;

const FN = 'CloudAutoEncoder';

type ResolvedOptions = Omit<Required<CloudAutoEncoderOptions>, 'sourcePoints'> & {
  sourcePoints?: readonly number[];
};

function validateOptions(options: CloudAutoEncoderOptions): ResolvedOptions {
  const o: ResolvedOptions = withDefaults(FN, DEFAULT_CLOUD_AUTOENCODER_OPTIONS, options);
  checkOneOf(FN, 'encoderType', o.encoderType, ['dgcnn', 'foldingnet']);
  checkOneOf(FN, 'decoderType', o.decoderType, ['foldingnet', 'foldingnetbasic']);
  checkInteger(FN, 'numFeatures', o.numFeatures, { min: 2, max: 1024 });
  // FoldingNet's local covariance uses two neighbours.
  checkInteger(FN, 'k', o.k, { min: o.encoderType === 'foldingnet' ? 2 : 1 });
  checkOneOf(FN, 'shape', o.shape, ['plane', 'sphere', 'gaussian']);
  checkInteger(FN, 'numSourcePoints', o.numSourcePoints, { min: 4 });
  if (o.shape === 'plane' && Math.round(Math.sqrt(o.numSourcePoints)) ** 2 !== o.numSourcePoints)
    throw invalidArgument(
      FN,
      'numSourcePoints',
      "a perfect square for shape 'plane'",
      o.numSourcePoints,
    );
  checkNumber(FN, 'std', o.std, { min: 0, exclusiveMin: true });
  checkOneOf(FN, 'implementation', o.implementation, ['fast', 'plain']);
  checkInteger(FN, 'seed', o.seed);
  if (o.sourcePoints === undefined) return o;
  const p = o.sourcePoints;
  if (o.shape === 'plane')
    throw invalidArgument(FN, 'sourcePoints', "absent for shape 'plane'", 'an array');
  if (
    !Array.isArray(p) ||
    p.length !== o.numSourcePoints * 3 ||
    !p.every((v) => typeof v === 'number' && Number.isFinite(v))
  )
    throw invalidArgument(
      FN,
      'sourcePoints',
      `${o.numSourcePoints * 3} finite numbers (numSourcePoints × 3)`,
      p,
    );
  return { ...o, sourcePoints: [...p] };
}

/** Throws unless every value of `t` is finite (one multiply-and-sum, read synchronously). */
function assertFinite(fn: string, arg: string, t: Tensor): void {
  const check = tf.tidy(() => tf.sum(tf.mul(t, 0)));
  const value = check.dataSync()[0];
  check.dispose();
  if (value !== 0) throw invalidArgument(fn, arg, 'finite (no NaN or infinity)');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The dynamic graph convolutional FoldingNet (DFN) point-cloud autoencoder of cellshape-cloud:
 * a DGCNN encoder (points `[B, N, 3]` → features `[B, F]`) and a FoldingNet decoder
 * (features → reconstruction `[B, M, 3]`), with PyTorch's parameter names, state-dict layout
 * and batch-norm semantics, so weights move both ways with a PyTorch checkpoint and outputs
 * match PyTorch within float32 rounding.
 *
 * ```ts
 * await selectBackend();
 * const model = new CloudAutoEncoder({ numFeatures: 128, k: 20 }).eval();
 * const { features, reconstruction } = model.forward(points); // points: [B, 2048, 3]
 * ```
 *
 * Its state dict has the `encoder.convX.1.*` aliases of `encoder.bnX.*`, as PyTorch writes
 * them: 69 keys (67 for F = 512) with the DGCNN encoder, 19 encoder keys (18) with FoldingNet's,
 * which has no buffers; either name of an alias loads it.
 *
 * Tensors returned by the methods belong to the caller (dispose them); call
 * {@link CloudAutoEncoder.dispose} to free the weights.
 */
export class CloudAutoEncoder extends StateDictModule implements Autoencoder {
  /** The model family, as the run layer registers it. */
  readonly family = 'cloud';
  /** The number of features F. */
  readonly numFeatures: number;
  /** Neighbours per point in the EdgeConv graphs. */
  readonly k: number;
  /** Number of reconstructed points M. */
  readonly numSourcePoints: number;
  private readonly options: ResolvedOptions;
  private readonly encoder: DgcnnEncoder | FoldingNetEncoder;
  private readonly decoder: FoldingDecoder;
  protected readonly state: ModuleState;
  private mode = true;

  /** Builds the model with PyTorch's default initialisation, seeded; training mode on (as PyTorch). */
  constructor(options: CloudAutoEncoderOptions = {}) {
    super();
    this.options = validateOptions(options);
    registerGradients();
    const o = this.options;
    this.numFeatures = o.numFeatures;
    this.k = o.k;
    this.numSourcePoints = o.numSourcePoints;
    const root = createRng(o.seed);
    const weightRng = root.fork();
    const sourceSeed = root.fork().nextUint32();
    const convention = o.decoderType === 'foldingnet' ? 'product' : 'meshgrid';
    const source = o.sourcePoints
      ? {
          data: Float32Array.from(o.sourcePoints),
          shape: [o.numSourcePoints, 3] as [number, number],
        }
      : sourcePoints(o.shape, o.numSourcePoints, o.std, sourceSeed, convention);
    switch (o.encoderType) {
      case 'dgcnn':
        this.encoder = new DgcnnEncoder(o.numFeatures, o.k, weightRng, o.implementation);
        break;
      case 'foldingnet':
        this.encoder = new FoldingNetEncoder(o.numFeatures, o.k, weightRng, o.implementation);
        break;
      default: {
        const never: never = o.encoderType;
        throw new Error(`unknown encoder ${String(never)}`);
      }
    }
    this.decoder = new FoldingDecoder(
      o.decoderType,
      o.numFeatures,
      source,
      weightRng,
      o.implementation,
    );
    this.state = new ModuleState(FN, [
      ...this.encoder.stateEntries(),
      ...this.decoder.stateEntries(),
    ]);
  }

  /** True in training mode (batch statistics, running statistics updated). */
  get training(): boolean {
    return this.mode;
  }

  /** Switches batch norm to training (`true`, default) or evaluation behaviour. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw invalidArgument(`${FN}.train`, 'mode', 'a boolean', mode);
    this.mode = mode;
    return this;
  }

  /** Evaluation mode: batch norm uses the running statistics. */
  eval(): this {
    return this.train(false);
  }

  private checkPoints(fn: string, points: Tensor): asserts points is Tensor3D {
    if (!(points instanceof tf.Tensor))
      throw invalidArgument(fn, 'points', 'a tf.Tensor [B, N, 3]', points);
    if (points.rank !== 3 || points.shape[2] !== 3)
      throw invalidArgument(fn, 'points', 'a tensor of shape [B, N, 3]', points.shape);
    if (points.dtype !== 'float32') throw invalidArgument(fn, 'points', 'float32', points.dtype);
    const [b, n] = points.shape as [number, number, number];
    if (b < 1) throw invalidArgument(fn, 'points', 'a non-empty batch', points.shape);
    if (n < this.k)
      throw new InvalidArgumentError(
        `${fn}: 'points' must have at least k = ${this.k} points per cloud, got ${n}`,
        { fn, arg: 'points' },
      );
    if (this.mode && b * n < 2)
      throw new InvalidArgumentError(
        `${fn}: batch norm in training mode needs more than one value per channel; got a single point (use eval())`,
        { fn, arg: 'points' },
      );
    assertFinite(fn, 'points', points);
  }

  private checkFeatures(fn: string, features: Tensor): asserts features is Tensor2D {
    if (!(features instanceof tf.Tensor))
      throw invalidArgument(fn, 'features', `a tf.Tensor [B, ${this.numFeatures}]`, features);
    if (features.rank !== 2 || features.shape[1] !== this.numFeatures || features.shape[0] === 0)
      throw invalidArgument(
        fn,
        'features',
        `a tensor of shape [B, ${this.numFeatures}]`,
        features.shape,
      );
    if (features.dtype !== 'float32')
      throw invalidArgument(fn, 'features', 'float32', features.dtype);
    assertFinite(fn, 'features', features);
  }

  /** Points `[B, N, 3]` (float32, N ≥ k, finite) → features `[B, F]`. */
  encode(points: Tensor): Tensor2D {
    this.checkPoints(`${FN}.encode`, points);
    return this.encoder.forward(points, this.mode);
  }

  /** Features `[B, F]` → reconstruction `[B, M, 3]`. */
  decode(features: Tensor): Tensor3D {
    this.checkFeatures(`${FN}.decode`, features);
    return this.decoder.forward(features);
  }

  /**
   * The training loss of cellshape-cloud: the Chamfer distance in its `'sum'` form (both
   * directions' squared nearest distances, summed over the batch); `chamferLoss` gives the others.
   */
  reconstructionLoss(points: Tensor, reconstruction: Tensor): Scalar {
    return chamferLoss(points, reconstruction, { implementation: this.options.implementation });
  }

  /** Points `[B, N, 3]` → `{ features [B, F], reconstruction [B, M, 3] }`. */
  forward(points: Tensor): CloudAutoEncoderOutput {
    this.checkPoints(`${FN}.forward`, points);
    return tf.tidy(() => {
      const features = this.encoder.forward(points, this.mode);
      return { features, reconstruction: this.decoder.forward(features) };
    });
  }

  /**
   * {@link CloudAutoEncoder.forward} that also returns the encoder's intermediates: the kNN
   * indices and outputs of the four EdgeConv layers (DGCNN; for FoldingNet the one graph and
   * no layer outputs) and the pooled 512-vector.
   *
   * `options.graphs` replaces the kNN searches (four for DGCNN, one for FoldingNet) by given
   * neighbour indices (int32 `[B, N, k]` each), e.g. PyTorch's, to compare numerics
   * independently of how near-ties between neighbours are broken.
   */
  trace(points: Tensor, options: { graphs?: readonly Tensor[] } = {}): CloudAutoEncoderTrace {
    const fn = `${FN}.trace`;
    this.checkPoints(fn, points);
    const graphs = options.graphs;
    if (graphs !== undefined) {
      const [b, n] = points.shape;
      const count = this.options.encoderType === 'dgcnn' ? 4 : 1;
      const ok =
        Array.isArray(graphs) &&
        graphs.length === count &&
        graphs.every(
          (g) =>
            g instanceof tf.Tensor && g.dtype === 'int32' && sameShape(g.shape, [b, n, this.k]),
        );
      if (!ok)
        throw invalidArgument(
          fn,
          'options.graphs',
          `${count === 4 ? 'four int32 tensors' : 'one int32 tensor'} of shape [${b}, ${n}, ${this.k}]`,
          graphs,
        );
    }
    const trace: EncoderTrace = {
      knn: [],
      edgeOutputs: [],
      pooled: undefined as unknown as Tensor2D,
    };
    const out = tf.tidy(() => {
      const features = this.encoder.forward(
        points,
        this.mode,
        trace,
        graphs as Tensor3D[] | undefined,
      );
      return { features, reconstruction: this.decoder.forward(features) };
    });
    return { ...out, ...trace };
  }

  /** The options this model was built with (JSON-serialisable); `new CloudAutoEncoder(config)` rebuilds it untrained. */
  config(): Record<string, unknown> & CloudAutoEncoderOptions {
    const { sourcePoints: points, ...rest } = this.options;
    return points ? { ...rest, sourcePoints: [...points] } : { ...rest };
  }

  /** Frees every tensor the model owns. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
