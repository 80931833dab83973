import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncompatibleError, InvalidArgumentError, type NdArray } from '@cellshape/core';
import { type Dataset, type DatasetBatch, trainLoop } from '@cellshape/engine';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayDataset } from './array-dataset.js';
import { idecResultToCsv, writeIdecCsv } from './idec-csv.js';
import type { TrainIdecOptions } from './idec-options.js';
import { kmeans } from './kmeans.js';
import { adjustedRandIndex } from './metrics/adjusted-rand-index.js';
import { hardLabels, klDivergence, softAssignment, targetDistribution } from './soft-assignment.js';
import { gaussianBlobs } from './test-utils/blobs.js';
import { maxAbsDiff } from './test-utils/fixtures.js';
import { LinearAutoencoder, mse } from './test-utils/linear-autoencoder.js';
import { trainIdec } from './train-idec.js';

const tmp = mkdtempSync(join(tmpdir(), 'cellshape-idec-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const blobs = gaussianBlobs({ k: 3, perCluster: 40, dim: 4, spread: 4, std: 2.5, seed: 11 });
const samples: NdArray<Float32Array> = { data: blobs.points.data, shape: [120, 4] };
const base: TrainIdecOptions = {
  numClusters: 3,
  reconstructionLoss: mse,
  gamma: 1,
  epochs: 30,
  batchSize: 16,
  adam: { lr: 1e-2 },
  updateUnit: 'step',
  updateInterval: 5,
  kmeansRestarts: 10,
  // `mse` is a mean over the batch: reduce the KL term alike.
  clusteringReduction: 'mean',
};

/**
 * A linear autoencoder with a batch-norm-like input centring: in training mode it centres each
 * batch by its own mean and moves a running mean towards it (momentum 0.5); in evaluation mode
 * it centres by the running mean and leaves it alone.
 */
class CentringAutoencoder extends LinearAutoencoder {
  readonly runningMean: Float32Array;

  constructor(inputSize: number, numFeatures: number, seed: number, mean: Float32Array) {
    super(inputSize, numFeatures, seed);
    this.runningMean = Float32Array.from(mean);
  }

  override encode(input: tf.Tensor): tf.Tensor2D {
    if (!this.training) return super.encode(tf.sub(input, tf.tensor1d(this.runningMean)));
    const batchMean = tf.mean(input, 0);
    const m = batchMean.dataSync();
    for (let c = 0; c < m.length; c++)
      this.runningMean[c] = 0.5 * this.runningMean[c]! + 0.5 * m[c]!;
    return super.encode(tf.sub(input, batchMean));
  }
}

describe('trainIdec', () => {
  it('clusters a Gaussian mixture at least as well as k-means, trains the centres, stops by tolerance', async () => {
    const before = tf.memory().numTensors;
    const km = kmeans(blobs.points, 3, { seed: 0, restarts: 10 });
    const updates: number[] = [];
    const result = await trainIdec(new LinearAutoencoder(4, 4, 1), arrayDataset(samples), {
      ...base,
      onUpdate: (u) => updates.push(u.step),
    });
    const ariKmeans = adjustedRandIndex(km.labels, blobs.labels);
    const ariIdec = adjustedRandIndex(result.labels, blobs.labels);
    console.log(
      `IDEC on 3 Gaussian blobs: ARI k-means ${ariKmeans.toFixed(4)}, IDEC ${ariIdec.toFixed(4)}; ` +
        `${result.training.step} steps, ${result.updates.length} updates, stop: ${result.training.stopped?.reason}`,
    );
    expect(ariIdec).toBeGreaterThanOrEqual(ariKmeans);
    // The centres really train.
    expect(maxAbsDiff(result.centres.data, result.initialCentres.data)).toBeGreaterThan(1e-2);
    // The stopping rule fired before the 30 epochs, at an update (every 5 steps).
    expect(result.converged).toBe(true);
    expect(result.training.stopped?.reason).toMatch(/label change .* < tolerance 0.001/);
    expect(result.training.epochs).toBeLessThan(30);
    expect(updates.every((s) => s % 5 === 0)).toBe(true);
    expect(result.updates[0]!.labelChange).toBeNull();
    expect(result.updates.at(-1)!.labelChange!).toBeLessThan(0.001);
    for (const u of result.updates) expect(u.clusterSizes.reduce((a, b) => a + b)).toBe(120);
    // How far features and centres moved between updates: none at the first; the centres' path
    // is at least as long as the distance they travelled (rms over rows is a norm).
    expect(result.updates[0]).toMatchObject({ featureShift: null, centreShift: null });
    const later = result.updates.slice(1);
    for (const u of later) expect(u.featureShift! >= 0 && u.centreShift! >= 0).toBe(true);
    let travelled = 0;
    for (let i = 0; i < result.centres.data.length; i++)
      travelled += (result.centres.data[i]! - result.initialCentres.data[i]!) ** 2;
    travelled = Math.sqrt(travelled / 3);
    const path = later.reduce((sum, u) => sum + u.centreShift!, 0);
    expect(path).toBeGreaterThanOrEqual(travelled * (1 - 1e-9));
    expect(travelled).toBeGreaterThan(0);
    // Outputs per cell, consistent with each other.
    expect(result.ids).toEqual(Array.from({ length: 120 }, (_, i) => String(i)));
    expect(result.q.shape).toEqual([120, 3]);
    expect(Array.from(hardLabels(result.q))).toEqual(Array.from(result.labels));
    const q = softAssignment(result.features, result.centres);
    expect(maxAbsDiff(q.data, result.q.data)).toBe(0);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains the centres at centreLrScale × lr: one Adam step moves each coordinate by that much; 0 freezes them', async () => {
    const oneStep = {
      ...base,
      epochs: 1,
      batchSize: 120,
      adam: { lr: 1e-4 },
      logPath: false as const,
    };
    for (const scale of [100, 7, 0]) {
      const result = await trainIdec(new LinearAutoencoder(4, 4, 1), arrayDataset(samples), {
        ...oneStep,
        centreLrScale: scale,
      });
      expect(result.training.step).toBe(1);
      // Adam's first step is lr · g / (|g| + eps): lr per coordinate whatever the gradient.
      for (let i = 0; i < result.centres.data.length; i++) {
        const moved = Math.abs(result.centres.data[i]! - result.initialCentres.data[i]!);
        expect(moved).toBeCloseTo(1e-4 * scale, 5);
      }
      result.model.dispose();
    }
    // Frozen centres over several updates: the features move, the centres do not.
    const frozen = await trainIdec(new LinearAutoencoder(4, 4, 1), arrayDataset(samples), {
      ...base,
      centreLrScale: 0,
      epochs: 3,
      updateUnit: 'epoch',
      updateInterval: 1,
      tolerance: 0,
      logPath: false,
    });
    expect(frozen.updates).toHaveLength(3);
    for (const u of frozen.updates.slice(1)) {
      expect(u.centreShift).toBe(0);
      expect(u.featureShift).toBeGreaterThan(0);
    }
    frozen.model.dispose();
    await expect(
      trainIdec(new LinearAutoencoder(4, 4, 1), arrayDataset(samples), {
        ...oneStep,
        centreLrScale: -1,
      }),
    ).rejects.toThrow(/trainIdec: 'options.centreLrScale' must be a finite number ≥ 0/);
  });

  it('looks targets up by sample index: shuffled batches and the last partial batch get their own rows of P', async () => {
    const n = 10;
    const sub: NdArray<Float32Array> = { data: samples.data.slice(0, n * 4), shape: [n, 4] };
    const ae = new LinearAutoencoder(4, 4, 2);
    const kl: number[] = [];
    const result = await trainIdec(ae, arrayDataset(sub), {
      ...base,
      epochs: 1,
      batchSize: 4,
      clusteringReduction: 'sum',
      adam: { lr: 0, weightDecay: 0 }, // nothing moves: every step sees the initial P and q
      onProgress: (e) => {
        if (e.phase === 'batch') kl.push(e.metrics!.clustering!);
      },
    });
    const q0 = softAssignment(result.features, result.initialCentres);
    const p0 = targetDistribution(q0);
    const order = [
      ...arrayDataset(sub).batches({
        batchSize: 4,
        shuffle: true,
        seed: 0,
        epoch: 0,
        dropLast: false,
      }),
    ];
    expect(order.map((b) => b.indices.length)).toEqual([4, 4, 2]);
    order.forEach((b, i) => {
      b.input.dispose();
      const rows = (m: { data: Float64Array }) => ({
        data: Float64Array.from(b.indices.flatMap((r) => [...m.data.subarray(r * 3, r * 3 + 3)])),
        shape: [b.indices.length, 3] as [number, number],
      });
      // 'sum': the batch-mean KL times the batch's own size (2 for the last batch).
      expect(kl[i]).toBeCloseTo(b.indices.length * klDivergence(rows(p0), rows(q0)), 5);
    });
    expect(new Set(order.flatMap((b) => b.indices)).size).toBe(n);
    result.model.dispose();
  });

  it('with γ = 0 is plain autoencoder training (same weights as trainLoop on the autoencoder)', async () => {
    const opts = { ...base, gamma: 0, epochs: 2, tolerance: 0, resampleEachEpoch: true };
    const result = await trainIdec(new LinearAutoencoder(4, 4, 3), arrayDataset(samples), opts);
    const plain = new LinearAutoencoder(4, 4, 3);
    const dataset = arrayDataset(samples);
    await trainLoop({
      module: plain,
      epochs: 2,
      seed: 0,
      adam: { lr: 1e-2 },
      data: (epoch) =>
        dataset.batches({ batchSize: 16, shuffle: true, seed: 0, epoch, dropLast: false }),
      loss: (_m, batch: DatasetBatch) => mse(batch.input, plain.decode(plain.encode(batch.input))),
    });
    const a = result.model.autoencoder.stateDict();
    for (const [key, value] of plain.stateDict())
      expect(Array.from(a.get(key)!.data as Float32Array)).toEqual(
        Array.from(value.data as Float32Array),
      );
    expect(Array.from(result.centres.data)).toEqual(Array.from(result.initialCentres.data));
    result.model.dispose();
    plain.dispose();
  });

  it('checkpoints and resumes to the same result as an uninterrupted run', async () => {
    const dir = join(tmp, 'resume');
    const opts = { ...base, updateUnit: 'epoch' as const, updateInterval: 1, tolerance: 0 };
    const first = await trainIdec(new LinearAutoencoder(4, 4, 4), arrayDataset(samples), {
      ...opts,
      epochs: 2,
      checkpointDir: dir,
    });
    first.model.dispose();
    const resumed = await trainIdec(new LinearAutoencoder(4, 4, 4), arrayDataset(samples), {
      ...opts,
      epochs: 4,
      checkpointDir: dir,
      resume: true,
    });
    const straight = await trainIdec(new LinearAutoencoder(4, 4, 4), arrayDataset(samples), {
      ...opts,
      epochs: 4,
    });
    expect(resumed.training.epochs).toBe(4);
    expect(Array.from(resumed.centres.data)).toEqual(Array.from(straight.centres.data));
    expect(Array.from(resumed.features.data)).toEqual(Array.from(straight.features.data));
    expect(Array.from(resumed.labels)).toEqual(Array.from(straight.labels));
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    // The resumed call's updates (epochs 2, 3) match the straight run's, except that the first
    // after the resume has no shifts (the previous features are not in the checkpoint).
    const tail = straight.updates.slice(-2);
    expect(resumed.updates.map((u) => u.labelChange)).toEqual(tail.map((u) => u.labelChange));
    expect(resumed.updates[0]).toMatchObject({ featureShift: null, centreShift: null });
    expect(resumed.updates[1]!.centreShift).toBe(tail[1]!.centreShift);
    // updates.jsonl: the first call's two updates, then the resumed call's two, appended.
    const logged = readFileSync(join(dir, 'updates.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logged.map((u) => u.epoch)).toEqual([0, 1, 2, 3]);
    expect(logged[0]).toMatchObject({
      labelChange: null,
      featureShift: null,
      reconstruction: null,
    });
    expect(logged.slice(2)).toEqual(JSON.parse(JSON.stringify(resumed.updates)));
    resumed.model.dispose();
    straight.model.dispose();
  });

  it('writes the per-cell CSV', async () => {
    const result = await trainIdec(new LinearAutoencoder(4, 4, 5), arrayDataset(samples), {
      ...base,
      epochs: 1,
    });
    const csv = idecResultToCsv(result, {
      metadata: result.ids.map((id) => ({ well: `w${id}`, label: 'x' })),
    });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('id,well,metadata.label,label,q0,q1,q2,f0,f1,f2,f3');
    expect(lines).toHaveLength(121);
    const cells = lines[1]!.split(',');
    expect(Number(cells[3])).toBe(result.labels[0]);
    expect(Number(cells[4])).toBe(result.q.data[0]);
    expect(Math.fround(Number(cells[7]))).toBe(result.features.data[0]);
    const path = join(tmp, 'out', 'cells.csv');
    await writeIdecCsv(path, result, { features: false });
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('id,label,q0,q1,q2');
    expect(() => idecResultToCsv(result, { metadata: [] })).toThrow(/120 rows/);
    result.model.dispose();
  });

  it('encodes every pass at dataset epoch 0 and trains on one view unless resampleEachEpoch', async () => {
    const calls: Array<{ shuffle: boolean; seed: number; epoch: number }> = [];
    const inner = arrayDataset(samples);
    const recording: Dataset = {
      ...inner,
      batches: (o) => {
        calls.push({ shuffle: o.shuffle, seed: o.seed, epoch: o.epoch });
        return inner.batches(o);
      },
    };
    const opts = {
      ...base,
      seed: 5,
      epochs: 3,
      tolerance: 0,
      updateUnit: 'epoch' as const,
      updateInterval: 1,
    };
    await trainIdec(new LinearAutoencoder(4, 4, 1), recording, opts);
    // Passes: k-means, P before epochs 1 and 2, final — all at epoch 0, unshuffled.
    expect(calls.filter((c) => !c.shuffle).map((c) => c.epoch)).toEqual([0, 0, 0, 0]);
    // Training: one fixed view (epoch 0), a new order per epoch through the seed.
    expect(calls.filter((c) => c.shuffle)).toEqual([
      { shuffle: true, seed: 5, epoch: 0 },
      { shuffle: true, seed: 6, epoch: 0 },
      { shuffle: true, seed: 7, epoch: 0 },
    ]);
    calls.length = 0;
    await trainIdec(new LinearAutoencoder(4, 4, 1), recording, {
      ...opts,
      resampleEachEpoch: true,
    });
    expect(calls.filter((c) => !c.shuffle).map((c) => c.epoch)).toEqual([0, 0, 0, 0]);
    expect(calls.filter((c) => c.shuffle).map((c) => [c.seed, c.epoch])).toEqual([
      [5, 0],
      [5, 1],
      [5, 2],
    ]);
  });

  it("autoencoderMode 'eval' keeps batch statistics fixed: with nothing learnt no label changes", async () => {
    // lr 0: the weights and centres stay put, only the running statistics could move.
    const run = async (autoencoderMode: 'eval' | 'train') => {
      const ae = new CentringAutoencoder(4, 4, 3, new Float32Array(4));
      const result = await trainIdec(ae, arrayDataset(samples), {
        ...base,
        autoencoderMode,
        epochs: 4,
        updateUnit: 'epoch',
        updateInterval: 1,
        adam: { lr: 0, weightDecay: 0 },
      });
      const mean = Array.from(ae.runningMean);
      const changes = result.updates.slice(1).map((u) => u.labelChange!);
      const trainingAfter = ae.training;
      result.model.dispose();
      return { result, mean, changes, trainingAfter };
    };
    const frozen = await run('eval');
    expect(frozen.mean).toEqual([0, 0, 0, 0]);
    expect(frozen.changes).toEqual([0]);
    expect(frozen.result.converged).toBe(true);
    expect(frozen.trainingAfter).toBe(true);
    const batch = await run('train');
    expect(batch.mean.some((m) => m !== 0)).toBe(true);
    expect(batch.changes[0]!).toBeGreaterThan(0.001);
    expect(batch.result.converged).toBe(false);
  });

  it("uses the autoencoder's own reconstruction loss by default; an explicit undefined keeps every default", async () => {
    const opts = { ...base, epochs: 2, tolerance: 0, logPath: false as const };
    const given = await trainIdec(new LinearAutoencoder(4, 4, 7), arrayDataset(samples), opts);
    const { reconstructionLoss: _, ...withoutLoss } = opts;
    const unset = await trainIdec(new LinearAutoencoder(4, 4, 7), arrayDataset(samples), {
      ...withoutLoss,
      reconstructionLoss: undefined,
      alpha: undefined,
      seed: undefined,
      centreLrScale: undefined,
      adam: { lr: 1e-2, weightDecay: undefined },
    });
    expect(unset.training.step).toBe(given.training.step);
    expect(Array.from(unset.features.data)).toEqual(Array.from(given.features.data));
    expect(Array.from(unset.centres.data)).toEqual(Array.from(given.centres.data));
    expect(unset.updates).toEqual(given.updates);
    given.model.dispose();
    unset.model.dispose();
  });

  describe('rejects bad input', () => {
    const ae = new LinearAutoencoder(4, 4, 6);
    const ds = arrayDataset(samples);
    afterAll(() => ae.dispose());

    it('K > cells, α ≤ 0, bad options', async () => {
      await expect(trainIdec(ae, ds, { ...base, numClusters: 121 })).rejects.toThrow(
        /at most the number of cells \(120\)/,
      );
      await expect(trainIdec(ae, ds, { ...base, alpha: 0 })).rejects.toThrow(/'alpha' must be/);
      await expect(trainIdec(ae, ds, { ...base, gamma: -1 })).rejects.toThrow(InvalidArgumentError);
      await expect(
        trainIdec(ae, ds, { ...base, resampleEachEpoch: 1 as unknown as boolean }),
      ).rejects.toThrow(/'options.resampleEachEpoch' must be a boolean/);
      await expect(trainIdec(ae, ds, { ...base, updateUnit: 'batch' as 'step' })).rejects.toThrow(
        /updateUnit/,
      );
      await expect(trainIdec(ae, ds, { ...base, updateLogPath: '' })).rejects.toThrow(
        /'options.updateLogPath' must be a file path or false/,
      );
      await expect(
        trainIdec(ae, ds, { ...base, clusteringReduction: 'batchmean' as 'mean' }),
      ).rejects.toThrow(/'options.clusteringReduction' must be 'sum' or 'mean'/);
      await expect(
        trainIdec(ae, ds, { ...base, autoencoderMode: 'frozen' as 'eval' }),
      ).rejects.toThrow(/'options.autoencoderMode' must be 'eval' or 'train'/);
      await expect(
        trainIdec(ae, ds, { ...base, reconstructionLoss: 'mse' as unknown as typeof mse }),
      ).rejects.toThrow(/'options.reconstructionLoss' must be a function/);
      await expect(
        trainIdec(ae, ds, { ...base, centres: { data: new Float32Array(8), shape: [2, 4] } }),
      ).rejects.toThrow(/'options.centres' must be to have 3 rows/);
      await expect(trainIdec({} as LinearAutoencoder, ds, base)).rejects.toThrow(/autoencoder/);
      // An Encoder with a decoder but no reconstruction loss is not an Autoencoder.
      const noLoss = Object.assign(Object.create(ae), { reconstructionLoss: undefined });
      await expect(trainIdec(noLoss, ds, base)).rejects.toThrow(
        /'autoencoder' must be an Autoencoder \(encode, decode, reconstructionLoss/,
      );
    });

    it('NaN features', async () => {
      const bad = samples.data.slice();
      bad[9] = Number.NaN;
      await expect(
        trainIdec(ae, arrayDataset({ data: bad, shape: [120, 4] }), base),
      ).rejects.toThrow(/features of sample "2" are not finite/);
    });

    it('a dataset whose order changes between passes (detected by id)', async () => {
      // A dataset whose first two cells trade places after the first pass.
      const unstable = (): Dataset => {
        let passes = 0;
        const inner = arrayDataset(samples);
        const swap = (id: string) => (id === '0' ? '1' : id === '1' ? '0' : id);
        return {
          ...inner,
          get ids() {
            return passes > 1 ? inner.ids.map(swap) : inner.ids;
          },
          *batches(options) {
            const swapped = passes++ > 0;
            for (const b of inner.batches(options))
              yield swapped ? { ...b, ids: b.ids.map(swap) } : b;
          },
        };
      };
      await expect(trainIdec(ae, unstable(), base)).rejects.toThrow(IncompatibleError);
      await expect(trainIdec(ae, unstable(), base)).rejects.toThrow(
        /order changed: index [01] was "[01]"/,
      );
    });

    it('mismatched batch lengths', async () => {
      const inner = arrayDataset(samples);
      const broken: Dataset = {
        ...inner,
        *batches(options) {
          for (const b of inner.batches(options)) yield { ...b, ids: b.ids.slice(1) };
        },
      };
      await expect(trainIdec(ae, broken, base)).rejects.toThrow(/equally long 'indices' and 'ids'/);
      const short: Dataset = {
        length: 121,
        ids: [...inner.ids, '120'],
        metadata: [...inner.metadata, {}],
        batches: (options) => inner.batches(options),
      };
      await expect(trainIdec(ae, short, base)).rejects.toThrow(/all 121 indices/);
    });
  });
});
