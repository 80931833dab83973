import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyTypedArray, type NdArray, parseNpz } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';

/** The committed reference numbers (see `fixtures/generate.py`). */
export function loadReference(): Record<string, NdArray<AnyTypedArray>> {
  const path = fileURLToPath(new URL('../fixtures/reference.npz', import.meta.url));
  return parseNpz(readFileSync(path));
}

/** `../shared` next to the repository (or `$CELLSHAPE_SHARED`). */
export const SHARED =
  process.env.CELLSHAPE_SHARED ?? fileURLToPath(new URL('../../../../../shared', import.meta.url));

/** Path of a golden file of the reference harness, or undefined (with a loud warning) when absent. */
export function goldenPath(name: string): string | undefined {
  const path = resolve(SHARED, 'reference/golden', name);
  if (existsSync(path)) return path;
  console.warn(`SKIPPED: golden tests need ${path} (../shared/reference/golden)`);
  return undefined;
}

/** An npz entry as a float64 matrix. */
export function matrixOf(a: NdArray<AnyTypedArray> | undefined): DenseMatrix<Float64Array> {
  if (a?.shape.length !== 2) throw new Error(`not a matrix: ${a?.shape}`);
  return { data: Float64Array.from(a.data as Float32Array), shape: [a.shape[0]!, a.shape[1]!] };
}

/** An npz scalar or vector as numbers. */
export function numbersOf(a: NdArray<AnyTypedArray> | undefined): number[] {
  if (!a) throw new Error('missing entry');
  return Array.from(a.data as Float64Array, Number);
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
