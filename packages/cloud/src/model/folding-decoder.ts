import type { Rng } from '@cellshape/core';
import {
  biasAdd,
  biasParameter,
  columnSum,
  dense,
  matMulParallel,
  matrixWeight,
  type Parameter,
  type StateEntry,
} from '@cellshape/engine';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { DGCNN_WIDTH, type Implementation } from './dgcnn-encoder.js';

/** The two FoldingNet decoder variants of cellshape-cloud (same maths, different layouts). */
export type DecoderType = 'foldingnet' | 'foldingnetbasic';

/** The six parameters of one folding MLP (512+d → 512 → 512 → 3, ReLU between). */
interface FoldingMlp {
  /** The module name, e.g. `decoder.folding1`. */
  readonly prefix: string;
  /** weight0, bias0, weight2, bias2, weight4, bias4 (weights held as `[in, out]`). */
  readonly layers: Parameter[];
}

/** The state-dict names of a folding MLP's parameters, in order. */
const FOLDING_KEYS = ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'];

function foldingMlp(prefix: string, inputs: number, rng: Rng, conv: boolean): FoldingMlp {
  const shape = (out: number, fanIn: number): number[] => (conv ? [out, fanIn, 1] : [out, fanIn]);
  return {
    prefix,
    layers: [
      matrixWeight(rng, shape(DGCNN_WIDTH, inputs)),
      biasParameter(rng, DGCNN_WIDTH, inputs),
      matrixWeight(rng, shape(DGCNN_WIDTH, DGCNN_WIDTH)),
      biasParameter(rng, DGCNN_WIDTH, DGCNN_WIDTH),
      matrixWeight(rng, shape(3, DGCNN_WIDTH)),
      biasParameter(rng, 3, DGCNN_WIDTH),
    ],
  };
}

function foldingEntries(mlp: FoldingMlp): StateEntry[] {
  return mlp.layers.map((parameter, i) => ({
    kind: 'parameter',
    key: `${mlp.prefix}.${FOLDING_KEYS[i]}`,
    parameter,
  }));
}

/**
 * Applies a folding MLP to `concat(code tiled over M points, extra)` without tiling: the first
 * layer's product splits into `code·W_code` (once per sample) plus `extra·W_extra`.
 *
 * @param code `[B, 512]`. @param extra `[B or 1, M, d]`. @returns `[B, M, 3]`.
 */
function applyFolding(
  mlp: FoldingMlp,
  code: Tensor2D,
  extra: Tensor3D,
  implementation: Implementation,
): Tensor3D {
  const matMul = implementation === 'fast' ? dense : (x: Tensor2D, w: Tensor2D) => tf.matMul(x, w);
  const [w0, b0, w2, b2, w4, b4] = mlp.layers.map((l) => l.variable) as unknown as [
    Tensor2D,
    Tensor,
    Tensor2D,
    Tensor,
    Tensor2D,
    Tensor,
  ];
  const b = code.shape[0];
  const [e, m, d] = extra.shape;
  const codePart = matMul(code, tf.slice(w0, [0, 0], [DGCNN_WIDTH, DGCNN_WIDTH]));
  const extraPart = matMul(
    tf.reshape(extra, [e * m, d]) as Tensor2D,
    tf.slice(w0, [DGCNN_WIDTH, 0], [d, DGCNN_WIDTH]),
  );
  const h0 = tf.relu(
    biasAdd(
      tf.add(tf.reshape(extraPart, [e, m, DGCNN_WIDTH]), tf.reshape(codePart, [b, 1, DGCNN_WIDTH])),
      b0,
    ),
  );
  const h2 = tf.relu(
    biasAdd(matMul(tf.reshape(h0, [b * m, DGCNN_WIDTH]) as Tensor2D, w2), b2),
  ) as Tensor2D;
  return tf.reshape(biasAdd(matMul(h2, w4), b4), [b, m, 3]) as Tensor3D;
}

/**
 * {@link applyFolding} as one operation with a hand-written gradient that keeps only the two
 * hidden activations (`[B·M, 512]` each) for the backward pass — tfjs's tape would keep about
 * seven such tensors per folding — with every product untransposed ({@link matMulParallel},
 * both cores) and the bias gradients summed in two levels ({@link columnSum}).
 */
