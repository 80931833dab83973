import { createRng, isCellshapeError } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { beforeAll, describe, expect, test } from 'vitest';
import { CropDataset } from './crop-dataset.js';
import { drawnCropDataset } from './test-crops.js';
import { dihedralBlurViews } from './views.js';

beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});

describe('CropDataset', () => {
  test('batches carry every index once, pixels and masks of their crops; dropLast', () => {
    const data = drawnCropDataset(10, 8, 1);
    const seen: number[] = [];
    for (const batch of data.batches({
      batchSize: 4,
      shuffle: true,
      seed: 2,
      epoch: 1,
      dropLast: false,
    })) {
      expect(batch.input.shape).toEqual([batch.indices.length, 8, 8, 1]);
      expect(Array.from(batch.input.dataSync())).toEqual(Array.from(batch.data));
      expect(batch.masks?.length).toBe(batch.indices.length * 64);
      expect(batch.ids).toEqual(batch.indices.map((i) => `cell${i}`));
      seen.push(...batch.indices);
      batch.input.dispose();
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    const sizes = [
      ...data.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0, dropLast: true }),
    ].map((b) => {
      b.input.dispose();
      return b.indices.length;
    });
    expect(sizes).toEqual([4, 4]);
  });

  test('bad crops are typed errors naming the argument', () => {
    for (const [crops, arg] of [
      [{ data: new Float32Array(3), shape: [1, 2, 2, 1], ids: ['a'] }, 'crops.data'],
      [
        { data: new Float32Array([0, Number.NaN, 0, 0]), shape: [1, 2, 2, 1], ids: ['a'] },
        'crops.data',
      ],
      [{ data: new Float32Array(4), shape: [1, 2, 2], ids: ['a'] }, 'crops.shape'],
      [{ data: new Float32Array(4), shape: [1, 2, 2, 1], ids: [] }, 'crops.ids'],
      [
        { data: new Float32Array(4), shape: [1, 2, 2, 1], ids: ['a'], masks: new Uint8Array(2) },
        'crops.masks',
      ],
    ] as const) {
      let error: unknown;
      try {
        new CropDataset(crops as never);
      } catch (e) {
        error = e;
      }
      expect(isCellshapeError(error, 'INVALID_ARGUMENT'), arg).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
  });
});

describe('dihedralBlurViews', () => {
  test('without blur each view is a symmetry of the square of its crop; same rng, same views', () => {
    const data = drawnCropDataset(3, 6, 3);
    const [batch] = [
      ...data.batches({ batchSize: 3, shuffle: false, seed: 0, epoch: 0, dropLast: false }),
    ];
    if (!batch) throw new Error('no batch');
    const views = dihedralBlurViews({ blurProbability: 0 });
    const [v1, v2] = views(batch, createRng(5)) as [Float32Array, Float32Array];
    const again = views(batch, createRng(5))[0] as Float32Array;
    expect(Array.from(again)).toEqual(Array.from(v1));
    for (const view of [v1, v2])
      for (let i = 0; i < 3; i++) {
        const crop = Array.from(batch.data.subarray(i * 36, (i + 1) * 36));
        const got = Array.from(view.subarray(i * 36, (i + 1) * 36));
        const at = (y: number, x: number): number => crop[y * 6 + x] as number;
        const candidates: number[][] = [];
        for (const flip of [false, true])
          for (let k = 0; k < 4; k++) {
            const out: number[] = [];
            for (let y = 0; y < 6; y++)
              for (let x = 0; x < 6; x++) {
                let [sy, sx] = [y, flip ? 5 - x : x];
                for (let t = 0; t < k; t++) [sy, sx] = [sx, 5 - sy];
                out.push(at(sy, sx));
              }
            candidates.push(out);
          }
        expect(candidates.some((c) => c.every((v, j) => v === got[j]))).toBe(true);
      }
    batch.input.dispose();
  });
});
