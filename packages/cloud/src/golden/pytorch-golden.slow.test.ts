import { type BackendName, selectBackend } from '@cellshape/engine';
import { describe, expect, test } from 'vitest';
import { goldenCasePaths, loadGoldenCase } from '../test-utils/index.js';
import { checkGoldenCase, modelFromState } from './golden-checks.js';

// All PyTorch golden cases (large: N = 2048, k = 20, F = 128; f512: F = 512 without the
// embedding linears) on both backends, and the small ones on cpu. Needs
// `sh packages/cloud/scripts/make-golden.sh`.
const RUNS: Array<[BackendName, string]> = [
  ['wasm', 'large'],
  ['wasm', 'f512'],
  ['cpu', 'small'],
  ['cpu', 'basic'],
  ['cpu', 'f512'],
  ['cpu', 'large'],
];
const HAVE = RUNS.every(([, name]) => goldenCasePaths(name) !== undefined);
if (!HAVE)
  console.warn(
    'SKIPPED: PyTorch golden cases missing; run sh packages/cloud/scripts/make-golden.sh (needs ../shared)',
  );

describe.skipIf(!HAVE)('PyTorch golden cases (slow)', () => {
  test.each(RUNS)(
    '%s: %s',
    async (backend, name) => {
      expect(await selectBackend(backend)).toBe(backend);
      const golden = loadGoldenCase(name);
      const state = new Map(Object.entries(golden.state));
      const model = modelFromState(golden.arrays, state);
      try {
        checkGoldenCase(model, golden.arrays, state, golden.ambiguity, golden.f64);
      } finally {
        model.dispose();
      }
    },
    1_800_000,
  );
});
