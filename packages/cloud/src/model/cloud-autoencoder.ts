import {
  type AnyTypedArray,
  createRng,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  type NdArray,
  shapeSize,
} from '@cellshape/core';
import {
  type Autoencoder,
  registerGradients,
  type StateArray,
  type StateDict,
} from '@cellshape/engine';
import type { Scalar, Tensor, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { chamferLoss } from '../losses/chamfer.js';
import {
  DgcnnEncoder,
  type EncoderTrace,
  type Implementation,
  type StateEntry,
} from './dgcnn-encoder.js';
import { type DecoderType, FoldingDecoder } from './folding-decoder.js';
import { FoldingNetEncoder } from './foldingnet-encoder.js';
import { fromTorchLayout, type ParameterEntry, toTorchLayout } from './parameters.js';
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
  if (options === null || typeof options !== 'object')
    throw invalidArgument(FN, 'options', 'an object', options);
  const o: ResolvedOptions = { ...DEFAULT_CLOUD_AUTOENCODER_OPTIONS, ...options };
  for (const [key, value] of Object.entries(options))
    if (value === undefined)
      (o as Record<string, unknown>)[key] = (
        DEFAULT_CLOUD_AUTOENCODER_OPTIONS as Record<string, unknown>
      )[key];
  if (o.encoderType !== 'dgcnn' && o.encoderType !== 'foldingnet')
    throw invalidArgument(FN, 'encoderType', "'dgcnn' or 'foldingnet'", o.encoderType);
  if (o.decoderType !== 'foldingnet' && o.decoderType !== 'foldingnetbasic')
    throw invalidArgument(FN, 'decoderType', "'foldingnet' or 'foldingnetbasic'", o.decoderType);
  if (!Number.isInteger(o.numFeatures) || o.numFeatures < 2 || o.numFeatures > 1024)
    throw invalidArgument(FN, 'numFeatures', 'an integer in 2..1024', o.numFeatures);
  if (!Number.isInteger(o.k) || o.k < 1) throw invalidArgument(FN, 'k', 'a positive integer', o.k);
  if (o.encoderType === 'foldingnet' && o.k < 2)
    throw invalidArgument(FN, 'k', "≥ 2 for encoderType 'foldingnet'", o.k);
  if (o.shape !== 'plane' && o.shape !== 'sphere' && o.shape !== 'gaussian')
    throw invalidArgument(FN, 'shape', "'plane', 'sphere' or 'gaussian'", o.shape);
  if (!Number.isInteger(o.numSourcePoints) || o.numSourcePoints < 4)
    throw invalidArgument(FN, 'numSourcePoints', 'an integer ≥ 4', o.numSourcePoints);
  if (o.shape === 'plane' && Math.round(Math.sqrt(o.numSourcePoints)) ** 2 !== o.numSourcePoints)
    throw invalidArgument(
      FN,
      'numSourcePoints',
      "a perfect square for shape 'plane'",
      o.numSourcePoints,
    );
  if (typeof o.std !== 'number' || !Number.isFinite(o.std) || o.std <= 0)
    throw invalidArgument(FN, 'std', 'a positive finite number', o.std);
  if (o.implementation !== 'fast' && o.implementation !== 'plain')
    throw invalidArgument(FN, 'implementation', "'fast' or 'plain'", o.implementation);
  if (!Number.isInteger(o.seed)) throw invalidArgument(FN, 'seed', 'an integer', o.seed);
  if (o.sourcePoints !== undefined) {
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
    o.sourcePoints = [...p];
  } else delete o.sourcePoints;
  return o;
}

/** Throws unless every value of `t` is finite (one multiply-and-sum, read synchronously). */
function assertFinite(fn: string, arg: string, t: Tensor): void {
  const check = tf.tidy(() => tf.sum(tf.mul(t, 0)));
  const value = check.dataSync()[0];
  check.dispose();
  if (value !== 0) throw invalidArgument(fn, arg, 'finite (no NaN or infinity)');
}

