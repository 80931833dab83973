import { checkInteger, InvalidArgumentError, invalidArgument } from '@cellshape/core';
import { encodeLabels, type LabelValue } from '../metrics/label-encoder.js';

/** One split of a cross-validation: sample indices, ascending. */
export interface Fold {
  train: Uint32Array;
  test: Uint32Array;
}

/** Validates a fold count: an integer k ≥ 2 and at most `n` (the units being split). */
export function checkFoldCount(fn: string, k: unknown, n: number, units: string): number {
  checkInteger(fn, 'options.k', k, { min: 2 });
  if ((k as number) > n)
    throw new InvalidArgumentError(
      `${fn}: 'options.k' must be at most the number of ${units} (${n}), got ${k}`,
      { fn, arg: 'options.k' },
    );
  return k as number;
}

/** Codes 0 … K − 1 of label or group values (strings or numbers), validated as a non-empty array. */
export function codesOf(
  fn: string,
  arg: string,
  values: unknown,
  length?: number,
): { codes: Int32Array; count: number } {
  const ok = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
  if (!ok || (values as ArrayLike<unknown>).length === 0)
    throw invalidArgument(fn, arg, 'a non-empty array of strings or numbers', values);
  const v = values as ArrayLike<LabelValue>;
  if (length !== undefined && v.length !== length)
    throw invalidArgument(fn, arg, `to have length ${length}`, `length ${v.length}`);
  try {
    const { codes, classes } = encodeLabels(v);
    return { codes, count: classes.length };
  } catch {
    const bad = Array.from(v).findIndex((x) => !(typeof x === 'string' || Number.isFinite(x)));
    throw invalidArgument(fn, `${arg}[${bad}]`, 'a string or a finite number', v[bad]);
  }
}

/** The folds whose test sets are the samples with `testFold[i] === f`, f = 0 … k − 1. */
export function foldsFromAssignment(testFold: ArrayLike<number>, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < testFold.length; i++) (testFold[i] === f ? test : train).push(i);
    folds.push({ train: Uint32Array.from(train), test: Uint32Array.from(test) });
  }
  return folds;
}
