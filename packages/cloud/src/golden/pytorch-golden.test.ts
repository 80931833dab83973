import { selectBackend } from '@cellshape/engine';
import { describe, expect, test } from 'vitest';
import { goldenCasePaths, loadGoldenCase } from '../test-utils/index.js';
import { checkGoldenCase, modelFromState } from './golden-checks.js';

// The PyTorch golden cases of the reference harness, regenerated with their state dicts by
// `sh packages/cloud/scripts/make-golden.sh` (needs ../shared and torch). The cpu backend runs
// them in pytorch-golden.slow.test.ts (its matMul makes the 2025-point decoder slow).
const CASES = ['small', 'basic'];
const HAVE = CASES.every((name) => goldenCasePaths(name) !== undefined);
if (!HAVE)
  console.warn(
    'SKIPPED: PyTorch golden cases missing; run sh packages/cloud/scripts/make-golden.sh (needs ../shared)',
  );

describe.skipIf(!HAVE)('PyTorch golden cases on wasm', () => {
  test.each(CASES)(
    '%s: eval outputs, kNN, intermediates, Chamfer values, train step, gradients',
    async (name) => {
      expect(await selectBackend('wasm')).toBe('wasm');
      const golden = loadGoldenCase(name);
      const state = new Map(Object.entries(golden.state));
      const model = modelFromState(golden.arrays, state);
      try {
        checkGoldenCase(model, golden.arrays, state, golden.ambiguity, golden.f64);
      } finally {
        model.dispose();
      }
    },
  );
});
