import { type BackendName, selectBackend } from '@cellshape/engine';
import { describe, expect, test } from 'vitest';
import { formulaStateDict } from '../test-utils/index.js';
import { fixtureModel } from './fixtures.js';
import { checkGoldenCase } from './golden-checks.js';

// Small fixtures from scripts/make-fixtures.py (PyTorch oracle in float64, weights from the
// formula of test-utils/formula.ts): they run everywhere, no ../shared needed.
// conv16 decodes 2025 points, slow on the cpu backend: it runs there in the slow suite. (The
// plain implementation's input gradient on wasm is off by up to 2.6 % on it; the default fast
// path, checked here, is not.)
const RUNS: Array<[BackendName, string]> = [
  ['wasm', 'basic16'],
  ['wasm', 'basic512'],
  ['wasm', 'basic640'],
  ['wasm', 'conv16'],
  ['cpu', 'basic16'],
  ['cpu', 'basic512'],
  ['cpu', 'basic640'],
];
if (process.env.CELLSHAPE_SLOW === '1') RUNS.push(['cpu', 'conv16']);

describe('committed PyTorch fixtures', () => {
  test.each(RUNS)(
    '%s: %s — eval, kNN, Chamfer, train step, gradients, running statistics',
    async (backend, name) => {
      expect(await selectBackend(backend)).toBe(backend);
      const { model, arrays, config } = fixtureModel(name);
      try {
        const state = formulaStateDict(model.stateDict());
        expect(state.has('encoder.conv1.1.weight')).toBe(false); // loaded through the bn1 names
        model.loadStateDict(state);
        checkGoldenCase(model, arrays, state, config.fragile);
      } finally {
        model.dispose();
      }
    },
  );
});