function toFloat32(data: AnyTypedArray): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
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
 * Tensors returned by the methods belong to the caller (dispose them); call
 * {@link CloudAutoEncoder.dispose} to free the weights.
 */
export class CloudAutoEncoder implements Autoencoder {
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
  private readonly params: ParameterEntry[];
  private readonly state: StateEntry[];
  private mode = true;

  /** Builds the model with PyTorch's default initialisation, seeded; training mode on (as PyTorch). */
  constructor(options: CloudAutoEncoderOptions = {}) {
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
    this.params = [...this.encoder.parameters(), ...this.decoder.parameters()];
    this.state = [...this.encoder.stateEntries(), ...this.decoder.stateEntries()];
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

  /** Trainable variables in PyTorch `named_parameters()` order, with PyTorch names. */
  namedParameters(): Array<[name: string, variable: Variable]> {
    return this.params.map((p) => [p.name, p.variable]);
  }

  /** The PyTorch shape of a parameter (variables of weights hold the transpose, `[in, out]`). */
  torchShape(name: string): number[] {
    return [...this.entry(`${FN}.torchShape`, name).torchShape];
  }

  /** Converts a parameter-shaped array (variable layout) to PyTorch's layout, e.g. optimizer state. */
  parameterToTorch(name: string, data: Float32Array): NdArray<Float32Array> {
    const entry = this.entry(`${FN}.parameterToTorch`, name);
    this.checkLength(`${FN}.parameterToTorch`, entry, data);
    return { data: toTorchLayout(entry, data), shape: [...entry.torchShape] };
  }

  /** Converts an array in PyTorch's layout to the layout of the parameter's variable. */
  parameterFromTorch(name: string, data: Float32Array): NdArray<Float32Array> {
    const entry = this.entry(`${FN}.parameterFromTorch`, name);
    this.checkLength(`${FN}.parameterFromTorch`, entry, data);
    return { data: fromTorchLayout(entry, data), shape: [...entry.variable.shape] };
  }

  private entry(fn: string, name: string): ParameterEntry {
    const entry = this.params.find((p) => p.name === name);
    if (!entry) throw invalidArgument(fn, 'name', 'the name of a parameter of this model', name);
    return entry;
  }

  private checkLength(fn: string, entry: ParameterEntry, data: Float32Array): void {
    if (!(data instanceof Float32Array) || data.length !== entry.variable.size)
      throw invalidArgument(fn, 'data', `a Float32Array of ${entry.variable.size} values`, data);
  }

  /**
   * The state (parameters and batch-norm buffers) as plain arrays in PyTorch `state_dict()`
   * order and shapes, with the `encoder.convX.1.*` aliases of `encoder.bnX.*`: 69 keys (67 for
   * F = 512) with the DGCNN encoder, 19 encoder keys (18) with FoldingNet's, which has no
   * buffers; `num_batches_tracked` as a 0-d `BigInt64Array`.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const item of this.state) {
      switch (item.kind) {
        case 'parameter':
          out.set(item.key, {
            data: toTorchLayout(item.entry, item.entry.variable.dataSync() as Float32Array),
            shape: [...item.entry.torchShape],
          });
          break;
        case 'buffer':
          out.set(item.key, {
            data: (item.norm[item.field].dataSync() as Float32Array).slice(),
            shape: [item.norm.channels],
          });
          break;
        case 'counter':
          out.set(item.key, {
            data: BigInt64Array.of(BigInt(item.norm.numBatchesTracked)),
            shape: [],
          });
          break;
        default: {
          const never: never = item;
          throw new Error(`unknown state entry ${String(never)}`);
        }
      }
    }
    return out;
  }

  /**
   * Loads a PyTorch-layout state dict (from {@link CloudAutoEncoder.stateDict}, a `.pt` or an
   * `.npz`). A batch norm may be given under either or both of its names (`encoder.bnX.*`,
   * `encoder.convX.1.*`; PyTorch writes both, exporters that drop shared tensors keep one);
   * when both are given they must be equal. With `strict` (default) missing or unexpected keys
   * throw; shape mismatches and non-finite values always throw an `IncompatibleError`.
   */
  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options: { strict?: boolean } = {},
  ): void {
    const fn = `${FN}.loadStateDict`;
    if (state === null || typeof state !== 'object')
      throw invalidArgument(fn, 'state', 'a Map or an object of arrays', state);
    const strict = options.strict ?? true;
    const input = state instanceof Map ? state : new Map(Object.entries(state));
    const known = new Set(this.state.map((s) => s.key));
    const unexpected = [...input.keys()].filter((key) => !known.has(key));
    // Group aliases: the value for an entry is taken from any of its names.
    const canonical = (key: string): string =>
      key.replace(/^encoder\.conv([1-5])\.1\./, 'encoder.bn$1.');
    const values = new Map<string, { key: string; array: StateArray }[]>();
    for (const [key, array] of input) {
      if (!known.has(key)) continue;
      const list = values.get(canonical(key)) ?? [];
      list.push({ key, array });
      values.set(canonical(key), list);
    }
    const missing = [...new Set(this.state.map((s) => canonical(s.key)))].filter(
      (key) => !values.has(key),
    );
    if (strict && (missing.length > 0 || unexpected.length > 0))
      throw new IncompatibleError(
        `${fn}: state dict does not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${unexpected.join(', ') || 'none'})`,
        { fn, arg: 'state' },
      );
    const staged: Array<() => void> = [];
    const seen = new Set<string>();
    for (const item of this.state) {
      const key = canonical(item.key);
      if (seen.has(key)) continue;
      seen.add(key);
      const given = values.get(key);
      if (!given) continue;
      const expectedShape =
        item.kind === 'parameter'
          ? item.entry.torchShape
          : item.kind === 'buffer'
            ? [item.norm.channels]
            : [];
      const arrays = given.map(({ key: name, array }) => {
        if (!array || !ArrayBuffer.isView(array.data) || !Array.isArray(array.shape))
          throw new IncompatibleError(`${fn}: '${name}' is not an array`, { fn, arg: name });
        const ok =
          sameShape(array.shape, expectedShape) && array.data.length === shapeSize(expectedShape);
        if (!ok)
          throw new IncompatibleError(
            `${fn}: '${name}' must have shape [${expectedShape.join(', ')}], got [${array.shape.join(', ')}]`,
            { fn, arg: name },
          );
        const data = toFloat32(array.data);
        if (!data.every(Number.isFinite))
          throw new IncompatibleError(`${fn}: '${name}' has non-finite values`, { fn, arg: name });
        return data;
      });
      const data = arrays[0] as Float32Array;
      if (arrays.some((other) => other.some((v, i) => v !== data[i])))
        throw new IncompatibleError(
          `${fn}: ${given.map((g) => `'${g.key}'`).join(' and ')} name the same tensor but differ`,
          { fn, arg: given[1]?.key ?? key },
        );
      switch (item.kind) {
        case 'parameter': {
          const entry = item.entry;
          staged.push(() =>
            entry.variable.assign(tf.tensor(fromTorchLayout(entry, data), entry.variable.shape)),
          );
          break;
        }
        case 'buffer': {
          const variable = item.norm[item.field];
          staged.push(() => variable.assign(tf.tensor1d(data)));
          break;
        }
        case 'counter': {
          const norm = item.norm;
          const count = data[0] as number;
          if (!Number.isInteger(count) || count < 0)
            throw new IncompatibleError(`${fn}: '${item.key}' must be a non-negative integer`, {
              fn,
              arg: item.key,
            });
          staged.push(() => {
            norm.numBatchesTracked = count;
          });
          break;
        }
        default: {
          const never: never = item;
          throw new Error(`unknown state entry ${String(never)}`);
        }
      }
    }
    // Everything validated: apply.
    tf.tidy(() => {
      for (const apply of staged) apply();
    });
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
