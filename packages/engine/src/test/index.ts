/**
 * `@cellshape/engine/test`: the tensor test helpers every cellshape package (and a package
 * built on the engine) shares. They assert with vitest's `expect`, so vitest must be installed
 * (an optional peer dependency); the main entry never imports this one.
 *
 * ```ts
 * import { expectNoLeaks, expectTensorsClose, TEST_BACKENDS, useBackend } from '@cellshape/engine/test';
 *
 * describe.each(TEST_BACKENDS)('my layer on %s', (backend) => {
 *   beforeAll(() => useBackend(backend));
 *   it('matches the reference', async () => {
 *     await expectNoLeaks(() => {
 *       const y = layer.apply(x);
 *       expectTensorsClose(y, reference, { rtol: 1e-5, label: 'output' });
 *       return y;
 *     });
 *   });
 * });
 * ```
 *
 * @module @cellshape/engine/test
 */
export { randomNormal, TEST_BACKENDS, useBackend } from './backends.js';
export { LinearTestEncoder } from './linear-encoder.js';
export {
  type CloseOptions,
  expectClose,
  expectNoLeaks,
  expectTensorsClose,
  type Numeric,
  sameBits,
} from './tensors.js';
