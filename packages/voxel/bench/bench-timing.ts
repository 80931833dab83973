/**
 * What the voxel A/B scripts share: the wall and process-CPU time of a call (the machine is
 * often shared, and CPU time is the steadier measure), the faster of two timings, and the cubic
 * 3-D convolution geometries of the bench models' layers.
 */
import type { ConvGeometry } from '../../engine/src/kernels/conv/geometry.js';

/** Wall-clock and process CPU milliseconds. */
export interface Timing {
  wall: number;
  cpu: number;
}

/** A timing slower than any: the start of a minimum. */
export const NEVER: Timing = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };

/** Times `f` (which must finish its work, e.g. by reading its result, before returning). */
export function timed(f: () => void): Timing {
  const c0 = process.cpuUsage();
  const t = performance.now();
  f();
  const wall = performance.now() - t;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** The smaller wall and the smaller CPU time of two timings. */
export const fastest = (a: Timing, b: Timing): Timing => ({
  wall: Math.min(a.wall, b.wall),
  cpu: Math.min(a.cpu, b.cpu),
});

/** A cubic 3-D convolution of `n³` inputs, kernel `k³`, stride `s`, padding `p`, at batch 8. */
export function cubeGeometry(
  n: number,
  cin: number,
  cout: number,
  k: number,
  s: number,
  p: number,
): ConvGeometry {
  const m = Math.floor((n + 2 * p - k) / s) + 1;
  return {
    dims: 3,
    batch: 8,
    inSize: [n, n, n],
    inChannels: cin,
    outSize: [m, m, m],
    outChannels: cout,
    kernel: [k, k, k],
    stride: [s, s, s],
    padding: [p, p, p],
  };
}
