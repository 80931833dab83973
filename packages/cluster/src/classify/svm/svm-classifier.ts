import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkPositive,
  invalidArgument,
  NotFittedError,
  withDefaults,
} from '@cellshape/core';
import type { AnalysisMatrix } from '../../analysis-input.js';
import type { ClassLabels } from '../../metrics/class-labels.js';
import { wasmDotBlock } from '../../metrics/wasm/dot-block.js';
import {
  type Classifier,
  type ClassWeight,
  checkClassWeight,
  classWeights,
  trainingSet,
} from '../classifier.js';
import { toFeatureMatrix } from '../input-matrix.js';
import {
  KernelFunction,
  kernelBlock,
  kernelValue,
  type NormedRows,
  rowNorms,
  type SvmKernel,
} from './kernel.js';
import { solveBinary } from './smo-solver.js';

/** Options of {@link SvmClassifier}; the defaults are scikit-learn's `SVC()`. */
export interface SvmOptions {
  /** `'rbf'` (exp(−γ‖x − y‖²)) or `'linear'` (x·y). Default `'rbf'`. */
  kernel?: SvmKernel;
  /** Penalty of margin violations, > 0 (larger fits the training data harder). Default 1. */
  C?: number;
  /**
   * RBF width γ > 0, or `'scale'` = 1 / (d · Var(X)) (the variance of all training values;
   * 1 / d if that is 0) or `'auto'` = 1 / d, as sklearn. Default `'scale'`.
   */
  gamma?: number | 'scale' | 'auto';
  /** Class weights multiplying C per class: `'balanced'` or `{ label: weight }`. Default none. */
  classWeight?: ClassWeight;
  /** Stopping tolerance on the KKT violation (libsvm's eps, sklearn's `tol`). Default 1e-3. */
  tolerance?: number;
  /** Kernel cache per binary problem, in MB (sklearn's `cache_size`). Default 200. */
  cacheSizeMb?: number;
  /** Iteration cap per binary problem; a fit that hits it reports `converged: false`. Default 10,000,000. */
  maxIterations?: number;
  /**
   * Build the kernel matrix with WebAssembly SIMD dot products where available (float64, same
   * values up to rounding); false keeps plain JavaScript. Default true.
   */
  simd?: boolean;
}

/** Defaults of {@link SvmOptions}. */
export const DEFAULT_SVM_OPTIONS = {
  kernel: 'rbf',
  C: 1,
  gamma: 'scale',
  tolerance: 1e-3,
  cacheSizeMb: 200,
  maxIterations: 10_000_000,
  simd: true,
} as const satisfies SvmOptions;

/** Every option resolved. */
export type ResolvedSvmOptions = Required<Omit<SvmOptions, 'classWeight'>> &
  Pick<SvmOptions, 'classWeight'>;

/** A pair machine before its support vectors are numbered in the model. */
type RawMachine = Omit<PairMachine, 'sv'> & { svRows: Int32Array };

/** One one-vs-one machine: classes a < b, `f(x) = Σ coef_t K(sv_t, x) − rho`, f > 0 votes a. */
interface PairMachine {
  a: number;
  b: number;
  sv: Int32Array;
  coef: Float64Array;
  rho: number;
}

/** What {@link SvmClassifier.fit} learns. */
export interface SvmModel {
  classes: number[];
  gamma: number;
  /** Support vectors, `nSv × d`, and per class how many. */
  supportVectors: Float64Array;
  nSupport: number[];
  d: number;
  machines: PairMachine[];
  /** Solver iterations per binary problem, and whether every problem met the tolerance. */
  iterations: number[];
  converged: boolean;
}

/**
 * A support vector classifier (C-SVC) with RBF or linear kernel, multi-class one-vs-one with
 * majority vote, as libsvm and scikit-learn's `SVC`: the same dual solver (SMO, second-order
 * working sets, tolerance 1e-3), `gamma='scale'`, balanced class weights, and ties of the vote
 * to the smaller class. Deterministic. Features are used as given: standardise them first
 * (cross-validation does, on the training folds only).
 *
 * ```ts
 * const svm = new SvmClassifier({ C: 5, classWeight: 'balanced' }).fit(X, labels);
 * const predicted = svm.predict(Xnew);
 * ```
 */
export class SvmClassifier implements Classifier {
  readonly options: Readonly<ResolvedSvmOptions>;
  private learned: SvmModel | undefined;

