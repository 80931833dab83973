import type { Rng } from '@cellshape/core';

/** How one tree grows (see RandomForestOptions for the meaning of each). */
export interface TreeGrowth {
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features tried per split. */
  maxFeatures: number;
}

/**
 * A fitted classification tree as flat arrays: node t splits on `feature[t]` at `threshold[t]`
 * (x ≤ threshold goes `left[t]`), or is a leaf (`feature[t] = −1`) whose class shares are
 * `value[t·K … t·K + K − 1]`.
 */
export interface DecisionTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  classes: number;
}

/** Two values closer than this are one value (sklearn's FEATURE_THRESHOLD). */
const SAME_VALUE = 1e-7;

interface Data {
  x: Float64Array;
  d: number;
  codes: Int32Array;
  /** Weight of each training sample (bootstrap count × class weight). */
  weight: Float64Array;
  k: number;
}

interface Split {
  feature: number;
  threshold: number;
  /** Samples going left after sorting by the feature (a prefix of the node's samples). */
  order: Int32Array;
  nLeft: number;
}

/**
 * Grows a CART classification tree depth first with the Gini impurity, as scikit-learn's
 * `DecisionTreeClassifier` in a forest: at each node `maxFeatures` features drawn at random
 * (more are drawn while the drawn ones are constant), the best threshold halfway between
 * neighbouring values, leaves holding the weighted class shares.
 */
export function growTree(
  data: Data,
  samples: Int32Array,
  growth: TreeGrowth,
  rng: Rng,
): DecisionTree {
  const nodes = {
    feature: [] as number[],
    threshold: [] as number[],
    left: [] as number[],
    right: [] as number[],
    value: [] as number[],
  };
  const grow = (rows: Int32Array, depth: number): number => {
    const id = nodes.feature.length;
    const counts = classCounts(data, rows);
    const total = counts.reduce((a, b) => a + b, 0);
    nodes.feature.push(-1);
    nodes.threshold.push(0);
    nodes.left.push(-1);
    nodes.right.push(-1);
    for (const c of counts) nodes.value.push(total > 0 ? c / total : 0);
    const pure = counts.filter((c) => c > 0).length <= 1;
    if (
      pure ||
      depth >= growth.maxDepth ||
      rows.length < growth.minSamplesSplit ||
      rows.length < 2 * growth.minSamplesLeaf
    )
      return id;
    const split = bestSplit(data, rows, counts, growth, rng);
    if (!split) return id;
    nodes.feature[id] = split.feature;
    nodes.threshold[id] = split.threshold;
    nodes.left[id] = grow(split.order.subarray(0, split.nLeft), depth + 1);
    nodes.right[id] = grow(split.order.subarray(split.nLeft), depth + 1);
    return id;
  };
  grow(samples, 0);
  return {
    feature: Int32Array.from(nodes.feature),
    threshold: Float64Array.from(nodes.threshold),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
    value: Float64Array.from(nodes.value),
    classes: data.k,
  };
}

function classCounts(data: Data, rows: Int32Array): Float64Array {
  const counts = new Float64Array(data.k);
  for (const r of rows) counts[data.codes[r]!]! += data.weight[r]!;
  return counts;
}

/** Σ_k n_k² / n: larger is purer (the Gini proxy sklearn maximises). */
const purity = (counts: Float64Array, total: number) => {
  let s = 0;
  for (const c of counts) s += c * c;
  return total > 0 ? s / total : 0;
};

/** The best split over randomly drawn features, or undefined when no valid split exists. */
function bestSplit(
  data: Data,
  rows: Int32Array,
  counts: Float64Array,
  growth: TreeGrowth,
  rng: Rng,
): Split | undefined {
  const { x, d } = data;
  const features = rng.permutation(d);
  let best: Split | undefined;
  let bestScore = Number.NEGATIVE_INFINITY; // sklearn takes the best valid split, even one that gains nothing
  let tried = 0;
  const left = new Float64Array(data.k);
  const right = new Float64Array(data.k);
  for (let f = 0; f < d && tried < growth.maxFeatures; f++) {
    const feature = features[f]!;
    const order = Int32Array.from(rows).sort((a, b) => x[a * d + feature]! - x[b * d + feature]!);
    const lo = x[order[0]! * d + feature]!;
    const hi = x[order[order.length - 1]! * d + feature]!;
    if (hi <= lo + SAME_VALUE) continue; // constant here: draw another feature
    tried++;
    left.fill(0);
    right.set(counts);
    let wLeft = 0;
    let wRight = counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < order.length - 1; i++) {
      const r = order[i]!;
      const w = data.weight[r]!;
      left[data.codes[r]!]! += w;
      right[data.codes[r]!]! -= w;
      wLeft += w;
      wRight -= w;
      const v = x[r * d + feature]!;
      const next = x[order[i + 1]! * d + feature]!;
      if (next <= v + SAME_VALUE) continue;
      if (i + 1 < growth.minSamplesLeaf || order.length - i - 1 < growth.minSamplesLeaf) continue;
      const score = purity(left, wLeft) + purity(right, wRight);
      if (score > bestScore) {
        bestScore = score;
        let threshold = v / 2 + next / 2;
        if (threshold === next) threshold = v; // as sklearn, for neighbouring floats
        best = { feature, threshold, order, nLeft: i + 1 };
      }
    }
  }
  return best;
}

/** The leaf class shares of row `offset` of `x` (d features). */
export function leafValue(tree: DecisionTree, x: Float64Array, offset: number): Float64Array {
  let t = 0;
  while (tree.feature[t]! >= 0)
    t = x[offset + tree.feature[t]!]! <= tree.threshold[t]! ? tree.left[t]! : tree.right[t]!;
  return tree.value.subarray(t * tree.classes, (t + 1) * tree.classes);
}
