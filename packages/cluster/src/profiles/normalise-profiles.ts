import {
  checkNumber,
  checkOneOf,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import type { GroupKey } from '../signatures.js';
import { columnStats } from '../standardise.js';
import { checkReference, groupRows, type ProfileMatrix, profileMatrix } from './profile-input.js';
import { applySpherize, fitSpherize } from './spherize.js';

/**
 * How {@link normaliseProfiles} rescales features: `'standardise'` z-scores (pycytominer's
 * `standardize`), `'robust'` centres on the median and divides by the MAD × 1.4826
 * (pycytominer's `mad_robustize`), `'spherize'` whitens (ZCA-cor, pycytominer's `spherize`).
 */
export type NormaliseMethod = 'standardise' | 'robust' | 'spherize';

/** Options of {@link normaliseProfiles}. */
export interface NormaliseProfilesOptions {
  /** The normalisation. Default `'standardise'`. */
  method?: NormaliseMethod;
  /**
   * Rows the statistics are fitted on: `'all'`, or one boolean per row, true for the control
   * wells (e.g. DMSO, non-targeting siRNA), so every feature is measured against the controls.
   * Every row is transformed either way. Default `'all'`.
   */
  reference?: 'all' | readonly boolean[];
  /**
   * The batch (plate) of each row: statistics are fitted per batch on its own reference rows and
   * applied to its rows, which removes plate-to-plate offsets. Default: one batch.
   */
  by?: readonly GroupKey[];
  /** `'standardise'` only: delta degrees of freedom of the std, 0 (pycytominer, StandardScaler) or 1. Default 0. */
  ddof?: 0 | 1;
  /** `'robust'` only: added to the scaled MAD before dividing (pycytominer's `mad_robustize_epsilon`). Default 1e-18. */
  madEpsilon?: number;
  /** `'spherize'` only: added to the singular values (pycytominer's `spherize_epsilon`). Default 1e-6. */
  spherizeEpsilon?: number;
}

/** Defaults of {@link NormaliseProfilesOptions}. */
export const DEFAULT_NORMALISE_PROFILES_OPTIONS = {
  method: 'standardise',
  reference: 'all',
  ddof: 0,
  madEpsilon: 1e-18,
  spherizeEpsilon: 1e-6,
} as const satisfies Omit<NormaliseProfilesOptions, 'by'>;

/** Scale of the MAD that makes it estimate the standard deviation of normal data. */
const MAD_TO_STD = 1.4826;

function medianOf(values: number[]): number {
  values.sort((a, b) => a - b);
  const h = values.length >> 1;
  return values.length % 2 ? values[h]! : (values[h - 1]! + values[h]!) / 2;
}

/** Writes `(x − centre) / scale` for column `c` of `rows`. */
function shift(
  m: DenseMatrix,
  rows: readonly number[],
  c: number,
  centre: number,
  scale: number,
  out: Float64Array,
): void {
  const f = m.shape[1];
  for (const i of rows) out[i * f + c] = (m.data[i * f + c]! - centre) / scale;
}

type Resolved = Required<Omit<NormaliseProfilesOptions, 'by' | 'reference'>> & {
  reference: 'all' | readonly boolean[];
};

/** Fits on `ref` and transforms `rows` (one batch). */
function normaliseBatch(
  fn: string,
  m: DenseMatrix,
  rows: readonly number[],
  ref: readonly number[],
  o: Resolved,
  where: string,
  out: Float64Array,
): void {
  const f = m.shape[1];
  const need = o.method === 'standardise' ? o.ddof + 1 : 1;
  if (ref.length < need) {
    const noun = o.reference === 'all' ? 'rows' : 'control cells';
    throw new InvalidArgumentError(
      `${fn}: ${where} has ${ref.length} ${noun}, at least ${need} are needed`,
      { fn, arg: o.reference === 'all' ? 'x' : 'options.reference' },
    );
  }
  switch (o.method) {
    case 'standardise':
      for (let c = 0; c < f; c++) {
        const { mean, std } = columnStats(m, c, ref, o.ddof);
        // A constant feature carries no scale: it is only centred, as StandardScaler does.
        shift(m, rows, c, mean, std > 0 ? std : 1, out);
      }
      return;
    case 'robust':
      for (let c = 0; c < f; c++) {
        const med = medianOf(ref.map((i) => m.data[i * f + c]!));
        const mad = medianOf(ref.map((i) => Math.abs(m.data[i * f + c]! - med)));
        shift(m, rows, c, med, mad * MAD_TO_STD + o.madEpsilon, out);
      }
      return;
    case 'spherize':
      applySpherize(fitSpherize(fn, m, ref, o.spherizeEpsilon, where), m, rows, out);
      return;
    default: {
      const never: never = o.method;
      throw invalidArgument(fn, 'options.method', 'standardise, robust or spherize', never);
    }
  }
}

/**
 * {@link normaliseProfiles} with errors naming `fn` (for functions built on it, such as
 * `plateNormalise`).
 */
export function normaliseProfilesAs(
  fn: string,
  x: ProfileMatrix,
  options?: NormaliseProfilesOptions,
): DenseMatrix<Float64Array> {
  const m = profileMatrix(fn, 'x', x);
  const { by, ...o } = withDefaults(fn, DEFAULT_NORMALISE_PROFILES_OPTIONS, options ?? {});
  checkOneOf(fn, 'options.method', o.method, ['standardise', 'robust', 'spherize']);
  checkOneOf(fn, 'options.ddof', o.ddof, [0, 1]);
  checkNumber(fn, 'options.madEpsilon', o.madEpsilon, { min: 0 });
  checkNumber(fn, 'options.spherizeEpsilon', o.spherizeEpsilon, { min: 0 });
  const [n, f] = m.shape;
  const reference = checkReference(fn, o.reference, n);
  const batches =
    by === undefined
      ? { keys: [['all']], rows: [Array.from({ length: n }, (_, i) => i)] }
      : groupRows(fn, 'options.by', by, n);
  const out = new Float64Array(n * f);
  batches.rows.forEach((rows, b) => {
    const ref = reference === 'all' ? rows : rows.filter((i) => reference[i]);
    const where = by === undefined ? 'the data' : `plate ${JSON.stringify(batches.keys[b]![0])}`;
    normaliseBatch(fn, m, rows, ref, { ...o, reference }, where, out);
  });
  return { data: out, shape: [n, f] };
}

/**
 * Normalises features as pycytominer's `normalize` does for Cell Painting profiles, per plate:
 * the statistics of every feature are fitted on the reference rows of each plate (all rows, or
 * only the control wells) and applied to all of that plate's rows, so that plate effects cancel
 * and every feature is read in units of the controls' spread. Works on single cells or on
 * aggregated profiles.
 *
 * * `'standardise'`: (x − mean) / std (population std by default; a constant feature is only
 *   centred).
 * * `'robust'`: (x − median) / (MAD · 1.4826 + 1e-18), pycytominer's `mad_robustize` (a feature
 *   whose reference MAD is 0 is divided by the epsilon, as there).
 * * `'spherize'`: ZCA-cor whitening (ε = 1e-6), removing the correlations between features;
 *   needs more reference rows than features in every plate.
 *
 * @param x `n × F`, finite.
 * @throws InvalidArgumentError when a plate has too few reference rows (see the methods) or,
 *   for `'spherize'`, constant or linearly dependent features.
 * @returns a new `n × F` float64 matrix.
 */
export function normaliseProfiles(
  x: ProfileMatrix,
  options?: NormaliseProfilesOptions,
): DenseMatrix<Float64Array> {
  return normaliseProfilesAs('normaliseProfiles', x, options);
}
