import { readFileSync } from 'node:fs';
import { isCellshapeError } from '@cellshape/core';
import { expect } from 'vitest';
import type { DenseMatrix } from '../dense-matrix.js';

const read = (name: string) =>
  JSON.parse(readFileSync(new URL(`../classify/fixtures/${name}`, import.meta.url), 'utf8'));

/** sklearn's iris and breast-cancer data (scripts/make-classification-fixtures.py). */
export interface Dataset {
  X: DenseMatrix<Float64Array>;
  target: number[];
}

export function loadDataset(name: 'iris' | 'breastCancer'): Dataset {
  const d = read('datasets.json')[name] as {
    data: number[][];
    shape: [number, number];
    target: number[];
  };
  return { X: { data: Float64Array.from(d.data.flat()), shape: d.shape }, target: d.target };
}

/** sklearn 1.2.1 on fixed 5 folds: per-fold accuracy of SVC settings and of random forests. */
export interface CvReference {
  testFolds: number[][];
  svm: Record<
    string,
    {
      params: {
        kernel: 'rbf' | 'linear';
        C: number;
        gamma?: 'scale' | 'auto';
        class_weight?: 'balanced';
      };
      standardise: boolean;
      foldAccuracy: number[];
      nSupport: number[];
    }
  >;
  randomForest: Record<string, number[]>;
}

export function loadCvReference(name: 'iris' | 'breastCancer'): CvReference {
  return read('cross-validation.json')[name];
}

export const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Expects `f` to throw an InvalidArgumentError naming `arg`. */
export function expectInvalid(f: () => unknown, arg: string): void {
  try {
    f();
  } catch (e) {
    expect(isCellshapeError(e, 'INVALID_ARGUMENT'), String(e)).toBe(true);
    expect((e as { arg?: string }).arg).toBe(arg);
    return;
  }
  throw new Error(`expected an InvalidArgumentError naming '${arg}'`);
}
