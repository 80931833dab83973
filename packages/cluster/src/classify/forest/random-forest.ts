import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  createRng,
  invalidArgument,
  mixSeed,
  NotFittedError,
  withDefaults,
} from '@cellshape/core';
import type { AnalysisMatrix } from '../../analysis-input.js';
import type { ClassLabels } from '../../metrics/class-labels.js';
import {
  type Classifier,
  type ClassWeight,
  checkClassWeight,
  classWeights,
  trainingSet,
} from '../classifier.js';
import { toFeatureMatrix } from '../input-matrix.js';
import { type DecisionTree, growTree, leafValue } from './decision-tree.js';

/** Options of {@link RandomForestClassifier}; the defaults are scikit-learn's `RandomForestClassifier()`. */
export interface RandomForestOptions {
  /** Number of trees. Default 100. */
  nTrees?: number;
  /** Deepest level of a tree (the root is 0). Default: unlimited. */
  maxDepth?: number;
  /** A node with fewer samples is a leaf. Default 2. */
  minSamplesSplit?: number;
  /** Each side of a split keeps at least this many samples. Default 1. */
  minSamplesLeaf?: number;
  /**
   * Features tried per split: `'sqrt'` (⌊√d⌋), `'log2'`, `'all'`, an integer count, or a
   * fraction in (0, 1) of d. Default `'sqrt'`.
   */
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number;
  /** Train each tree on a bootstrap sample (n draws with replacement). Default true. */
  bootstrap?: boolean;
  /** Class weights: `'balanced'` or `{ label: weight }`. Default none. */
  classWeight?: ClassWeight;
  /** Seed of the bootstrap samples and feature draws. Default 0. */
  seed?: number;
}

/** Defaults of {@link RandomForestOptions}. */
export const DEFAULT_RANDOM_FOREST_OPTIONS = {
  nTrees: 100,
  maxDepth: Number.POSITIVE_INFINITY,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  bootstrap: true,
  seed: 0,
} as const satisfies RandomForestOptions;

/** Every option resolved. */
export type ResolvedRandomForestOptions = Required<Omit<RandomForestOptions, 'classWeight'>> &
  Pick<RandomForestOptions, 'classWeight'>;

/** What {@link RandomForestClassifier.fit} learns. */
export interface RandomForestModel {
  classes: number[];
  d: number;
  trees: DecisionTree[];
}

/** The random stream of tree t (its bootstrap draw and feature draws). */
const TREE_STREAM = 0x7ee5;

/**
 * A random forest of CART trees (Gini), as scikit-learn's `RandomForestClassifier`: each tree
 * on a bootstrap sample, a random subset of features tried at each split, predictions by the
 * mean of the trees' class shares. Seeded and deterministic (but not numpy's random stream, so
 * equal to sklearn in accuracy, not tree by tree).
 *
 * ```ts
 * const rf = new RandomForestClassifier({ nTrees: 200, seed: 1 }).fit(X, labels);
 * const predicted = rf.predict(Xnew);
 * ```
 */
export class RandomForestClassifier implements Classifier {
  readonly options: Readonly<ResolvedRandomForestOptions>;
  private learned: RandomForestModel | undefined;

  constructor(options?: RandomForestOptions) {
    const fn = 'RandomForestClassifier';
    const o = withDefaults(fn, DEFAULT_RANDOM_FOREST_OPTIONS, options);
    checkInteger(fn, 'options.nTrees', o.nTrees, { min: 1 });
    if (o.maxDepth !== Number.POSITIVE_INFINITY)
      checkInteger(fn, 'options.maxDepth', o.maxDepth, { min: 1 });
    checkInteger(fn, 'options.minSamplesSplit', o.minSamplesSplit, { min: 2 });
    checkInteger(fn, 'options.minSamplesLeaf', o.minSamplesLeaf, { min: 1 });
    if (typeof o.maxFeatures === 'string')
      checkOneOf(fn, 'options.maxFeatures', o.maxFeatures, ['sqrt', 'log2', 'all']);
    else if (!Number.isInteger(o.maxFeatures))
      checkNumber(fn, 'options.maxFeatures', o.maxFeatures, { min: 0, max: 1, exclusiveMin: true });
    else checkInteger(fn, 'options.maxFeatures', o.maxFeatures, { min: 1 });
    checkBoolean(fn, 'options.bootstrap', o.bootstrap);
    checkClassWeight(fn, o.classWeight);
    checkNumber(fn, 'options.seed', o.seed);
    this.options = o;
  }

