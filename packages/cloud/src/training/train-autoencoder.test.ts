import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRng,
  csvRecords,
  IncompatibleError,
  InvalidArgumentError,
  parseCsv,
} from '@cellshape/core';
import {
  type Autoencoder,
  DEFAULT_ADAM_OPTIONS,
  type StateArray,
  type StateDict,
  selectBackend,
} from '@cellshape/engine';
import {
  generateSyntheticCells,
  maskToPointCloud,
  type PointCloud,
  pcaPose,
  scaleToUnitSphere,
} from '@cellshape/helper';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PointCloudDataset } from '../data/index.js';
import { chamferLoss } from '../losses/index.js';
import { CloudAutoEncoder } from '../model/index.js';
import { extractFeatures, type FeaturesResult } from './extract-features.js';
import { featuresToCsv, writeFeaturesCsv } from './features-csv.js';
import { DEFAULT_TRAIN_AUTOENCODER_OPTIONS, trainAutoencoder } from './train-autoencoder.js';

/**
 * A point-wise MLP encoder with max pooling (PointNet-like) and a linear decoder to M points:
 * fast enough on the cpu backend to train for many epochs in a unit test. The DGCNN model is
 * exercised below on a tiny configuration and in `train-autoencoder.slow.test.ts`.
 */
class TinyPointAutoencoder implements Autoencoder {
  readonly family = 'tiny-point-test';
  training = true;
  readonly numFeatures: number;
  private readonly vars: Array<[string, tf.Variable]>;

  constructor(
    numFeatures: number,
    private readonly numOutput: number,
    seed = 0,
  ) {
    this.numFeatures = numFeatures;
    const rng = createRng(seed);
    const init = (shape: number[], scale: number) =>
      tf.tidy(() =>
        tf.variable(
          tf.tensor(
            Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () =>
              rng.normal(0, scale),
            ),
            shape,
          ),
        ),
      );
    this.vars = [
      ['encoder.w1', init([3, 64], 0.5)],
      ['encoder.w2', init([64, numFeatures], 0.2)],
      ['decoder.w', init([numFeatures, numOutput * 3], 0.1)],
      ['decoder.b', init([numOutput * 3], 0.1)],
    ];
  }

  private v(i: number): tf.Variable {
    return this.vars[i]![1];
  }

  encode(points: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, n] = points.shape as [number, number, number];
      const h = tf.relu(tf.matMul(tf.reshape(points, [b * n, 3]), this.v(0)));
      return tf.matMul(tf.max(tf.reshape(h, [b, n, 64]), 1), this.v(1)) as tf.Tensor2D;
    });
  }

  reconstructionLoss(points: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar {
    return chamferLoss(points, reconstruction);
  }

  decode(features: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() =>
      tf.reshape(tf.add(tf.matMul(features as tf.Tensor2D, this.v(2)), this.v(3)), [
        features.shape[0]!,
        this.numOutput,
        3,
      ]),
    );
  }

  namedParameters(): Array<[string, tf.Variable]> {
    return this.vars;
  }

  stateDict(): StateDict {
    return new Map(
      this.vars.map(([n, v]) => [
        n,
        { data: v.dataSync().slice() as Float32Array, shape: v.shape },
      ]),
    );
  }

  loadStateDict(state: StateDict | Record<string, StateArray>): void {
    const map = state instanceof Map ? state : new Map(Object.entries(state));
    for (const [n, v] of this.vars) {
      const s = map.get(n);
      if (!s || s.shape.join() !== v.shape.join())
        throw new IncompatibleError(`tiny: ${n} mismatch`);
    }
    for (const [n, v] of this.vars) v.assign(tf.tensor(map.get(n)!.data as Float32Array, v.shape));
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  config(): Record<string, unknown> {
    return { kind: 'tiny', numFeatures: this.numFeatures, numOutput: this.numOutput };
  }

  dispose(): void {
    for (const [, v] of this.vars) v.dispose();
  }
}

const FAMILIES = ['round', 'elongated', 'flat', 'protrusive'] as const;
const root = mkdtempSync(join(tmpdir(), 'cellshape-train-ae-'));
let clouds: PointCloud[];
let families: string[];
let ids: string[];

