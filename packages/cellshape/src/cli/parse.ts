import { InvalidArgumentError } from 'commander';

/**
 * Parsers of flag values for commander: each turns the text into a typed value or throws
 * commander's `InvalidArgumentError`, which the command line reports as a usage error
 * (exit code 2) naming the flag, e.g. `option '--epochs <n>' argument 'abc' is invalid. expected a non-negative integer`.
 */

/** An integer ≥ `min`. */
export function integer(min: number): (text: string) => number {
  const expected =
    min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
  return (text) => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(value) || value < min)
      throw new InvalidArgumentError(`expected ${expected}.`);
    return value;
  };
}

/** A finite number in `[min, max]` (`exclusiveMin`: strictly above `min`). */
export function number(
  min: number,
  options: { max?: number; exclusiveMin?: boolean } = {},
): (text: string) => number {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const low = options.exclusiveMin ? `> ${min}` : `≥ ${min}`;
  const expected = Number.isFinite(max) ? `a number ${low} and ≤ ${max}` : `a number ${low}`;
  return (text) => {
    const value = Number(text.trim());
    const ok =
      text.trim() !== '' &&
      Number.isFinite(value) &&
      (options.exclusiveMin ? value > min : value >= min) &&
      value <= max;
    if (!ok) throw new InvalidArgumentError(`expected ${expected}.`);
    return value;
  };
}

/** One of `choices`. */
export function choice<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text))
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return text as T;
  };
}

/** A positive integer or the word `auto`. */
export function integerOrAuto(min: number): (text: string) => number | 'auto' {
  const parse = integer(min);
  return (text) => {
    if (text.trim().toLowerCase() === 'auto') return 'auto';
    try {
      return parse(text);
    } catch {
      throw new InvalidArgumentError(`expected 'auto' or an integer ≥ ${min}.`);
    }
  };
}

/** `lo:hi`, two integers with `min ≤ lo < hi`. */
export function integerRange(min: number): (text: string) => [number, number] {
  return (text) => {
    const match = /^\s*(\d+)\s*[:,-]\s*(\d+)\s*$/.exec(text);
    const lo = Number(match?.[1]);
    const hi = Number(match?.[2]);
    if (!match || lo < min || hi <= lo)
      throw new InvalidArgumentError(`expected 'lo:hi' with ${min} ≤ lo < hi, e.g. 2:15.`);
    return [lo, hi];
  };
}

/** Three positive numbers `z,y,x` (e.g. a voxel size). */
export function triple(text: string): [number, number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || !parts.every((v) => Number.isFinite(v) && v > 0))
    throw new InvalidArgumentError('expected three positive numbers z,y,x, e.g. 2.18,1,1.');
  return parts as [number, number, number];
}
