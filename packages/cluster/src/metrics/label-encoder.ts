import { invalidArgument } from '@cellshape/core';

/** A label value before encoding: a metadata string (treatment, well) or a number. */
export type LabelValue = string | number;

/** The result of {@link encodeLabels}. */
export interface EncodedLabels<T extends LabelValue = LabelValue> {
  /** `codes[i]` is the index of `values[i]` in `classes`. */
  codes: Int32Array;
  /** The distinct classes, sorted (numbers ascending, strings by code unit), as sklearn's `LabelEncoder`. */
  classes: T[];
}

/** Options of {@link encodeLabels}. */
export interface EncodeLabelsOptions<T extends LabelValue = LabelValue> {
  /**
   * A fixed class list (for example the `classes` of an earlier call, to encode predictions
   * the same way as the truth). A value outside it is an error. Default: the sorted distinct values.
   */
  classes?: readonly T[];
}

function compare(a: LabelValue, b: LabelValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Turns labels of any kind into integer codes 0 … K − 1 that the metrics and classifiers take,
 * as scikit-learn's `LabelEncoder`: `classes` sorted, `codes[i]` the index of `values[i]`.
 * To encode truth and predictions alike, pass the first call's `classes` to the second.
 *
 * ```ts
 * const { codes, classes } = encodeLabels(['ctrl', 'drug', 'ctrl']); // codes [0, 1, 0]
 * ```
 *
 * @throws InvalidArgumentError for a value that is neither a string nor a finite number, or
 *   (with `options.classes`) a value not in the list.
 */
export function encodeLabels<T extends LabelValue>(
  values: ArrayLike<T>,
  options: EncodeLabelsOptions<T> = {},
): EncodedLabels<T> {
  const fn = 'encodeLabels';
  const ok = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
  if (!ok) throw invalidArgument(fn, 'values', 'an array of strings or numbers', values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as unknown;
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))))
      throw invalidArgument(fn, `values[${i}]`, 'a string or a finite number', v);
  }
  const classes = options.classes
    ? [...options.classes]
    : [...new Set(Array.from(values))].sort(compare);
  const index = new Map<LabelValue, number>(classes.map((c, i) => [c, i]));
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const code = index.get(values[i]!);
    if (code === undefined)
      throw invalidArgument(fn, `values[${i}]`, 'one of options.classes', values[i]);
    codes[i] = code;
  }
  return { codes, classes };
}