beforeAll(async () => {
  await selectBackend('cpu');
  const { cells } = generateSyntheticCells({ count: 6, families: FAMILIES, size: 32, seed: 3 });
  // Canonical pose and unit size: the generator rotates and scales cells at random, and
  // neither network is rotation invariant.
  clouds = cells.map((c, i) =>
    scaleToUnitSphere(pcaPose(maskToPointCloud(c.mask, { numPoints: 256, seed: i })).cloud),
  );
  families = cells.map((c) => c.family);
  ids = cells.map((c) => c.id);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dataset(numPoints = 128) {
  return PointCloudDataset.fromArrays(clouds, {
    numPoints,
    normalise: 'none',
    ids,
    metadata: families.map((family) => ({ family })),
  });
}

/** Leave-one-out 1-nearest-neighbour accuracy of the family from the features. */
function looAccuracy(result: FeaturesResult): number {
  const { features: f, numFeatures: d, metadata } = result;
  const n = metadata.length;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestDist = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dist = 0;
      for (let k = 0; k < d; k++) dist += (f[i * d + k]! - f[j * d + k]!) ** 2;
      if (dist < bestDist) [best, bestDist] = [j, dist];
    }
    if (metadata[best]!.family === metadata[i]!.family) correct++;
  }
  return correct / n;
}

