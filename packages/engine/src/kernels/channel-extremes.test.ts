import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, useBackend } from '../test/index.js';
import { channelExtremes } from './channel-extremes.js';

describe.each(TEST_BACKENDS)('channelExtremes on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('gives the max, or the min where asked, and the first point attaining it', () => {
    const [b, n, c] = [3, 37, 7];
    // Small integers: many ties, so "first point attaining it" is exercised.
    const data = Float32Array.from({ length: b * n * c }, (_, i) => ((i * 7919) % 13) - 6);
    const lower = [false, true, true, false, false, true, false];
    const x = tf.tensor3d(data, [b, n, c]);
    const { values, arg } = channelExtremes(x, lower);
    for (let s = 0; s < b; s++)
      for (let o = 0; o < c; o++) {
        let best = data[s * n * c + o] as number;
        let at = 0;
        for (let i = 1; i < n; i++) {
          const v = data[(s * n + i) * c + o] as number;
          if (lower[o] ? v < best : v > best) {
            best = v;
            at = i;
          }
        }
        expect(values[s * c + o]).toBe(best);
        expect(arg[s * c + o]).toBe(at);
      }
    x.dispose();
  });

  it('rejects a wrong number of channel directions', () => {
    const x = tf.zeros([1, 2, 3]);
    expect(() => channelExtremes(x, [true])).toThrow(/channelExtremes: 'lower' must be 3 booleans/);
    x.dispose();
  });
});