function applyFoldingFast(mlp: FoldingMlp, code: Tensor2D, extra: Tensor3D): Tensor3D {
  const b = code.shape[0];
  const [e, m, d] = extra.shape;
  const w = DGCNN_WIDTH;
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [codeT, extraT, w0, b0, w2, b2, w4, b4, save] = args as [
      Tensor2D,
      Tensor3D,
      Tensor2D,
      Tensor,
      Tensor2D,
      Tensor,
      Tensor2D,
      Tensor,
      tf.GradSaveFunc,
    ];
    const wc = tf.slice(w0, [0, 0], [w, w]);
    const we = tf.slice(w0, [w, 0], [d, w]);
    const extraRows = tf.reshape(extraT, [e * m, d]) as Tensor2D;
    const codePart = tf.reshape(matMulParallel(codeT, wc), [b, 1, w]);
    const extraPart = tf.reshape(matMulParallel(extraRows, we), [e, m, w]);
    const h0 = tf.reshape(tf.relu(tf.add(tf.add(extraPart, codePart), b0)), [b * m, w]) as Tensor2D;
    const h2 = tf.relu(tf.add(matMulParallel(h0, w2), b2)) as Tensor2D;
    const y = tf.add(matMulParallel(h2, w4), b4);
    save([codeT, extraRows, wc, we, w2, w4, h0, h2]);
    return {
      value: tf.reshape(y, [b, m, 3]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [c, x, wcS, weS, w2S, w4S, h0S, h2S] = saved as Tensor2D[] as [
          Tensor2D,
          Tensor2D,
          Tensor2D,
          Tensor2D,
          Tensor2D,
          Tensor2D,
          Tensor2D,
          Tensor2D,
        ];
        const t = (a: Tensor2D): Tensor2D => tf.transpose(a);
        // Intermediates of [B·M, 512] are freed as soon as used (peak memory at large B).
        const dyRows = tf.reshape(dy, [b * m, 3]) as Tensor2D;
        const dw4 = tf.tidy(() => matMulParallel(t(h2S), dyRows));
        const dz2 = tf.tidy(() => tf.mul(matMulParallel(dyRows, t(w4S)), tf.step(h2S))) as Tensor2D;
        const dw2 = tf.tidy(() => matMulParallel(t(h0S), dz2));
        const dz0 = tf.tidy(() => tf.mul(matMulParallel(dz2, t(w2S)), tf.step(h0S))) as Tensor2D;
        const db2 = columnSum(dz2);
        dz2.dispose();
        const dz0Samples = tf.reshape(dz0, [b, m, w]);
        // The extra input is shared by the batch when e = 1 (the source grid).
        const dExtraPart = (e === b ? dz0 : tf.reshape(tf.sum(dz0Samples, 0), [m, w])) as Tensor2D;
        const dCodePart = tf.sum(dz0Samples, 1) as Tensor2D;
        const db0 = columnSum(dz0);
        const dExtra = tf.tidy(() => tf.reshape(matMulParallel(dExtraPart, t(weS)), [e, m, d]));
        const dW0 = tf.tidy(() =>
          tf.concat([matMulParallel(t(c), dCodePart), matMulParallel(t(x), dExtraPart)], 0),
        );
        return [
          matMulParallel(dCodePart, t(wcS)),
          dExtra,
          dW0,
          db0,
          dw2,
          db2,
          dw4,
          columnSum(dyRows),
        ];
      },
    };
  });
  return op(code, extra, ...mlp.layers.map((l) => l.variable)) as Tensor3D;
}

/**
 * The FoldingNet decoder: linear without bias from F to 512 (skipped when F = 512), the
 * codeword tiled over the M source points, two folding MLPs (512+d → 512 → 512 → 3 and
 * 512+3 → 512 → 512 → 3, ReLU) → `[B, M, 3]`. `foldingnet` names its layers like 1×1 Conv1d
 * (`decoder.folding1.0.weight` `[512, 514, 1]`), `foldingnetbasic` like nn.Linear
 * (`decoder.folding.folding1.0.weight` `[512, 514]`).
 */
export class FoldingDecoder {
  /** `[512, F]` in PyTorch, held as `[F, 512]`; absent for F = 512. */
  readonly deembedding: Parameter | undefined;
  readonly folding1: FoldingMlp;
  readonly folding2: FoldingMlp;
  /** Source points `[1, M, d]`. */
  readonly source: Tensor3D;

  constructor(
    readonly type: DecoderType,
    readonly numFeatures: number,
    source: { data: Float32Array; shape: [number, number] },
    rng: Rng,
    readonly implementation: Implementation = 'fast',
  ) {
    const conv = type === 'foldingnet';
    const prefix = conv ? 'decoder' : 'decoder.folding';
    const d = source.shape[1];
    const makeDeembedding = (): Parameter | undefined =>
      numFeatures === DGCNN_WIDTH ? undefined : matrixWeight(rng, [DGCNN_WIDTH, numFeatures]);
    // Creation order follows PyTorch's parameter order (so the seeded init is in that order).
    this.deembedding = conv ? undefined : makeDeembedding();
    this.folding1 = foldingMlp(`${prefix}.folding1`, DGCNN_WIDTH + d, rng, conv);
    this.folding2 = foldingMlp(`${prefix}.folding2`, DGCNN_WIDTH + 3, rng, conv);
    if (conv) this.deembedding = makeDeembedding();
    this.source = tf.tensor3d(source.data, [1, source.shape[0], d]);
  }

  /**
   * State-dict entries in PyTorch order (parameters only: the decoder has no buffers):
   * `foldingnet` lists the foldings then `decoder.deembedding.weight`, `foldingnetbasic` the
   * reverse.
   */
  stateEntries(): StateEntry[] {
    const deembedding: StateEntry[] = this.deembedding
      ? [{ kind: 'parameter', key: 'decoder.deembedding.weight', parameter: this.deembedding }]
      : [];
    const folds = [...foldingEntries(this.folding1), ...foldingEntries(this.folding2)];
    return this.type === 'foldingnet' ? [...folds, ...deembedding] : [...deembedding, ...folds];
  }

  /** Features `[B, F]` → reconstruction `[B, M, 3]`. */
  forward(features: Tensor2D): Tensor3D {
    return tf.tidy(() => {
      const impl = this.implementation;
      const code: Tensor2D = this.deembedding
        ? impl === 'fast'
          ? dense(features, this.deembedding.variable as Tensor2D)
          : tf.matMul(features, this.deembedding.variable as Tensor2D)
        : features;
      if (impl === 'fast') {
        const fold1 = applyFoldingFast(this.folding1, code, this.source);
        return applyFoldingFast(this.folding2, code, fold1);
      }
      const fold1 = applyFolding(this.folding1, code, this.source, impl);
      return applyFolding(this.folding2, code, fold1, impl);
    });
  }

  dispose(): void {
    const folds = [...this.folding1.layers, ...this.folding2.layers];
    for (const p of this.deembedding ? [...folds, this.deembedding] : folds) p.variable.dispose();
    this.source.dispose();
  }
}
