import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  CloudAutoEncoder,
  type CloudAutoEncoderOptions,
  chamferLoss,
  DEFAULT_CLOUD_AUTOENCODER_OPTIONS,
  extractFeatures,
  importTorchCheckpoint,
  type PointCloudBatch,
  PointCloudDataset,
  trainAutoencoder,
} from '@cellshape/cloud';
import type { ClusterBatchOptions } from '@cellshape/cluster';
import { type DatasetWarning, IncompatibleError, type Metadata } from '@cellshape/core';
import { readPointCloud } from '@cellshape/helper';
import type { AutoencoderSettings, ModelPlugin, RunDataset } from './model-plugin.js';

/** Up to `max` rows of a flat x,y,z array, evenly strided (deterministic). */
function strided(data: Float32Array, max: number): number[][] {
  const n = data.length / 3;
  const take = Math.min(n, max);
  const rows: number[][] = [];
  for (let r = 0; r < take; r++) {
    const i = Math.floor((r * n) / take);
    rows.push([data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!]);
  }
  return rows;
}

/** A point-cloud dataset of a folder, which also knows each cell's `.ply` file. */
class CloudRunDataset implements RunDataset<PointCloudBatch> {
  readonly dataset: PointCloudDataset;
  private readonly files: Map<string, string>;

  constructor(dataset: PointCloudDataset, files: Map<string, string>) {
    this.dataset = dataset;
    this.files = files;
  }

  get length(): number {
    return this.dataset.length;
  }

  get ids(): string[] {
    return this.dataset.ids;
  }

  get metadata(): Metadata[] {
    return this.dataset.metadata;
  }

  get skipped(): DatasetWarning[] {
    return this.dataset.skipped;
  }

  batches(options: ClusterBatchOptions): AsyncIterable<PointCloudBatch> {
    return this.dataset.batches(options);
  }

  async filePoints(index: number, maxPoints: number): Promise<number[][]> {
    const id = this.dataset.ids[index];
    const path = id === undefined ? undefined : this.files.get(id);
    if (path === undefined) return [];
    return strided(readPointCloud(path).data, maxPoints);
  }
}

/**
 * The `.ply` file of each id, by the rule of `PointCloudDataset.fromFolder`: the path relative
 * to the folder without `.ply` (forward slashes), else the file name when it is unique.
 */
async function plyFiles(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.ply'))
    .map((e) => join(e.parentPath, e.name));
  const byId = new Map<string, string>();
  const stems = new Map<string, string[]>();
  for (const path of paths) {
    const id = relative(dir, path).split(sep).join('/').slice(0, -4);
    byId.set(id, path);
    const stem = id.slice(id.lastIndexOf('/') + 1);
    stems.set(stem, [...(stems.get(stem) ?? []), path]);
  }
  for (const [stem, list] of stems)
    if (list.length === 1 && !byId.has(stem)) byId.set(stem, list[0]!);
  return byId;
}

function cloudDataset(dataset: RunDataset): CloudRunDataset {
  if (!(dataset instanceof CloudRunDataset))
    throw new IncompatibleError('cloud model: the dataset is not a point-cloud dataset', {
      fn: 'cloudModel',
      arg: 'dataset',
    });
  return dataset;
}

/** The `CloudAutoEncoder` options of a run's autoencoder settings. */
function cloudOptions(settings: AutoencoderSettings): CloudAutoEncoderOptions {
  return {
    encoderType: settings.encoder as CloudAutoEncoderOptions['encoderType'],
    decoderType: settings.decoder as CloudAutoEncoderOptions['decoderType'],
    numFeatures: settings.numFeatures,
    k: settings.k,
    shape: settings.sourceShape as CloudAutoEncoderOptions['shape'],
    numSourcePoints: settings.sourcePoints,
    std: settings.sourceStd,
    seed: settings.seed,
  };
}

/** The point-cloud autoencoder (DGCNN encoder + FoldingNet decoder) of `@cellshape/cloud`. */
export const cloudModel: ModelPlugin = {
  kind: 'cloud',
  async openDataset(input, options) {
    const dataset = await PointCloudDataset.fromFolder(input, {
      numPoints: options.numPoints,
      normalise: options.normalise,
      seed: options.seed,
      idColumn: options.idColumn,
      ...(options.metadata ? { metadata: options.metadata } : {}),
    });
    return new CloudRunDataset(dataset, await plyFiles(input));
  },
  createAutoencoder(settings) {
    return new CloudAutoEncoder(cloudOptions(settings));
  },
  autoencoderFromConfig(config) {
    return new CloudAutoEncoder(config as CloudAutoEncoderOptions);
  },
  architecture(config) {
    const c = { ...DEFAULT_CLOUD_AUTOENCODER_OPTIONS, ...(config as CloudAutoEncoderOptions) };
    return {
      encoder: c.encoderType,
      decoder: c.decoderType,
      features: c.numFeatures,
      k: c.k,
      sourceShape: c.shape,
      sourcePoints: c.numSourcePoints,
      sourceStd: c.std,
      // Random source shapes are drawn from the seed (unless the config lists the points).
      ...(c.shape !== 'plane' && c.sourcePoints === undefined ? { seed: c.seed } : {}),
    };
  },
  importAutoencoder(path, settings) {
    // Encoder, decoder and features come from the state dict; k and the source points from us.
    const { k, shape, numSourcePoints, std, seed } = cloudOptions(settings);
    return importTorchCheckpoint(path, { k, model: { shape, numSourcePoints, std, seed } });
  },
  pretrain(model, dataset, settings) {
    return trainAutoencoder(model, cloudDataset(dataset).dataset, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      lr: settings.lr,
      weightDecay: settings.weightDecay,
      lrDecay: settings.lrDecay,
      loss: settings.loss,
      seed: settings.seed,
      checkpointDir: settings.checkpointDir,
      resume: settings.resume,
      ...(settings.onProgress ? { onProgress: settings.onProgress } : {}),
    });
  },
  reconstructionLoss(form) {
    return (input, reconstruction) => chamferLoss(input, reconstruction, { form });
  },
  async extractFeatures(model, dataset, options) {
    const result = await extractFeatures(model, cloudDataset(dataset).dataset, options);
    return {
      ids: result.ids,
      metadata: result.metadata,
      features: result.features,
      numFeatures: result.numFeatures,
    };
  },
};
