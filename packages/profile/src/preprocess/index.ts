/**
 * Per-image preprocessing (SPEC §8): normalisation, outlier removal, rolling-ball background
 * subtraction, median and Gaussian filters, total-variation denoising, centre crop and
 * illumination correction. Every function takes an {@link Image2D} (any typed array, channels
 * last), filters each channel on its own and returns a new float32 image.
 *
 * @module
 */
export { centerCrop } from './center-crop.js';
export {
  BOUNDARY_MODES,
  type BoundaryMode,
  DEFAULT_GAUSSIAN_OPTIONS,
  type GaussianOptions,
  gaussianBlur,
  gaussianKernel,
} from './gaussian.js';
export {
  correctIllumination,
  estimateIllumination,
  type IlluminationOptions,
} from './illumination.js';
export {
  DEFAULT_MEDIAN_OPTIONS,
  DEFAULT_REMOVE_OUTLIERS_OPTIONS,
  type Footprint,
  type MedianOptions,
  medianFilter,
  type OutlierKind,
  type RemoveOutliersOptions,
  removeOutliers,
} from './median.js';
export {
  DEFAULT_NORMALIZE_OPTIONS,
  type NormalizeMethod,
  type NormalizeOptions,
  normalizeImage,
} from './normalize.js';
export {
  DEFAULT_ROLLING_BALL_OPTIONS,
  type RollingBallMethod,
  type RollingBallOptions,
  rollingBallBackground,
  subtractBackground,
} from './rolling-ball.js';
export {
  DEFAULT_TV_CHAMBOLLE_OPTIONS,
  denoiseTvChambolle,
  type TvChambolleOptions,
} from './tv-denoise.js';