  constructor(options?: SvmOptions) {
    const fn = 'SvmClassifier';
    const o = withDefaults(fn, DEFAULT_SVM_OPTIONS, options);
    checkOneOf(fn, 'options.kernel', o.kernel, ['rbf', 'linear']);
    checkPositive(fn, 'options.C', o.C);
    if (typeof o.gamma === 'string') checkOneOf(fn, 'options.gamma', o.gamma, ['scale', 'auto']);
    else checkPositive(fn, 'options.gamma', o.gamma);
    checkClassWeight(fn, o.classWeight);
    checkPositive(fn, 'options.tolerance', o.tolerance);
    checkNumber(fn, 'options.cacheSizeMb', o.cacheSizeMb, { min: 1 });
    checkInteger(fn, 'options.maxIterations', o.maxIterations, { min: 1 });
    checkBoolean(fn, 'options.simd', o.simd);
    this.options = o;
  }

  /** The learned model. @throws NotFittedError before `fit`. */
  get model(): SvmModel {
    if (!this.learned)
      throw new NotFittedError('SvmClassifier: call fit() before using the model', {
        fn: 'SvmClassifier',
      });
    return this.learned;
  }

  /**
   * Learns from `X` (`n × d`, finite) and integer `labels` (n, at least two classes).
   * @throws InvalidArgumentError for bad features, labels of another length or a single class.
   */
  fit(X: AnalysisMatrix, labels: ClassLabels): this {
    const fn = 'SvmClassifier.fit';
    const { m, classes, codes } = trainingSet(fn, X, labels);
    const [n, d] = m.shape;
    const gamma = resolveGamma(this.options.gamma, m.data, d);
    const kernel = new KernelFunction(this.options.kernel, gamma, m.data, d);
    const weights = classWeights(this.options.classWeight, classes, codes);
    const members = classes.map((_, c) => Int32Array.from(indicesOf(codes, c)));
    const pairs: RawMachine[] = [];
    const iterations: number[] = [];
    let converged = true;
    for (let a = 0; a < classes.length; a++)
      for (let b = a + 1; b < classes.length; b++) {
        const rows = concat(members[a]!, members[b]!);
        const y = Int8Array.from(rows, (r) => (codes[r] === a ? 1 : -1));
        const upper = Float64Array.from(y, (s) => this.options.C * weights[s === 1 ? a : b]!);
        const sol = solveBinary({
          kernel,
          rows,
          y,
          upper,
          tolerance: this.options.tolerance,
          cacheBytes: this.options.cacheSizeMb * 2 ** 20,
          maxIterations: this.options.maxIterations,
          simd: this.options.simd,
        });
        iterations.push(sol.iterations);
        converged &&= sol.converged;
        const keep = indicesWhere(sol.alpha, (v) => v > 0);
        pairs.push({
          a,
          b,
          rho: sol.rho,
          coef: Float64Array.from(keep, (t) => sol.alpha[t]! * y[t]!),
          svRows: Int32Array.from(keep, (t) => rows[t]!),
        });
      }
    this.learned = assemble(classes, gamma, m.data, d, n, codes, pairs, iterations, converged);
    return this;
  }

  /**
   * The one-vs-one decision values, `m × K(K − 1)/2` row-major, pairs (0,1), (0,2) … (K−2,K−1)
   * as libsvm (positive: the first class of the pair).
   */
  decisionFunction(X: AnalysisMatrix): Float64Array {
    const model = this.model;
    const m = toFeatureMatrix('SvmClassifier.decisionFunction', 'X', X);
    if (m.shape[1] !== model.d)
      throw invalidArgument('SvmClassifier.decisionFunction', 'X', `${model.d} columns`, m.shape);
    return decisionValues(model, this.options, m.data, m.shape[0]);
  }

  /** The predicted label of each row of `X` (majority vote of the pair machines). */
  predict(X: AnalysisMatrix): Int32Array {
    const model = this.model;
    const k = model.classes.length;
    const dec = this.decisionFunction(X);
    const p = model.machines.length;
    const out = new Int32Array(dec.length / p);
    const votes = new Int32Array(k);
    for (let i = 0; i < out.length; i++) {
      votes.fill(0);
      for (const [t, mc] of model.machines.entries()) votes[dec[i * p + t]! > 0 ? mc.a : mc.b]!++;
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c]! > votes[best]!) best = c;
      out[i] = model.classes[best]!;
    }
    return out;
  }
}

/** γ of the options: a number, 1/(d·Var(X)) for 'scale' (1/d if Var is 0), 1/d for 'auto'. */
export function resolveGamma(
  gamma: number | 'scale' | 'auto',
  data: Float64Array,
  d: number,
): number {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / d;
  let mean = 0;
  for (const v of data) mean += v;
  mean /= data.length;
  let ss = 0;
  for (const v of data) ss += (v - mean) ** 2;
  const variance = ss / data.length;
  return variance > 0 ? 1 / (d * variance) : 1 / d;
}

