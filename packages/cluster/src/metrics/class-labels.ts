import { InvalidArgumentError, invalidArgument } from '@cellshape/core';

/** Class labels as the classification metrics and classifiers take them: integers (any sign). */
export type ClassLabels = ArrayLike<number>;

/**
 * Validates class labels: a plain or typed array of integers (negative allowed, as noise −1),
 * optionally of a given length and non-empty. String labels go through `encodeLabels` first.
 */
export function checkClassLabels(
  fn: string,
  arg: string,
  labels: unknown,
  length?: number,
): ClassLabels {
  const ok = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!ok) throw invalidArgument(fn, arg, 'an array of integer class labels', labels);
  const values = labels as ArrayLike<unknown>;
  if (values.length === 0) throw invalidArgument(fn, arg, 'a non-empty array of labels', labels);
  if (length !== undefined && values.length !== length)
    throw invalidArgument(
      fn,
      arg,
      `to have length ${length} (as the first labels)`,
      `length ${values.length}`,
    );
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new InvalidArgumentError(
        `${fn}: '${arg}' must hold integers (encode strings with encodeLabels), got ${String(v)} at index ${i}`,
        { fn, arg },
      );
    }
  }
  return values as ClassLabels;
}

/** The sorted distinct values of one or more label arrays (sklearn's `unique_labels`). */
export function uniqueLabels(...arrays: ClassLabels[]): number[] {
  const set = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) set.add(a[i]!);
  return [...set].sort((x, y) => x - y);
}