describe('trainAutoencoder + extractFeatures (small point-wise autoencoder)', () => {
  it('lowers the Chamfer loss, logs per-sample losses and writes checkpoints', async () => {
    const ds = await dataset(64);
    const model = new TinyPointAutoencoder(16, 64);
    const dir = join(root, 'tiny');
    const result = await trainAutoencoder(model, ds, {
      epochs: 20,
      batchSize: 8,
      lr: 3e-3,
      seed: 1,
      checkpointDir: dir,
    });
    const losses = result.history.map((h) => h.loss);
    expect(result.step).toBe(20 * 3);
    expect(Math.min(...losses.slice(-5))).toBeLessThan(0.5 * losses[0]!);
    expect(existsSync(join(dir, 'last.ckpt'))).toBe(true);
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(20);

    // The logged loss is the 'sum' Chamfer loss divided by the batch size, as the original logs it.
    const batch = (await ds.batches({ batchSize: 24 }).next()).value!;
    const { chamferLoss } = await import('../losses/index.js');
    const perCloud = tf.tidy(
      () => chamferLoss(batch.input, model.decode(model.encode(batch.input))).dataSync()[0]! / 24,
    );
    batch.input.dispose();
    expect(perCloud).toBeLessThan(losses[0]!);

    const features = await extractFeatures(model, ds, { batchSize: 5, reconstructions: true });
    expect(features.ids).toEqual(ids);
    expect(features.numFeatures).toBe(16);
    expect(features.features).toHaveLength(24 * 16);
    expect(features.reconstructionShape).toEqual([24, 64, 3]);
    expect(features.reconstructions).toHaveLength(24 * 64 * 3);
    expect(model.training).toBe(true);
    const accuracy = looAccuracy(features);
    console.log(
      `tiny autoencoder: loss ${losses[0]!.toFixed(4)} → ${losses.at(-1)!.toFixed(4)}, 1-NN family accuracy ${accuracy.toFixed(3)} (chance 0.25)`,
    );
    expect(accuracy).toBeGreaterThan(0.6);
    model.dispose();
  });

  it('resumes exactly through trainAutoencoder', async () => {
    const ds = await dataset(64);
    const opts = { batchSize: 8, lr: 3e-3, seed: 2, lrDecay: 0.9 };
    const full = new TinyPointAutoencoder(4, 16);
    const r2 = await trainAutoencoder(full, ds, { ...opts, epochs: 2, logPath: false });
    const part = new TinyPointAutoencoder(4, 16);
    await trainAutoencoder(part, ds, { ...opts, epochs: 1, checkpointDir: join(root, 'resume') });
    part.dispose();
    const resumed = new TinyPointAutoencoder(4, 16, 77);
    const rest = await trainAutoencoder(resumed, ds, {
      ...opts,
      epochs: 2,
      checkpointDir: join(root, 'resume'),
      resume: true,
    });
    expect(rest.history[0]!.loss).toBe(r2.history[1]!.loss);
    const a = full.stateDict();
    for (const [k, v] of resumed.stateDict()) expect(v.data).toEqual(a.get(k)!.data);
    full.dispose();
    resumed.dispose();
  });

  it("trains with the model's reconstruction loss by default, the same bits as 'sum'", async () => {
    const ds = await dataset(32);
    const opts = { epochs: 2, batchSize: 8, lr: 3e-3, seed: 4, logPath: false as const };
    const byDefault = new TinyPointAutoencoder(4, 16);
    const bySum = new TinyPointAutoencoder(4, 16);
    const a = await trainAutoencoder(byDefault, ds, { ...opts, loss: undefined, lr: opts.lr });
    const b = await trainAutoencoder(bySum, ds, { ...opts, loss: 'sum' });
    expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
    const sb = bySum.stateDict();
    for (const [k, v] of byDefault.stateDict()) expect(v.data).toEqual(sb.get(k)!.data);
    const extended = await trainAutoencoder(new TinyPointAutoencoder(4, 16), ds, {
      ...opts,
      loss: 'extended',
    });
    expect(extended.history[0]!.loss).not.toBe(a.history[0]!.loss);
    byDefault.dispose();
    bySum.dispose();
  });

  it('keeps the Adam defaults of the engine for options given as undefined', async () => {
    const ds = await dataset(16);
    const model = new TinyPointAutoencoder(2, 4);
    const seen: number[] = [];
    await trainAutoencoder(model, ds, {
      epochs: 1,
      lr: undefined,
      weightDecay: undefined,
      batchSize: undefined,
      logPath: false,
      onProgress: (e) => {
        if (e.phase === 'epoch' && e.metrics?.lr !== undefined) seen.push(e.metrics.lr);
      },
    });
    expect(seen).toEqual([DEFAULT_ADAM_OPTIONS.lr]);
    expect(DEFAULT_TRAIN_AUTOENCODER_OPTIONS.lr).toBe(DEFAULT_ADAM_OPTIONS.lr);
    expect(DEFAULT_TRAIN_AUTOENCODER_OPTIONS.weightDecay).toBe(DEFAULT_ADAM_OPTIONS.weightDecay);
    model.dispose();
  });

  it('extracts features of an Encoder without a decoder; reconstructions decode them', async () => {
    const ds = await dataset(32);
    const model = new TinyPointAutoencoder(4, 8, 3);
    const encoderOnly = {
      family: model.family,
      numFeatures: model.numFeatures,
      get training() {
        return model.training;
      },
      encode: (x: tf.Tensor) => model.encode(x),
      namedParameters: () => model.namedParameters(),
      stateDict: () => model.stateDict(),
      loadStateDict: (state: StateDict) => model.loadStateDict(state),
      train(mode = true) {
        model.train(mode);
        return this;
      },
      eval() {
        return this.train(false);
      },
      config: () => model.config(),
      dispose: () => model.dispose(),
    };
    const plain = await extractFeatures(encoderOnly, ds, { batchSize: 4 });
    const full = await extractFeatures(model, ds, { batchSize: 5, reconstructions: true });
    expect(plain.features).toEqual(full.features);
    expect(plain.ids).toEqual(ids);
    expect(plain.metadata).toEqual(families.map((family) => ({ family })));
    expect(plain.reconstructions).toBeUndefined();
    // The reconstructions are those of a forward pass, batch by batch.
    const batch = (await ds.batches({ batchSize: 24 }).next()).value!;
    const direct = tf.tidy(() => model.decode(model.encode(batch.input)).dataSync());
    batch.input.dispose();
    expect(full.reconstructions).toEqual(direct);
    await expect(extractFeatures(encoderOnly, ds, { reconstructions: true })).rejects.toThrow(
      /'model' must be an Autoencoder \(decode\) for reconstructions/,
    );
    model.dispose();
  });

  it('reports a checkpoint of another architecture', async () => {
    const ds = await dataset(64);
    const other = new TinyPointAutoencoder(6, 16);
    await expect(
      trainAutoencoder(other, ds, { epochs: 3, resume: join(root, 'resume', 'last.ckpt') }),
    ).rejects.toThrow(IncompatibleError);
    other.dispose();
  });
});

