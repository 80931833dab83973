import { checkOneOf, withDefaults } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import type { GroupKey } from '../signatures.js';
import {
  groupRows,
  type ProfileGroups,
  type ProfileMatrix,
  profileMatrix,
} from './profile-input.js';

/** How {@link aggregateProfiles} summarises a group's rows per feature. */
export type AggregateMethod = 'median' | 'mean';

/** Options of {@link aggregateProfiles}. */
export interface AggregateProfilesOptions {
  /** `'median'` (robust to outlier cells, pycytominer's default) or `'mean'`. Default `'median'`. */
  method?: AggregateMethod;
}

/** Defaults of {@link AggregateProfilesOptions}. */
export const DEFAULT_AGGREGATE_PROFILES_OPTIONS: Readonly<Required<AggregateProfilesOptions>> = {
  method: 'median',
};

/** What {@link aggregateProfiles} returns. */
export interface AggregatedProfiles {
  /** One profile per group, `G × F`, float64. */
  profiles: DenseMatrix<Float64Array>;
  /** Names of the key columns (`['group']` when the groups were one unnamed array). */
  columns: string[];
  /** Each group's keys (one per key column), in order of first appearance. */
  keys: GroupKey[][];
  /** Rows (cells) per group — pycytominer's `Metadata_Object_Count`. */
  counts: number[];
  /** The group (profile row) of every input row. */
  groupOf: Int32Array;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const h = values.length >> 1;
  return values.length % 2 ? values[h]! : (values[h - 1]! + values[h]!) / 2;
}

/**
 * Aggregates single-cell rows into one profile per group (a well, a sample, a plate and well…),
 * as pycytominer's `aggregate(strata=…, operation=…)`: the per-feature median or mean of the
 * group's rows, with the row count kept. Missing values (NaN) are skipped, as pandas does; a
 * feature missing in every row of a group stays NaN.
 *
 * @param x `n × F` cells × features (finite or NaN).
 * @param groups one key per row, or named key columns (`{ plate, well }`) grouped jointly.
 * @returns `G` profiles in order of first appearance of each group.
 */
export function aggregateProfiles(
  x: ProfileMatrix,
  groups: ProfileGroups,
  options?: AggregateProfilesOptions,
): AggregatedProfiles {
  const fn = 'aggregateProfiles';
  const m = profileMatrix(fn, 'x', x, { allowNaN: true });
  const { method } = withDefaults(fn, DEFAULT_AGGREGATE_PROFILES_OPTIONS, options);
  checkOneOf(fn, 'options.method', method, ['median', 'mean']);
  const [n, f] = m.shape;
  const grouped = groupRows(fn, 'groups', groups, n);
  const out = new Float64Array(grouped.keys.length * f);
  grouped.rows.forEach((rows, g) => {
    for (let c = 0; c < f; c++) {
      const values: number[] = [];
      for (const i of rows) {
        const v = m.data[i * f + c]!;
        if (!Number.isNaN(v)) values.push(v);
      }
      out[g * f + c] =
        method === 'median'
          ? median(values)
          : values.length === 0
            ? Number.NaN
            : values.reduce((s, v) => s + v, 0) / values.length;
    }
  });
  return {
    profiles: { data: out, shape: [grouped.keys.length, f] },
    columns: grouped.columns,
    keys: grouped.keys,
    counts: grouped.rows.map((r) => r.length),
    groupOf: grouped.groupOf,
  };
}
