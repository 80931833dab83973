import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { adjustedRandIndex } from '@cellshape/cluster';
import {
  checkInteger,
  createRng,
  csvRecords,
  epochOrder,
  type Metadata,
  parseCsv,
  withDefaults,
} from '@cellshape/core';
import {
  type Autoencoder,
  type DatasetBatch,
  type DatasetBatchOptions,
  Linear,
  loadCheckpoint,
  ModuleState,
  type StateArray,
  type StateDict,
  selectBackend,
  trainLoop,
} from '@cellshape/engine';
import { LinearTestEncoder } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../report/index.js';
import { tempDir } from '../test-utils/fixtures.js';
import { extractRun } from './extract-run.js';
import type { ModelPlugin, RunDataset } from './model-plugin.js';
import { modelNames, modelPlugin, registerModel, unregisterModel } from './model-registry.js';
import { trainRun } from './train-run.js';

// Everything below the line is test code only: two model families that have nothing to do with
// point clouds — a dense autoencoder and a fixed-projection encoder on flat vectors stored as
// one-line CSV files — registered and run through the whole run layer with no edit elsewhere.

/** A flat-vector dataset: every `.csv` file under a folder holds one row of D numbers. */
class VectorDataset implements RunDataset {
  readonly skipped = [];
  constructor(
    readonly ids: string[],
    readonly metadata: Metadata[],
    private readonly rows: Float32Array[],
  ) {}

  get length() {
    return this.rows.length;
  }

  *batches(o: DatasetBatchOptions): Iterable<DatasetBatch> {
    const order = Array.from(epochOrder(this.length, o));
    const end = o.dropLast ? this.length - (this.length % o.batchSize) : this.length;
    for (let start = 0; start < end; start += o.batchSize) {
      const indices = order.slice(start, Math.min(start + o.batchSize, end));
      const rows = indices.map((i) => Array.from(this.rows[i]!));
      yield { ids: indices.map((i) => this.ids[i]!), indices, input: tf.tensor2d(rows) };
    }
  }

  static async open(dir: string, metadataCsv: string | undefined, idColumn: string) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort();
    const ids = files.map((f) => basename(f, '.csv'));
    const rows = await Promise.all(
      files.map(async (f) =>
        Float32Array.from((await readFile(join(dir, f), 'utf8')).trim().split(',').map(Number)),
      ),
    );
    const table = metadataCsv ? csvRecords(parseCsv(await readFile(metadataCsv, 'utf8'))) : [];
    const byId = new Map(table.map((row) => [row[idColumn], row]));
    return new VectorDataset(
      ids,
      ids.map((id) => ({ ...(byId.get(id) ?? {}) })),
      rows,
    );
  }
}

/**
 * A dense autoencoder on flat vectors, built from the engine's blocks: two `Linear` layers whose
 * PyTorch state dict (`encoder.weight`, `encoder.bias`, `decoder.*`) comes from `ModuleState`.
 */
class DenseAutoencoder implements Autoencoder {
  readonly family = 'dense-test';
  training = true;
  private readonly encoder: Linear;
  private readonly decoder: Linear;
  private readonly state: ModuleState;

  constructor(
    readonly inputSize: number,
    readonly numFeatures: number,
    seed: number,
  ) {
    const rng = createRng(seed);
    this.encoder = new Linear(rng, { inFeatures: inputSize, outFeatures: numFeatures });
    this.decoder = new Linear(rng, { inFeatures: numFeatures, outFeatures: inputSize });
    this.state = new ModuleState('DenseAutoencoder', [
      ...this.encoder.stateEntries('encoder'),
      ...this.decoder.stateEntries('decoder'),
    ]);
  }

