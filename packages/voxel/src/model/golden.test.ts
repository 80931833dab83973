import { selectBackend } from '@cellshape/engine';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkEval, checkTrainStep } from './golden/golden-checks.js';

// Committed fixtures of scripts/make-golden.py (PyTorch oracle in float64, hashed formula
// weights). The quick subset; golden.slow.test.ts runs every case (simple 3/4/5 layers,
// ResNet-10/18/50 with shortcuts A and B).
beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

describe('PyTorch golden (cpu, quick subset)', () => {
  test('simple3: eval features and reconstruction within 1e-4', () => checkEval('simple3'));
  test('simple3: train step outputs, BCE, every gradient, running statistics', () =>
    checkTrainStep('simple3'));
  test('resnet10B: eval features and reconstruction within 1e-4', () => checkEval('resnet10B'));
});
