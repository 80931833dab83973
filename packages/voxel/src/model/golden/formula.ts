import { type NdArray, shapeSize } from '@cellshape/core';
import type { StateDict } from '@cellshape/engine';

/**
 * u(i, j) ∈ [−1, 1): a 32-bit multiply-xorshift hash of (i, j), as `hash_uniform` of
 * `scripts/make-golden.py` (hashed rather than periodic weights keep the deep ResNets'
 * training-mode batch norms well conditioned).
 */
export function hashUniform(i: number, j: number): number {
  let h = (Math.imul(i, 0x9e3779b1) + Math.imul(j + 1, 0x85ebca77)) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h = (h ^ (h >>> 12)) >>> 0;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return (h / 2 ** 32) * 2 - 1;
}

/**
 * Deterministic weights for the committed fixtures, mirrored by `scripts/make-golden.py`: key j
 * (position in state-dict order), flat index i in PyTorch layout, `s = hashUniform(i, j)`:
 * running_mean 0.1·s, running_var 1 + 0.25·s, batch-norm weight 1 + 0.2·s, biases 0.1·s, other
 * weights √(3/fan_in)·s, num_batches_tracked 3. Computed in float64, stored as float32.
 */
export function formulaStateDict(template: StateDict): StateDict {
  const out: StateDict = new Map();
  const keys = [...template.keys()];
  const isNormWeight = (key: string): boolean =>
    key.endsWith('.weight') && template.has(`${key.slice(0, -'weight'.length)}running_mean`);
  keys.forEach((key, j) => {
    const shape = (template.get(key) as NdArray<never>).shape;
    if (key.endsWith('num_batches_tracked')) {
      out.set(key, { data: BigInt64Array.of(3n), shape: [] });
      return;
    }
    const size = shapeSize(shape);
    const fanIn = size / (shape[0] ?? 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const s = hashUniform(i, j);
      if (key.endsWith('running_mean')) data[i] = 0.1 * s;
      else if (key.endsWith('running_var')) data[i] = 1 + 0.25 * s;
      else if (isNormWeight(key)) data[i] = 1 + 0.2 * s;
      else if (key.endsWith('.bias')) data[i] = 0.1 * s;
      else data[i] = Math.sqrt(3 / fanIn) * s;
    }
    out.set(key, { data, shape: [...shape] });
  });
  return out;
}
