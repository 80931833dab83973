import { availableParallelism } from 'node:os';
import { describe, expect, test } from 'vitest';
import { kernels, runOnWorker, shared, sharedCopy, workerAvailable } from './parallel.js';

describe('worker-thread row kernels', () => {
  test('a second thread is used when there is a second core', () => {
    expect(workerAvailable()).toBe(availableParallelism() > 1);
  });

  test('the worker computes the same neighbours as the main thread', () => {
    const [n, c, k] = [300, 3, 7];
    let seed = 1;
    const x = sharedCopy(
      Float32Array.from({ length: n * c }, () => {
        seed = (seed * 16807) % 2147483647;
        return seed / 2147483647 - 0.5;
      }),
    );
    const sq = shared(Float32Array, n);
    for (let i = 0; i < n; i++)
      sq[i] = Math.fround(
        Math.fround(
          Math.fround((x[3 * i] as number) ** 2) + Math.fround((x[3 * i + 1] as number) ** 2),
        ) + Math.fround((x[3 * i + 2] as number) ** 2),
      );
    const onWorker = shared(Int32Array, n * k);
    const onMain = new Int32Array(n * k);
    const pending = runOnWorker('selectFromPoints', [x, 0, sq, n, c, k, 0, n, onWorker, 0]);
    kernels.selectFromPoints(x, 0, sq, n, c, k, 0, n, onMain, 0);
    pending.wait();
    expect(Array.from(onWorker)).toEqual(Array.from(onMain));
    // A failed or stalled worker job would have disabled the worker.
    expect(workerAvailable()).toBe(availableParallelism() > 1);
    // Each point is its own nearest neighbour.
    for (let i = 0; i < n; i++) expect(onMain[i * k]).toBe(i);
  });
});
