import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyTypedArray,
  isCellshapeError,
  type NdArray,
  parseCsv,
  parseNpz,
} from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import { expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SiameseEncoder } from '../models/siamese-encoder.js';
import type { Image2D } from '../types.js';
import { embedCrops, embeddingsToCsv, writeEmbeddingsCsv } from './embed-crops.js';
import { embedImages, tileOrigins } from './embed-images.js';
import { fitPcaEmbedding } from './pca-embedding.js';
import { drawnCropDataset } from './test-crops.js';

const dirs: string[] = [];
beforeAll(async () => {
  expect(await selectBackend('cpu')).toBe('cpu');
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const encoderOf = (): SiameseEncoder =>
  new SiameseEncoder({ inputShape: [8, 8, 1], filters: [3], numFeatures: 4, seed: 2 });

describe('embedCrops and the CSV', () => {
  test('one row per crop in dataset order, ids and metadata kept; the CSV reads back', async () => {
    const data = drawnCropDataset(5, 8, 1);
    const encoder = encoderOf();
    const embeddings = await embedCrops(encoder, data, { batchSize: 2 });
    expect(embeddings.ids).toEqual(['cell0', 'cell1', 'cell2', 'cell3', 'cell4']);
    expect(embeddings.features.length).toBe(5 * 4);
    expect(encoder.training).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'profile-embed-'));
    dirs.push(dir);
    await writeEmbeddingsCsv(join(dir, 'e.csv'), embeddings);
    const table = parseCsv(readFileSync(join(dir, 'e.csv'), 'utf8'));
    expect(table.header).toEqual(['id', 'family', 'f0', 'f1', 'f2', 'f3']);
    expect(table.rows[1]?.[1]).toBe('long');
    expect(Math.fround(Number(table.rows[3]?.[4]))).toBe(embeddings.features[3 * 4 + 2]);
    expect(embeddingsToCsv(embeddings)).toBe(readFileSync(join(dir, 'e.csv'), 'utf8'));
    encoder.dispose();
  });
});

describe('embedImages (tiling)', () => {
  test('tile origins cover the image, the last flush with the edge', () => {
    expect(tileOrigins(20, 8, 8)).toEqual([0, 8, 12]);
    expect(tileOrigins(16, 8, 4)).toEqual([0, 4, 8]);
    expect(tileOrigins(8, 8, 3)).toEqual([0]);
  });

  test("an image's embedding is the mean of its tiles' embeddings", async () => {
    const encoder = encoderOf().eval();
    const [h, w] = [12, 16];
    const data = Float32Array.from({ length: h * w }, (_, i) => Math.sin(i * 0.37) + (i % 5) * 0.1);
    const image: Image2D<Float32Array> = { data, shape: [h, w, 1] };
    const { features, ids } = await embedImages(encoder, [image, image], ['a', 'b'], {
      stride: 4,
      batchSize: 2,
    });
    expect(ids).toEqual(['a', 'b']);
    const tiles: number[] = [];
    for (const y0 of tileOrigins(h, 8, 4))
      for (const x0 of tileOrigins(w, 8, 4))
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++) tiles.push(data[(y0 + y) * w + x0 + x] as number);
    const count = tiles.length / 64;
    const expected = tf.tidy(() =>
      tf.mean(encoder.encode(tf.tensor4d(tiles, [count, 8, 8, 1])), 0),
    );
    expectTensorsClose(features.subarray(0, 4), expected, { rtol: 1e-5 });
    expectTensorsClose(features.subarray(4, 8), expected, { rtol: 1e-5 });
    expected.dispose();
    const small: Image2D = { data: new Float32Array(4 * 16), shape: [4, 16, 1] };
    const error = await embedImages(encoder, [small], ['s']).catch((e) => e);
    expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('images[0]');
    encoder.dispose();
  });
});

describe('fitPcaEmbedding', () => {
  const golden = parseNpz(
    new Uint8Array(
      readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../models/golden/pca.npz')),
    ),
  );
  const need = (key: string): NdArray<AnyTypedArray> => {
    const a = golden[key];
    if (!a) throw new Error(`fixture: missing ${key}`);
    return a;
  };
  test.each(['wide', 'tall'])("matches scikit-learn's PCA (%s: %s route)", (name) => {
    const x = need(`${name}.x`);
    const samples = { data: x.data as Float32Array, shape: x.shape };
    const k = need(`${name}.explained_variance`).shape[0] as number;
    const pca = fitPcaEmbedding(samples, { numComponents: k });
    expectTensorsClose(pca.components, need(`${name}.components`), {
      rtol: 1e-4,
      label: 'components',
    });
    expectTensorsClose(pca.explainedVariance, need(`${name}.explained_variance`), { rtol: 1e-4 });
    expectTensorsClose(pca.explainedVarianceRatio, need(`${name}.explained_variance_ratio`), {
      rtol: 1e-4,
    });
    expectTensorsClose(pca.transform(samples), need(`${name}.transform`), {
      rtol: 1e-4,
      label: 'transform',
    });
  });

  test('bad samples and options are typed errors', () => {
    const samples = { data: new Float32Array(12), shape: [3, 4] };
    for (const [call, arg] of [
      [() => fitPcaEmbedding(samples, { numComponents: 3 }), 'options.numComponents'],
      [() => fitPcaEmbedding({ data: new Float32Array(5), shape: [3, 4] }), 'samples.data'],
      [
        () => fitPcaEmbedding(samples).transform({ data: new Float32Array(6), shape: [2, 3] }),
        'samples.shape',
      ],
    ] as const) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(isCellshapeError(error, 'INVALID_ARGUMENT'), arg).toBe(true);
      expect((error as Error).message).toContain(arg);
    }
  });
});
