/**
 * Optimisers that reproduce PyTorch's numerics, so that training in cellshape and in
 * cellshape's Python original follow the same trajectory and exchange optimizer state.
 *
 * ```ts
 * import { Adam, ExponentialLR } from '@cellshape/engine';
 * const adam = new Adam(model.namedParameters()); // lr 1e-4, betas [0.9, 0.999], wd 1e-6
 * const decay = new ExponentialLR(adam, 0.95);
 * adam.step(gradsByName); // once per batch
 * decay.step(); // once per epoch
 * ```
 */
export {
  Adam,
  type AdamLoadStateOptions,
  type AdamOptions,
  type AdamParamGroup,
  type AdamParamState,
  type AdamStateDict,
  DEFAULT_ADAM_OPTIONS,
} from './adam.js';
export {
  ExponentialLR,
  type ExponentialLRState,
  type LearningRateHolder,
} from './exponential-lr.js';
export { adamStateToTorch } from './torch-state.js';
