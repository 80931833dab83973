/** Shared test helpers of the model packages: numeric comparison, leak checks, golden files. */
export { formulaStateDict } from './formula.js';
export {
  CLOUD_ROOT,
  FIXTURE_DIR,
  type GoldenCase,
  goldenCasePaths,
  type KnnAmbiguity,
  LOCAL_GOLDEN_DIR,
  loadGoldenCase,
  type NpzArrays,
  need,
  readNpz,
  SHARED_GOLDEN_DIR,
  scalarOf,
} from './golden.js';
export { type CloseOptions, expectNoLeaks, expectTensorsClose, type Numeric } from './tensors.js';
