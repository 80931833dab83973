import { createRng } from '@cellshape/core';

/** The decoder's source shapes: a plane grid, points on a sphere, a Gaussian blob. */
export type SourceShape = 'plane' | 'sphere' | 'gaussian';

/** Source point conventions of the two FoldingNet decoders. */
export type GridConvention = 'product' | 'meshgrid';

/** PyTorch's float32 `linspace(start, end, steps)` (scalar kernel; may differ by 1 ulp). */
function torchLinspace(start: number, end: number, steps: number): Float32Array {
  const f = Math.fround;
  const s = f(start);
  const e = f(end);
  const step = f(f(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  const out = new Float32Array(steps);
  for (let i = 0; i < steps; i++)
    out[i] = i < half ? f(s + f(step * i)) : f(e - f(step * (steps - i - 1)));
  return out;
}

/** NumPy's float64 `linspace(start, end, steps)`. */
function numpyLinspace(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  const step = (end - start) / (steps - 1);
  for (let i = 0; i < steps; i++) out[i] = i * step + start;
  out[steps - 1] = end;
  return out;
}

/**
 * The decoder's M source points, row-major `[M, d]` (d = 2 for the plane, 3 otherwise).
 *
 * * `plane`: the side×side grid on `[−std, std]²` (side = √M; M = 2025 gives the 45×45 grid of
 *   cellshape), first coordinate varying slowest. `product` builds it from NumPy's float64
 *   linspace as `itertools.product` (the `foldingnet` decoder), `meshgrid` from PyTorch's
 *   float32 linspace (the `foldingnetbasic` decoder); the two differ by at most 1 ulp.
 * * `sphere`: M points uniform on the sphere of radius `std` centred at the origin.
 * * `gaussian`: M points from an isotropic normal distribution with standard deviation `std`.
 *
 * Random shapes are drawn from a generator seeded with `seed`, so a model's source points are
 * reproduced from its config (they are not part of the state dict).
 */
export function sourcePoints(
  shape: SourceShape,
  count: number,
  std: number,
  seed: number,
  convention: GridConvention,
): { data: Float32Array; shape: [number, number] } {
  switch (shape) {
    case 'plane': {
      const side = Math.round(Math.sqrt(count));
      const t =
        convention === 'product' ? numpyLinspace(-std, std, side) : torchLinspace(-std, std, side);
      const data = new Float32Array(side * side * 2);
      for (let a = 0; a < side; a++)
        for (let b = 0; b < side; b++) {
          data[(a * side + b) * 2] = t[a] as number;
          data[(a * side + b) * 2 + 1] = t[b] as number;
        }
      return { data, shape: [side * side, 2] };
    }
    case 'sphere':
    case 'gaussian': {
      const rng = createRng(seed);
      const data = new Float32Array(count * 3);
      for (let i = 0; i < count; i++) {
        const x = rng.normal();
        const y = rng.normal();
        const z = rng.normal();
        const scale = shape === 'sphere' ? std / Math.hypot(x, y, z) : std;
        data[i * 3] = x * scale;
        data[i * 3 + 1] = y * scale;
        data[i * 3 + 2] = z * scale;
      }
      return { data, shape: [count, 3] };
    }
    default: {
      const never: never = shape;
      throw new Error(`unknown source shape ${String(never)}`);
    }
  }
}
