import { readFileSync } from 'node:fs';

/** The expected values written by `scripts/make-profile-fixtures.py` (see its docstring). */
export interface ProfileFixture {
  profiles: {
    x: number[][];
    plate: string[];
    well: string[];
    control: boolean[];
    keys: string[][];
    counts: number[];
    aggregate: Record<'median' | 'mean', number[][]>;
    normalise: Record<
      'standardise' | 'robust' | 'spherize',
      Record<'all' | 'controls' | 'unbatched', number[][]>
    >;
  };
  select: {
    x: (number | null)[][];
    operations: string[];
    kept: number[];
    dropped: Record<string, string>;
    correlationOnlyDropped: number[];
  };
}

/** Reads the committed profile fixture. */
export function profileFixture(): ProfileFixture {
  return JSON.parse(readFileSync(new URL('./fixtures/profiles.json', import.meta.url), 'utf8'));
}

/** Largest absolute difference between a matrix's data and expected rows. */
export function maxDiff(data: ArrayLike<number>, rows: number[][]): number {
  const flat = rows.flat();
  if (flat.length !== data.length) return Number.POSITIVE_INFINITY;
  return flat.reduce((m, v, i) => Math.max(m, Math.abs(v - data[i]!)), 0);
}
