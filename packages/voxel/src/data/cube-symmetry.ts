import { checkInteger, invalidArgument } from '@cellshape/core';
import type { Volume } from '@cellshape/helper';
import { checkVolume } from './volume-geometry.js';

/**
 * The symmetries of the voxel grid: axis permutations with flips ("signed permutations").
 * Output axis `a` reads input axis `axes[a]`, reversed when `flips[a]`. The 24 with
 * determinant +1 are the rotations of a cube by multiples of 90° ({@link CUBE_ROTATIONS});
 * adding one mirror gives all 48.
 */
export interface GridSymmetry {
  /** Input axis (0 z, 1 y, 2 x) of each output axis: a permutation of 0, 1, 2. */
  readonly axes: readonly [number, number, number];
  /** Whether each output axis runs backwards along its input axis. */
  readonly flips: readonly [boolean, boolean, boolean];
}

/** +1 for an even permutation, −1 for an odd one. */
function permutationSign(p: readonly number[]): number {
  let sign = 1;
  for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) if (p[i]! > p[j]!) sign = -sign;
  return sign;
}

/** The determinant of a grid symmetry: +1 for a rotation, −1 for a reflection. */
export function symmetryDeterminant(s: GridSymmetry): number {
  return s.flips.reduce((d, f) => (f ? -d : d), permutationSign(s.axes));
}

const PERMUTATIONS: readonly (readonly [number, number, number])[] = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** All 48 grid symmetries, identity first. */
export const GRID_SYMMETRIES: readonly GridSymmetry[] = Object.freeze(
  PERMUTATIONS.flatMap((axes) =>
    Array.from({ length: 8 }, (_, m) => ({
      axes,
      flips: [(m & 4) !== 0, (m & 2) !== 0, (m & 1) !== 0] as const,
    })),
  ),
);

/** The 24 rotations of the cube by multiples of 90° about its axes (identity first). */
export const CUBE_ROTATIONS: readonly GridSymmetry[] = Object.freeze(
  GRID_SYMMETRIES.filter((s) => symmetryDeterminant(s) === 1),
);

/** `a` after `b`: the symmetry that applies `b` first, then `a`. */
export function composeSymmetries(a: GridSymmetry, b: GridSymmetry): GridSymmetry {
  // Output axis i of `a` reads axis a.axes[i] of b's output, which reads b.axes[a.axes[i]].
  const axes = a.axes.map((k) => b.axes[k]!) as [number, number, number];
  const flips = a.axes.map((k, i) => a.flips[i] !== b.flips[k]) as [boolean, boolean, boolean];
  return { axes, flips };
}

function checkSymmetry(fn: string, s: GridSymmetry): void {
  const ok =
    s !== null &&
    typeof s === 'object' &&
    Array.isArray(s.axes) &&
    Array.isArray(s.flips) &&
    [...s.axes].sort().join() === '0,1,2' &&
    s.flips.length === 3;
  if (!ok)
    throw invalidArgument(
      fn,
      'symmetry',
      'a GridSymmetry { axes: a permutation of 0, 1, 2, flips: 3 booleans }',
      s,
    );
}

/**
 * The volume transformed by a grid symmetry: output shape `shape[axes[a]]` per axis, output
 * voxel `o` = input voxel with coordinate `o_a` (or `n_a − 1 − o_a` when flipped) on input
 * axis `axes[a]`. Same typed-array type; spacing permuted along.
 */
export function transformVolume<V extends Volume>(volume: V, symmetry: GridSymmetry): V {
  const fn = 'transformVolume';
  checkVolume(fn, 'volume', volume);
  checkSymmetry(fn, symmetry);
  const { axes, flips } = symmetry;
  const inShape = volume.shape;
  const inStride = [inShape[1] * inShape[2], inShape[2], 1];
  const shape = axes.map((k) => inShape[k]!) as [number, number, number];
  // Start and step in the input for each output axis.
  const step = axes.map((k, a) => (flips[a] ? -inStride[k]! : inStride[k]!));
  const start = axes.reduce((s, k, a) => s + (flips[a] ? (inShape[k]! - 1) * inStride[k]! : 0), 0);
  const src = volume.data;
  const out = new (src.constructor as new (n: number) => typeof src)(src.length);
  const [s0, s1, s2] = step as [number, number, number];
  for (let i = 0, o0 = 0, p0 = start; o0 < shape[0]; o0++, p0 += s0)
    for (let o1 = 0, p1 = p0; o1 < shape[1]; o1++, p1 += s1)
      for (let o2 = 0, p2 = p1; o2 < shape[2]; o2++, p2 += s2, i++) out[i] = src[p2]!;
  const result = { ...volume, data: out, shape };
  if (volume.spacing)
    result.spacing = axes.map((k) => volume.spacing![k]!) as [number, number, number];
  return result;
}

/** The volume mirrored along `axis` (0 z, 1 y, 2 x). */
export function flipVolume<V extends Volume>(volume: V, axis: number): V {
  checkInteger('flipVolume', 'axis', axis, { min: 0, max: 2 });
  const flips: [boolean, boolean, boolean] = [axis === 0, axis === 1, axis === 2];
  return transformVolume(volume, { axes: [0, 1, 2], flips });
}

/**
 * The volume turned `turns` quarter turns in the plane of axes `from` → `to` (0 z, 1 y, 2 x):
 * one turn maps the `from` axis onto the `to` axis. Four turns give the volume back.
 */
export function rotate90<V extends Volume>(volume: V, from: number, to: number, turns = 1): V {
  const fn = 'rotate90';
  checkInteger(fn, 'from', from, { min: 0, max: 2 });
  checkInteger(fn, 'to', to, { min: 0, max: 2 });
  if (from === to) throw invalidArgument(fn, 'to', 'an axis other than from', to);
  checkInteger(fn, 'turns', turns);
  // One turn: new `to` coordinate = old `from`; new `from` coordinate = n − 1 − old `to`.
  const axes: [number, number, number] = [0, 1, 2];
  axes[from] = to;
  axes[to] = from;
  const turn: GridSymmetry = {
    axes,
    flips: [0, 1, 2].map((a) => a === from) as [boolean, boolean, boolean],
  };
  let out = volume;
  for (let t = 0; t < ((turns % 4) + 4) % 4; t++) out = transformVolume(out, turn);
  return out;
}
