import { checkNumber, formatCsv, invalidArgument, withDefaults } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { type FocusOptions, focusScore } from './focus.js';
import { type IntensityOptions, type IntensityStats, intensityStats } from './intensity.js';

/** Per-channel QC measurements of one image: the intensity statistics and the focus score. */
export interface QcMeasurement extends IntensityStats {
  /** Image identifier (file name, site…), copied to the row. */
  image: string;
  /** Batch (plate, acquisition) within which outliers are judged. Default `''`: one batch. */
  batch: string;
  channel: number;
  /** Slope of the radially averaged log–log power spectrum (see `focusScore`). */
  focus: number;
}

/**
 * One row of the QC table: measurements, robust z-scores within (batch, channel) and 0/1 flags —
 * plain numbers and strings, ready for a CSV ({@link qcCsv}) or a filter (`rows.filter(r => !r.flagged)`).
 */
export interface QcRow extends QcMeasurement {
  zFocus: number;
  zMedian: number;
  zStd: number;
  zTotal: number;
  /** Focus below `minFocus`, or its robust z below −`zThreshold` (blurrier than the batch). */
  outOfFocus: 0 | 1;
  /** Saturated fraction above `maxSaturatedFraction`. */
  saturated: 0 | 1;
  /** Standard deviation ≤ `minStd` (nothing in the field). */
  empty: 0 | 1;
  /** Median below `minMedian`, or its robust z below −`zThreshold` (darker than the batch). */
  dim: 0 | 1;
  /** Any of the four robust z-scores beyond ±`zThreshold`. */
  outlier: 0 | 1;
  /** Any flag. */
  flagged: 0 | 1;
}

/** Thresholds of {@link qcFlags}. */
export interface QcFlagOptions {
  /** Robust z beyond which a measurement is an outlier of its batch. Default 3. */
  zThreshold?: number;
  /** Absolute focus threshold (depends on optics and stain; off by default). Default −∞. */
  minFocus?: number;
  /** Largest acceptable saturated fraction. Default 0.01 (1 % of the pixels). */
  maxSaturatedFraction?: number;
  /** Largest standard deviation of an empty field. Default 0 (constant images only). */
  minStd?: number;
  /** Absolute median threshold of a dim image (off by default). Default −∞. */
  minMedian?: number;
}

/** Defaults of {@link QcFlagOptions}. */
export const DEFAULT_QC_FLAG_OPTIONS: Readonly<Required<QcFlagOptions>> = {
  zThreshold: 3,
  minFocus: Number.NEGATIVE_INFINITY,
  maxSaturatedFraction: 0.01,
  minStd: 0,
  minMedian: Number.NEGATIVE_INFINITY,
};

/** Options of {@link measureQc}. */
export interface MeasureQcOptions extends IntensityOptions {
  focus?: FocusOptions;
  batch?: string;
}

/** QC measurements of one image, one per channel. */
export function measureQc(
  id: string,
  image: Image2D,
  options: MeasureQcOptions = {},
): QcMeasurement[] {
  const stats = intensityStats(image, options);
  const focus = focusScore(image, options.focus);
  return stats.map((s, channel) => ({
    image: id,
    batch: options.batch ?? '',
    channel,
    focus: focus[channel] as number,
    ...s,
  }));
}

/** (x − median) / (1.4826 · MAD) for each value; a zero MAD gives 0 at the median and ±∞ elsewhere. */
export function robustZ(values: readonly number[]): number[] {
  const median = (v: number[]): number => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return values.map(() => Number.NaN);
  const med = median(finite);
  const mad = 1.4826 * median(finite.map((v) => Math.abs(v - med)));
  return values.map((v) =>
    v === med ? 0 : mad > 0 ? (v - med) / mad : Math.sign(v - med) * Number.POSITIVE_INFINITY,
  );
}

/**
 * Flags a batch of QC measurements: fixed thresholds plus robust z-scores computed within each
 * (batch, channel) group, so an image is judged against its own plate and stain.
 */
export function qcFlags(
  measurements: readonly QcMeasurement[],
  options: QcFlagOptions = {},
): QcRow[] {
  const fn = 'qcFlags';
  const o = withDefaults(fn, DEFAULT_QC_FLAG_OPTIONS, options);
  if (!Array.isArray(measurements))
    throw invalidArgument(fn, 'measurements', 'an array of QC measurements', measurements);
  checkNumber(fn, 'options.zThreshold', o.zThreshold, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.maxSaturatedFraction', o.maxSaturatedFraction, { min: 0, max: 1 });
  const groups = new Map<string, number[]>();
  measurements.forEach((m, i) => {
    const key = `${m.batch}\u0000${m.channel}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const z = {
    focus: [] as number[],
    median: [] as number[],
    std: [] as number[],
    total: [] as number[],
  };
  for (const members of groups.values())
    for (const key of ['focus', 'median', 'std', 'total'] as const) {
      const scores = robustZ(members.map((i) => (measurements[i] as QcMeasurement)[key]));
      members.forEach((i, k) => {
        z[key][i] = scores[k] as number;
      });
    }
  return measurements.map((m, i) => {
    const [zFocus, zMedian, zStd, zTotal] = [
      z.focus[i],
      z.median[i],
      z.std[i],
      z.total[i],
    ] as number[] as [number, number, number, number];
    const bit = (b: boolean): 0 | 1 => (b ? 1 : 0);
    const row = {
      ...m,
      zFocus,
      zMedian,
      zStd,
      zTotal,
      outOfFocus: bit(m.focus < o.minFocus || zFocus < -o.zThreshold),
      saturated: bit(m.saturatedFraction > o.maxSaturatedFraction),
      empty: bit(m.std <= o.minStd),
      dim: bit(m.median < o.minMedian || zMedian < -o.zThreshold),
      outlier: bit([zFocus, zMedian, zStd, zTotal].some((v) => Math.abs(v) > o.zThreshold)),
    };
    return {
      ...row,
      flagged: bit(row.outOfFocus + row.saturated + row.empty + row.dim + row.outlier > 0),
    };
  });
}

/** Column order of {@link qcCsv}. */
export const QC_COLUMNS = [
  'image',
  'batch',
  'channel',
  'focus',
  'min',
  'max',
  'mean',
  'median',
  'std',
  'q01',
  'q25',
  'q75',
  'q99',
  'total',
  'saturatedFraction',
  'zFocus',
  'zMedian',
  'zStd',
  'zTotal',
  'outOfFocus',
  'saturated',
  'empty',
  'dim',
  'outlier',
  'flagged',
] as const satisfies readonly (keyof QcRow)[];

/** The QC table as CSV text (one row per image and channel, {@link QC_COLUMNS}). */
export function qcCsv(rows: readonly QcRow[]): string {
  return formatCsv(
    QC_COLUMNS,
    rows.map((r) => QC_COLUMNS.map((c) => r[c])),
  );
}
