import type { NdArray } from '@cellshape/core';
import { shapeSize } from '@cellshape/core';
import type { StateDict } from '@cellshape/engine';

/**
 * Deterministic weights for the committed fixtures, mirrored by `scripts/make-fixtures.py`:
 * key j (position among the state-dict keys without the `encoder.convX.1.*` aliases), flat
 * index i in PyTorch layout, `s = sin(0.37·i + j)`:
 * running_mean 0.1·s, running_var 1 + 0.25·s, batch-norm weight 1 + 0.2·s, biases 0.1·s,
 * other weights √(3/fan_in)·s, num_batches_tracked 3. Computed in float64, stored as float32.
 */
export function formulaStateDict(template: StateDict): StateDict {
  const out: StateDict = new Map();
  const keys = [...template.keys()].filter((key) => !/^encoder\.conv\d\.1\./.test(key));
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
      const s = Math.sin(0.37 * i + j);
      if (key.endsWith('running_mean')) data[i] = 0.1 * s;
      else if (key.endsWith('running_var')) data[i] = 1 + 0.25 * s;
      else if (/^encoder\.bn\d\.weight$/.test(key)) data[i] = 1 + 0.2 * s;
      else if (key.endsWith('.bias')) data[i] = 0.1 * s;
      else data[i] = Math.sqrt(3 / fanIn) * s;
    }
    out.set(key, { data, shape: [...shape] });
  });
  return out;
}