describe('featuresToCsv / writeFeaturesCsv', () => {
  const result: FeaturesResult = {
    ids: ['c1', 'c,2'],
    metadata: [
      { Treatment: 'DMSO', id: 'x' },
      { Treatment: 'Blebb "10"', plate: 3 },
    ],
    features: Float32Array.from([0.1, -2.5e-8, 3, 1 / 3]),
    numFeatures: 2,
  };

  it('writes one row per cell: id, metadata columns, f0..fF-1, float32 exact', async () => {
    const text = featuresToCsv(result);
    const table = parseCsv(text);
    const [columns, rows] = [table.header, csvRecords(table)];
    expect(columns).toEqual(['id', 'Treatment', 'metadata.id', 'plate', 'f0', 'f1']);
    expect(rows[1]).toMatchObject({
      id: 'c,2',
      Treatment: 'Blebb "10"',
      plate: '3',
      'metadata.id': '',
    });
    const back = Float32Array.from(rows.flatMap((r) => [Number(r.f0), Number(r.f1)]));
    expect(back).toEqual(result.features);
    expect(rows[0]!.f0).toBe('0.1');
    const path = join(root, 'out', 'features.csv');
    await writeFeaturesCsv(path, result);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('rejects invalid input', async () => {
    expect(() => featuresToCsv({ ...result, numFeatures: 3 })).toThrow(/'result.features' must be/);
    expect(() => featuresToCsv({ ...result, metadata: [] })).toThrow(/'result.metadata'/);
    expect(() => featuresToCsv(null as unknown as FeaturesResult)).toThrow(InvalidArgumentError);
    await expect(writeFeaturesCsv('', result)).rejects.toThrow(/'path'/);
  });
});

describe('with the DGCNN CloudAutoEncoder (tiny configuration)', () => {
  it('trains a step, checkpoints, extracts features and refuses another architecture', async () => {
    const ds = await PointCloudDataset.fromArrays(clouds.slice(0, 4), {
      numPoints: 32,
      normalise: 'unitSphere',
    });
    const model = new CloudAutoEncoder({ numFeatures: 8, k: 4, numSourcePoints: 16, seed: 0 });
    const dir = join(root, 'dgcnn');
    const before = tf.memory().numTensors;
    const result = await trainAutoencoder(model, ds, {
      epochs: 1,
      batchSize: 4,
      checkpointDir: dir,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.step).toBe(1);
    expect(Number.isFinite(result.loss) && result.loss > 0).toBe(true);
    const features = await extractFeatures(model, ds, { reconstructions: true });
    expect(features.numFeatures).toBe(8);
    expect(features.reconstructionShape).toEqual([4, 16, 3]);
    expect(features.features.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const wider = new CloudAutoEncoder({ numFeatures: 16, k: 4, numSourcePoints: 16, seed: 0 });
    await expect(
      trainAutoencoder(wider, ds, { epochs: 2, batchSize: 4, resume: join(dir, 'last.ckpt') }),
    ).rejects.toThrow(IncompatibleError);
    wider.dispose();
    model.dispose();
  });
});

describe('invalid input', () => {
  it('trainAutoencoder names the bad argument', async () => {
    const ds = await dataset(16);
    const model = new TinyPointAutoencoder(2, 4);
    await expect(trainAutoencoder({} as Autoencoder, ds)).rejects.toThrow(
      /'model' must be an Autoencoder/,
    );
    await expect(trainAutoencoder(model, [] as unknown as PointCloudDataset)).rejects.toThrow(
      "trainAutoencoder: 'dataset' must be an object, got []",
    );
    await expect(trainAutoencoder(model, ds, { batchSize: 0 })).rejects.toThrow(
      /'options.batchSize'/,
    );
    await expect(trainAutoencoder(model, ds, { epochs: 1.5 })).rejects.toThrow(/'options.epochs'/);
    await expect(trainAutoencoder(model, ds, { lr: -1 })).rejects.toThrow(/'options.lr'/);
    await expect(trainAutoencoder(model, ds, { betas: [1, 0.9] })).rejects.toThrow(
      /'options.betas'/,
    );
    await expect(trainAutoencoder(model, ds, { loss: 'mean' as unknown as 'sum' })).rejects.toThrow(
      /'options.loss' must be 'model', 'sum' or 'extended'/,
    );
    model.dispose();
  });

  it('extractFeatures names the bad argument', async () => {
    const ds = await dataset(16);
    const model = new TinyPointAutoencoder(2, 4);
    await expect(extractFeatures({} as Autoencoder, ds)).rejects.toThrow(/'model'/);
    await expect(extractFeatures(model, {} as PointCloudDataset)).rejects.toThrow(
      "extractFeatures: 'dataset.length' must be an integer ≥ 0, got undefined",
    );
    await expect(extractFeatures(model, ds, { batchSize: -2 })).rejects.toThrow(
      /'options.batchSize'/,
    );
    model.dispose();
  });
});
