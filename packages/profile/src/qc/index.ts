/**
 * Image quality control (SPEC §8): a focus score (slope of the radially averaged log–log power
 * spectrum), per-channel intensity statistics, and flags a user filters on — fixed thresholds
 * plus robust z-scores within each batch.
 *
 * @module
 */
export { fft, powerSpectrum2d } from './fft.js';
export {
  DEFAULT_QC_FLAG_OPTIONS,
  type MeasureQcOptions,
  measureQc,
  QC_COLUMNS,
  type QcFlagOptions,
  type QcMeasurement,
  type QcRow,
  qcCsv,
  qcFlags,
  robustZ,
} from './flags.js';
export {
  DEFAULT_FOCUS_OPTIONS,
  type FocusOptions,
  focusScore,
  radialPowerSpectrum,
} from './focus.js';
export { type IntensityOptions, type IntensityStats, intensityStats } from './intensity.js';
