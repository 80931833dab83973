/**
 * Cloud's own test helpers: the PyTorch golden cases and the formula weights of the committed
 * fixtures. Tensor comparison and leak checks come from `@cellshape/engine/test`.
 */
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
