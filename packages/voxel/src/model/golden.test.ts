import { type BackendName, selectBackend } from '@cellshape/engine';
import { describe, expect, test } from 'vitest';
import { checkEval, checkTrainStep } from './golden/golden-checks.js';

// Committed fixtures of scripts/make-golden.py (PyTorch oracle in float64, hashed formula
// weights). The quick subset on both backends; golden.slow.test.ts runs every case (simple
// 3/4/5 layers, ResNet-10/18/50 with shortcuts A and B).
describe.each<BackendName>(['cpu', 'wasm'])('PyTorch golden (%s, quick subset)', (backend) => {
  test('simple3: eval features and reconstruction within 1e-4', async () => {
    expect(await selectBackend(backend)).toBe(backend);
    checkEval('simple3');
  });
  test('simple3: train step outputs, BCE, every gradient, running statistics', async () => {
    expect(await selectBackend(backend)).toBe(backend);
    checkTrainStep('simple3');
  });
  test('resnet10B: eval features and reconstruction within 1e-4', async () => {
    expect(await selectBackend(backend)).toBe(backend);
    checkEval('resnet10B');
  });
});
