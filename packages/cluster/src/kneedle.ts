import {
  checkOneOf,
  checkPositive,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';

/** Shape of the curve for {@link kneedle}. */
export type KneedleCurve = 'convex' | 'concave';
/** Direction of the curve for {@link kneedle}. */
export type KneedleDirection = 'increasing' | 'decreasing';

/** Options of {@link kneedle}. */
export interface KneedleOptions {
  /** Sensitivity S: larger waits for a more pronounced knee. Default 1 (yellowbrick, cellshape). */
  sensitivity?: number;
  /** `'convex'` (an elbow, as k-means inertia) or `'concave'`. Default `'convex'`. */
  curve?: KneedleCurve;
  /** `'decreasing'` (as inertia over k) or `'increasing'`. Default `'decreasing'`. */
  direction?: KneedleDirection;
}

/** Defaults of {@link KneedleOptions}: an elbow of a decreasing convex curve, S = 1. */
export const DEFAULT_KNEEDLE_OPTIONS: Readonly<Required<KneedleOptions>> = {
  sensitivity: 1,
  curve: 'convex',
  direction: 'decreasing',
};

/** What {@link kneedle} returns. */
export interface KneedleResult {
  /** The x of the knee (elbow), or null when the curve has none. */
  knee: number | null;
  /** Index of the knee in `x`, or null. */
  kneeIndex: number | null;
  /** The difference curve (normalised, knee-oriented y minus normalised x), per point. */
  difference: number[];
}

function normalise(v: readonly number[]): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const a of v) {
    if (a < min) min = a;
    if (a > max) max = a;
  }
  const range = max - min;
  return v.map((a) => (range > 0 ? (a - min) / range : 0));
}

/** Turns the normalised curve into an increasing concave one (kneed's `transform_y`). */
function orient(y: number[], curve: KneedleCurve, direction: KneedleDirection): number[] {
  switch (direction) {
    case 'decreasing':
      return curve === 'concave' ? [...y].reverse() : y.map((v) => 1 - v);
    case 'increasing':
      return curve === 'convex' ? y.map((v) => 1 - v).reverse() : y;
    default: {
      const never: never = direction;
      throw invalidArgument('kneedle', 'options.direction', "'increasing' or 'decreasing'", never);
    }
  }
}

/**
 * The Kneedle algorithm (Satopää et al. 2011), offline, as the `kneed` package / yellowbrick
 * that cellshape uses to pick k from the k-means elbow: normalise x and y to [0, 1], orient the
 * curve so the knee is a maximum of the difference curve `y_n − x_n`, find its local maxima
 * (and minima), and declare the knee at the first local maximum after which the difference
 * curve drops below `max − S · mean(Δx_n)` before reaching a local minimum.
 *
 * @param x strictly increasing positions (e.g. k).
 * @param y values (e.g. inertia), same length, ≥ 3 points.
 */
export function kneedle(
  x: readonly number[],
  y: readonly number[],
  options?: KneedleOptions,
): KneedleResult {
  const fn = 'kneedle';
  if (!Array.isArray(x) || x.length < 3)
    throw invalidArgument(fn, 'x', 'an array of at least 3 numbers', x);
  if (!Array.isArray(y) || y.length !== x.length)
    throw invalidArgument(fn, 'y', `an array as long as 'x' (${x.length})`, y);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i]))
      throw new InvalidArgumentError(`${fn}: 'x' and 'y' must be finite, index ${i} is not`, {
        fn,
        arg: Number.isFinite(x[i]) ? 'y' : 'x',
      });
    if (i > 0 && !(x[i]! > x[i - 1]!)) throw invalidArgument(fn, 'x', 'strictly increasing', x);
  }
  const o = withDefaults(fn, DEFAULT_KNEEDLE_OPTIONS, options);
  checkPositive(fn, 'options.sensitivity', o.sensitivity, true);
  checkOneOf(fn, 'options.curve', o.curve, ['convex', 'concave']);
  checkOneOf(fn, 'options.direction', o.direction, ['increasing', 'decreasing']);
  const xn = normalise(x);
  const yn = orient(normalise(y), o.curve, o.direction);
  const difference = yn.map((v, i) => v - xn[i]!);
  const n = difference.length;
  // Local extrema with scipy's argrelextrema(…, greater_equal / less_equal), ends clipped.
  const at = (i: number) => difference[Math.min(n - 1, Math.max(0, i))]!;
  const isMax = difference.map((d, i) => d >= at(i - 1) && d >= at(i + 1));
  const isMin = difference.map((d, i) => d <= at(i - 1) && d <= at(i + 1));
  const meanStep = Math.abs((xn[n - 1]! - xn[0]!) / (n - 1));
  const firstMax = isMax.indexOf(true);
  const none: KneedleResult = { knee: null, kneeIndex: null, difference };
  if (firstMax < 0) return none;
  let threshold = 0;
  let thresholdIndex = firstMax;
  for (let i = firstMax; i < n - 1; i++) {
    if (isMax[i]) {
      threshold = difference[i]! - o.sensitivity * meanStep;
      thresholdIndex = i;
    }
    if (isMin[i]) threshold = 0;
    if (difference[i + 1]! < threshold) {
      // For the flipped orientations the index runs over the reversed curve.
      const flipped = (o.curve === 'convex') === (o.direction === 'increasing');
      const index = flipped ? n - 1 - thresholdIndex : thresholdIndex;
      return { knee: x[index]!, kneeIndex: index, difference };
    }
  }
  return none;
}