  /** The learned model. @throws NotFittedError before `fit`. */
  get model(): RandomForestModel {
    if (!this.learned)
      throw new NotFittedError('RandomForestClassifier: call fit() before using the model', {
        fn: 'RandomForestClassifier',
      });
    return this.learned;
  }

  /**
   * Learns from `X` (`n × d`, finite) and integer `labels` (at least two classes).
   * @throws InvalidArgumentError for bad features, labels of another length or a single class.
   */
  fit(X: AnalysisMatrix, labels: ClassLabels): this {
    const fn = 'RandomForestClassifier.fit';
    const { m, classes, codes } = trainingSet(fn, X, labels);
    const [n, d] = m.shape;
    const o = this.options;
    const growth = {
      maxDepth: o.maxDepth,
      minSamplesSplit: o.minSamplesSplit,
      minSamplesLeaf: o.minSamplesLeaf,
      maxFeatures: featureCount(o.maxFeatures, d),
    };
    const perClass = classWeights(o.classWeight, classes, codes);
    const trees: DecisionTree[] = [];
    for (let t = 0; t < o.nTrees; t++) {
      const rng = createRng(mixSeed(o.seed, TREE_STREAM, t));
      const weight = new Float64Array(n);
      if (o.bootstrap) for (let i = 0; i < n; i++) weight[rng.int(n)]!++;
      else weight.fill(1);
      const samples: number[] = [];
      for (let i = 0; i < n; i++) if (weight[i]! > 0) samples.push(i);
      for (const i of samples) weight[i]! *= perClass[codes[i]!]!;
      trees.push(
        growTree(
          { x: m.data, d, codes, weight, k: classes.length },
          Int32Array.from(samples),
          growth,
          rng,
        ),
      );
    }
    this.learned = { classes, d, trees };
    return this;
  }

  /** The mean class shares of the trees, `m × K` row-major (classes sorted as `model.classes`). */
  predictProba(X: AnalysisMatrix): Float64Array {
    const fn = 'RandomForestClassifier.predictProba';
    const model = this.model;
    const m = toFeatureMatrix(fn, 'X', X);
    if (m.shape[1] !== model.d) throw invalidArgument(fn, 'X', `${model.d} columns`, m.shape);
    const k = model.classes.length;
    const out = new Float64Array(m.shape[0] * k);
    for (let i = 0; i < m.shape[0]; i++)
      for (const tree of model.trees) {
        const v = leafValue(tree, m.data, i * model.d);
        for (let c = 0; c < k; c++) out[i * k + c]! += v[c]! / model.trees.length;
      }
    return out;
  }

  /** The predicted label of each row of `X`: the class of largest mean share (ties: the smaller). */
  predict(X: AnalysisMatrix): Int32Array {
    const { classes } = this.model;
    const k = classes.length;
    const proba = this.predictProba(X);
    return Int32Array.from({ length: proba.length / k }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
      return classes[best]!;
    });
  }
}

/** The number of features tried per split for `maxFeatures` and d features (at least 1). */
function featureCount(maxFeatures: ResolvedRandomForestOptions['maxFeatures'], d: number): number {
  switch (maxFeatures) {
    case 'sqrt':
      return Math.max(1, Math.floor(Math.sqrt(d)));
    case 'log2':
      return Math.max(1, Math.floor(Math.log2(d)));
    case 'all':
      return d;
    default:
      return Number.isInteger(maxFeatures)
        ? Math.min(d, maxFeatures)
        : Math.max(1, Math.floor(maxFeatures * d));
  }
}