  encode(input: tf.Tensor): tf.Tensor2D {
    return this.encoder.forward(input) as tf.Tensor2D;
  }
  decode(features: tf.Tensor): tf.Tensor {
    return this.decoder.forward(features);
  }
  reconstructionLoss(input: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar {
    return tf.sum(tf.squaredDifference(input, reconstruction));
  }
  namedParameters() {
    return this.state.namedParameters();
  }
  stateDict(): StateDict {
    return this.state.stateDict();
  }
  loadStateDict(state: StateDict | Record<string, StateArray>): void {
    this.state.loadStateDict(state);
  }
  train(mode = true): this {
    this.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  config() {
    return { inputSize: this.inputSize, numFeatures: this.numFeatures };
  }
  dispose(): void {
    this.state.dispose();
  }
}

/** An encoder without a decoder (as a pretrained embedding network): a seeded random projection. */
function projection(settings: VectorSettings, seed: number): LinearTestEncoder {
  const rng = createRng(seed);
  const weight = Array.from({ length: settings.inputSize }, () =>
    Array.from({ length: settings.features }, () => rng.normal(0, 0.3)),
  );
  return new LinearTestEncoder('projection-test', weight);
}

type VectorSettings = { inputSize: number; features: number };

/** A family on flat vectors: how it builds a model, rebuilds it from its config, and pretrains. */
function vectorPlugin(
  name: string,
  family: Pick<
    ModelPlugin<VectorSettings>,
    'createModel' | 'modelFromConfig' | 'architecture' | 'pretrain'
  >,
): ModelPlugin<VectorSettings> {
  return {
    name,
    description: `${name}: flat vectors`,
    input: 'folder of one-line .csv vectors',
    defaults: { inputSize: 6, features: 3 },
    flags: [{ key: 'inputSize', value: '<n>', description: 'vector length', parse: Number }],
    resolveSettings(settings) {
      const s = withDefaults(name, this.defaults, settings) as Record<string, unknown>;
      const inputSize = checkInteger(name, 'inputSize', s.inputSize, { min: 1 });
      return { inputSize, features: checkInteger(name, 'features', s.features, { min: 1 }) };
    },
    openDataset: (input, { metadata, idColumn }) => VectorDataset.open(input, metadata, idColumn),
    ...family,
  };
}

const denseFamily = vectorPlugin('dense-test', {
  createModel: (s, seed) => new DenseAutoencoder(s.inputSize, s.features, seed),
  modelFromConfig: (c) => new DenseAutoencoder(Number(c.inputSize), Number(c.numFeatures), 0),
  architecture: (c) => ({ inputSize: c.inputSize, features: c.numFeatures }),
  pretrain: (model, dataset, o) =>
    trainLoop({
      module: model,
      epochs: o.epochs,
      seed: o.seed,
      adam: { lr: o.lr, weightDecay: o.weightDecay },
      checkpointDir: o.checkpointDir,
      resume: o.resume,
      data: (epoch) =>
        dataset.batches({
          batchSize: o.batchSize,
          shuffle: true,
          seed: o.seed,
          epoch,
          dropLast: false,
        }),
      loss: (m, batch: DatasetBatch) => {
        const ae = m as DenseAutoencoder;
        return ae.reconstructionLoss(batch.input, ae.decode(ae.encode(batch.input)));
      },
    }),
});
const projectionFamily = vectorPlugin('projection-test', {
  createModel: projection,
  modelFromConfig: (c) =>
    new LinearTestEncoder('projection-test', c.weight as number[][], Number(c.bias)),
  architecture: (c) => {
    const weight = c.weight as number[][];
    return { inputSize: weight.length, features: weight[0]?.length };
  },
});

/** Three well-separated groups of 6-D vectors, 8 each, and a metadata CSV naming the group. */
async function writeVectors(
  dir: string,
): Promise<{ input: string; metadata: string; truth: Map<string, number> }> {
  const rng = createRng(3);
  const input = join(dir, 'vectors');
  await mkdir(input, { recursive: true });
  const rows = ['serialNumber,Group'];
  const truth = new Map<string, number>();
  for (let g = 0; g < 3; g++)
    for (let i = 0; i < 8; i++) {
      const id = `g${g}_${i}`;
      const v = Array.from({ length: 6 }, (_, d) => (d % 3 === g ? 4 : 0) + rng.normal(0, 0.2));
      await writeFile(join(input, `${id}.csv`), `${v.join(',')}\n`);
      rows.push(`${id},G${g}`);
      truth.set(id, g);
    }
  const metadata = join(dir, 'groups.csv');
  await writeFile(metadata, `${rows.join('\n')}\n`);
  return { input, metadata, truth };
}

/** The ARI of the `cluster` column of a per-cell CSV against the planted groups. */
function recovery(csv: string, truth: Map<string, number>): number {
  const rows = csvRecords(parseCsv(readFileSync(csv, 'utf8')));
  const labels = Int32Array.from(rows.map((r) => Number(r.cluster)));
  const groups = Int32Array.from(rows.map((r) => truth.get(r.id!)!));
  return adjustedRandIndex(labels, groups);
}

describe('the model registry is open', () => {
  const dir = tempDir('registry');
  let data: Awaited<ReturnType<typeof writeVectors>>;

  beforeAll(async () => {
    await selectBackend('cpu');
    data = await writeVectors(dir);
    registerModel(denseFamily);
    registerModel(projectionFamily);
  });
  afterAll(() => {
    unregisterModel('dense-test');
    unregisterModel('projection-test');
  });

  it('lists registered families and refuses a duplicate or a malformed plugin', () => {
    expect(modelNames()).toEqual([
      'cloud',
      'voxel',
      'siamese',
      'ae2d',
      'classifier',
      'dense-test',
      'projection-test',
    ]);
    expect(modelPlugin('dense-test')).toBe(denseFamily);
    expect(() => registerModel(denseFamily)).toThrow(/a name not registered yet/);
    expect(() => registerModel({ ...denseFamily, name: 'Bad Name' })).toThrow(/lower-case name/);
    expect(() =>
      registerModel({ ...denseFamily, name: 'x', openDataset: undefined } as never),
    ).toThrow("registerModel: 'plugin.openDataset' must be a function");
    expect(() => unregisterModel('cloud')).toThrow(/built-in/);
  });

  it('an autoencoder family from test code runs train → IDEC → extract → report', async () => {
    const run = join(dir, 'dense-run');
    const { summary } = await trainRun(data.input, run, {
      model: { family: 'dense-test' },
      data: { metadata: data.metadata, batchSize: 8 },
      pretrain: { epochs: 30, lr: 0.02 },
      idec: { clusters: 3, epochs: 3, lr: 1e-3, kmeansRestarts: 5 },
      runtime: { seed: 1, backend: 'cpu' },
    });
    expect(summary).toMatchObject({
      model: 'dense-test',
      clustering: 'idec',
      cells: 24,
      clusters: 3,
    });
    expect(summary.pretrain.epochs).toBe(30);
    expect(summary.idec.epochs).toBeGreaterThan(0);
    expect(summary.pretrain.finalLoss!).toBeLessThan(summary.pretrain.bestLoss! * 1.5);
    // Every checkpoint records the family, so that extract finds the plugin by itself.
    for (const file of ['pretrain/last.ckpt', 'idec/last.ckpt'])
      expect((await loadCheckpoint(join(run, file))).family, file).toBe('dense-test');
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config.options.model).toEqual({
      family: 'dense-test',
      settings: { inputSize: 6, features: 3 },
      init: null,
    });
    const out = join(dir, 'dense.csv');
    const extracted = await extractRun(run, out, { backend: 'cpu' });
    expect(extracted).toMatchObject({ cells: 24, clusters: 3, features: 3 });
    expect(recovery(out, data.truth)).toBeGreaterThan(0.9);
    const html = readFileSync(await writeReport(run, { groupBy: 'Group' }), 'utf8');
    expect(html).toContain('dense-test');
    expect(html).toContain('G2');
  });

  it('an encoder-only family is clustered by k-means, extracted and reported', async () => {
    const run = join(dir, 'projection-run');
    const { summary, assignments } = await trainRun(data.input, run, {
      model: { family: 'projection-test', settings: { features: 4 } },
      data: { metadata: data.metadata },
      idec: { clusters: 3 },
      runtime: { backend: 'cpu' },
    });
    expect(summary).toMatchObject({ model: 'projection-test', clustering: 'kmeans', clusters: 3 });
    expect(summary.clusterSizes).toEqual([8, 8, 8]);
    expect(assignments.labels).toEqual(assignments.initialLabels);
    expect(existsSync(join(run, 'idec'))).toBe(false);
    const out = join(dir, 'projection.csv');
    const extracted = await extractRun(run, out, { backend: 'cpu' });
    expect(extracted).toMatchObject({ cells: 24, clusters: 3, features: 4 });
    expect(extracted.checkpoint).toBe(join(run, 'clusters.ckpt'));
    expect((await loadCheckpoint(extracted.checkpoint)).family).toBe('projection-test');
    expect(recovery(out, data.truth)).toBe(1);
    // On the run's backend, extract gives the run's hard and soft labels (id … q1 agree).
    const head = (path: string) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .slice(0, 5)
        .map((line) => line.split(',').slice(0, 5).join(','));
    expect(head(out)).toEqual(head(join(run, 'assignments.csv')));
    expect(readFileSync(await writeReport(run, { groupBy: 'Group' }), 'utf8')).toContain(
      'projection-test',
    );
  });

  it('--init of an encoder-only family reads its clustered checkpoint, without the centres', async () => {
    const first = join(dir, 'projection-run');
    const run = join(dir, 'projection-init');
    const { init } = await trainRun(data.input, run, {
      model: {
        family: 'projection-test',
        settings: { features: 4 },
        init: join(first, 'clusters.ckpt'),
      },
      data: { metadata: data.metadata },
      idec: { clusters: 3 },
      runtime: { seed: 9, backend: 'cpu' },
    });
    expect(init).toMatchObject({ kind: 'idec-checkpoint' });
    // Another seed, the first run's weights: the same features.
    expect(readFileSync(join(run, 'features.csv'), 'utf8')).toBe(
      readFileSync(join(first, 'features.csv'), 'utf8'),
    );
  });
});