function indicesOf(codes: Int32Array, c: number): number[] {
  return indicesWhere(codes, (v) => v === c);
}

function indicesWhere(values: ArrayLike<number>, keep: (v: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (keep(values[i]!)) out.push(i);
  return out;
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Gathers the support vectors of all pair machines into one matrix (each sample once). */
function assemble(
  classes: number[],
  gamma: number,
  data: Float64Array,
  d: number,
  n: number,
  codes: Int32Array,
  pairs: RawMachine[],
  iterations: number[],
  converged: boolean,
): SvmModel {
  const isSv = new Uint8Array(n);
  for (const p of pairs) for (const r of p.svRows) isSv[r] = 1;
  // Support vectors ordered by class, then by training index, as libsvm.
  const svRows = indicesWhere(isSv, (v) => v > 0).sort((r, s) => codes[r]! - codes[s]! || r - s);
  const position = new Int32Array(n).fill(-1);
  svRows.forEach((r, i) => {
    position[r] = i;
  });
  const supportVectors = new Float64Array(svRows.length * d);
  for (const [i, r] of svRows.entries())
    supportVectors.set(data.subarray(r * d, (r + 1) * d), i * d);
  const nSupport = classes.map((_, c) => svRows.filter((r) => codes[r] === c).length);
  const machines = pairs.map(({ a, b, coef, rho, svRows: rows }) => ({
    a,
    b,
    coef,
    rho,
    sv: Int32Array.from(rows, (r) => position[r]!),
  }));
  return { classes, gamma, supportVectors, nSupport, d, machines, iterations, converged };
}

/** Test rows (and support vectors) per kernel block in prediction. */
const PREDICT_BLOCK = 128;

/** Fills `k` with the kernel values of test rows `[i0, i1)` against every support vector. */
type KernelRows = (i0: number, i1: number, k: Float64Array) => void;

/** Decision values of `m` rows, from blocks of kernel values against all support vectors. */
function decisionValues(
  model: SvmModel,
  options: Pick<ResolvedSvmOptions, 'kernel' | 'simd'>,
  data: Float64Array,
  m: number,
): Float64Array {
  const { d, machines, supportVectors } = model;
  const sv = { data: supportVectors, norms: rowNorms(supportVectors, d) };
  const x = { data, norms: rowNorms(data, d) };
  const nSv = supportVectors.length / d;
  const fill: KernelRows =
    (options.simd ? simdKernelRows(model, options.kernel, sv, x, m) : undefined) ??
    ((i0, i1, k) => kernelBlock(options.kernel, model.gamma, x, sv, d, [i0, i1], [0, nSv], k));
  const k = new Float64Array(PREDICT_BLOCK * nSv);
  const out = new Float64Array(m * machines.length);
  for (let i0 = 0; i0 < m; i0 += PREDICT_BLOCK) {
    const i1 = Math.min(m, i0 + PREDICT_BLOCK);
    fill(i0, i1, k);
    for (let i = i0; i < i1; i++) {
      const at = (i - i0) * nSv;
      for (const [t, mc] of machines.entries()) {
        let f = -mc.rho;
        for (let s = 0; s < mc.sv.length; s++) f += mc.coef[s]! * k[at + mc.sv[s]!]!;
        out[i * machines.length + t] = f;
      }
    }
  }
  return out;
}

/**
 * Kernel rows from the WebAssembly SIMD dot products over one matrix holding the support
 * vectors (padded to a multiple of 4 rows) and then the test rows; undefined where unavailable.
 */
function simdKernelRows(
  model: SvmModel,
  kernel: SvmKernel,
  sv: NormedRows,
  x: NormedRows,
  m: number,
): KernelRows | undefined {
  const d = model.d;
  const nSv = sv.norms.length;
  const pad = Math.ceil(nSv / 4) * 4;
  const all = new Float64Array((pad + m) * d);
  all.set(sv.data);
  all.set(x.data, pad * d);
  const simd = wasmDotBlock(all, pad + m, d, PREDICT_BLOCK);
  if (!simd) return undefined;
  const rbf = kernel === 'rbf';
  return (i0, i1, k) => {
    for (let s0 = 0; s0 < nSv; s0 += PREDICT_BLOCK) {
      const s1 = Math.min(nSv, s0 + PREDICT_BLOCK);
      const { view, stride } = simd.run(pad + i0, pad + i1, s0, s1);
      for (let i = i0; i < i1; i++) {
        const at = (i - i0) * stride - s0;
        const ni = x.norms[i]!;
        const row = (i - i0) * nSv;
        for (let s = s0; s < s1; s++)
          k[row + s] = kernelValue(rbf, model.gamma, ni, sv.norms[s]!, view[at + s]!);
      }
    }
  };
}
