import { readFileSync } from 'node:fs';
import { createRng, isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Fold } from './folds.js';
import { groupKFold } from './group-k-fold.js';
import { stratifiedGroupKFold } from './stratified-group-k-fold.js';
import { stratifiedKFold } from './stratified-k-fold.js';

/** Unshuffled sklearn 1.2.1 splitters on fixed labels/groups (scripts/make-classification-fixtures.py). */
const sk = JSON.parse(readFileSync(new URL('./fixtures/folds.json', import.meta.url), 'utf8')) as {
  labels: number[];
  labelsSkewed: number[];
  groups: number[];
  stratified5: number[][];
  stratifiedSkewed3: number[][];
  group4: number[][];
  stratifiedGroup3: number[][];
};
const tests = (folds: Fold[]) => folds.map((f) => Array.from(f.test));

const isInvalid = (f: () => unknown, arg: string) => {
  try {
    f();
  } catch (e) {
    expect(isCellshapeError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect((e as { arg?: string }).arg).toBe(arg);
    return;
  }
  throw new Error('expected an InvalidArgumentError');
};

/** Every sample is in exactly one test fold and train is the complement. */
function expectPartition(folds: Fold[], n: number) {
  const seen = new Int32Array(n);
  for (const { train, test } of folds) {
    for (const i of test) seen[i]!++;
    expect(train.length + test.length).toBe(n);
    const inTest = new Set(test);
    for (const i of train) expect(inTest.has(i)).toBe(false);
  }
  expect(Array.from(seen).every((c) => c === 1)).toBe(true);
}

describe('folds equal scikit-learn (unshuffled)', () => {
  it('stratifiedKFold', () => {
    expect(tests(stratifiedKFold(sk.labels, { k: 5 }))).toEqual(sk.stratified5);
    expect(tests(stratifiedKFold(sk.labelsSkewed, { k: 3 }))).toEqual(sk.stratifiedSkewed3);
  });
  it('groupKFold', () => {
    expect(tests(groupKFold(sk.groups, { k: 4 }))).toEqual(sk.group4);
  });
  it('stratifiedGroupKFold', () => {
    expect(tests(stratifiedGroupKFold(sk.labels, sk.groups, { k: 3 }))).toEqual(
      sk.stratifiedGroup3,
    );
  });
});

describe('fold properties over random inputs', () => {
  const rng = createRng(11);
  const trials = Array.from({ length: 30 }, (_, t) => {
    const n = 20 + rng.int(80);
    const classes = 2 + rng.int(4);
    const k = 2 + rng.int(4);
    // every class gets at least k members, the rest random
    const labels = Array.from({ length: n }, (_, i) =>
      i < classes * k ? i % classes : rng.int(classes),
    );
    const groups = Array.from({ length: n }, () => `g${rng.int(k + rng.int(10))}`);
    return { t, n, k, classes, labels, groups, seed: t };
  });
  it.each(trials)(
    'stratified folds keep class counts within ±1 (trial $t)',
    ({ n, k, classes, labels, seed }) => {
      for (const shuffle of [false, true]) {
        const folds = stratifiedKFold(labels, { k, shuffle, seed });
        expectPartition(folds, n);
        for (let c = 0; c < classes; c++) {
          const perFold = folds.map(
            (f) => Array.from(f.test).filter((i) => labels[i] === c).length,
          );
          expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
        }
        const sizes = folds.map((f) => f.test.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    },
  );
  it.each(trials)(
    'grouped folds never split a group (trial $t)',
    ({ n, k, labels, groups, seed }) => {
      const distinct = new Set(groups).size;
      const kk = Math.min(k, distinct);
      if (kk < 2) return;
      for (const folds of [
        groupKFold(groups, { k: kk }),
        stratifiedGroupKFold(labels, groups, { k: kk }),
        stratifiedGroupKFold(labels, groups, { k: kk, shuffle: true, seed }),
      ]) {
        expectPartition(folds, n);
        for (const { train, test } of folds) {
          const testGroups = new Set(Array.from(test, (i) => groups[i]));
          for (const i of train) expect(testGroups.has(groups[i]!)).toBe(false);
        }
      }
    },
  );
  it('shuffling is seeded', () => {
    const labels = trials[0]!.labels;
    const a = tests(stratifiedKFold(labels, { k: 3, shuffle: true, seed: 4 }));
    expect(tests(stratifiedKFold(labels, { k: 3, shuffle: true, seed: 4 }))).toEqual(a);
    expect(tests(stratifiedKFold(labels, { k: 3, shuffle: true, seed: 5 }))).not.toEqual(a);
  });
});

describe('bad input', () => {
  it('names the argument', () => {
    isInvalid(() => stratifiedKFold([0, 1, 0, 1], { k: 5 }), 'options.k');
    isInvalid(() => stratifiedKFold([0, 0, 0, 1, 1], { k: 3 }), 'labels');
    isInvalid(() => stratifiedKFold([0, 1], { k: 1 }), 'options.k');
    isInvalid(() => stratifiedKFold([], { k: 2 }), 'labels');
    isInvalid(() => groupKFold(['a', 'a', 'b'], { k: 3 }), 'options.k');
    isInvalid(() => groupKFold([0, Number.NaN], { k: 2 }), 'groups[1]');
    isInvalid(() => stratifiedGroupKFold([0, 1, 0], [0, 1], { k: 2 }), 'groups');
  });
});
