import type { ChamferForm } from '@cellshape/cloud';
import type { ClusterBatch, ClusterDataset, ReconstructionLoss } from '@cellshape/cluster';
import type { DatasetWarning, Metadata, ProgressCallback } from '@cellshape/core';
import type { Autoencoder, TrainLoopResult } from '@cellshape/engine';
import type { NormalisePreset } from '@cellshape/helper';

/**
 * The model families a run can train. `'cloud'` is the point-cloud autoencoder of
 * `@cellshape/cloud`; `'voxel'` (3-D CNN autoencoders on voxel grids) plugs in here once
 * `@cellshape/voxel` ships: a {@link ModelPlugin} and one `case` in {@link modelPlugin}.
 */
export type ModelKind = 'cloud' | 'voxel';

/** Every {@link ModelKind}, as the `--model` flag lists them. */
export const MODEL_KINDS: readonly ModelKind[] = ['cloud', 'voxel'];

/** A training set as a run sees it: IDEC-ready batches plus ids, metadata and the cells left out. */
export interface RunDataset<B extends ClusterBatch = ClusterBatch> extends ClusterDataset<B> {
  /** Cell ids, in dataset order. */
  readonly ids: string[];
  /** Metadata per cell, in dataset order. */
  readonly metadata: Metadata[];
  /** Files or metadata rows left out, with the reason. */
  readonly skipped: DatasetWarning[];
  /** Up to `maxPoints` `[x, y, z]` rows of cell `index`, read back from its input file. */
  filePoints(index: number, maxPoints: number): Promise<number[][]>;
}

/** How the input folder becomes a dataset. */
export interface DataSettings {
  /** Metadata CSV path, or undefined for none. */
  metadata?: string;
  /** The metadata column naming each cell. */
  idColumn: string;
  /** Points per cloud (resampled). */
  numPoints: number;
  /** Normalisation of each cloud. */
  normalise: NormalisePreset;
  /** Seed of the resampling. */
  seed: number;
}

/** The autoencoder's architecture. */
export interface AutoencoderSettings {
  encoder: string;
  decoder: string;
  numFeatures: number;
  /** Neighbours per point in the encoder's graphs. */
  k: number;
  sourceShape: string;
  /** Reconstructed points M (a perfect square for a plane). */
  sourcePoints: number;
  /** Scale of the source points. */
  sourceStd: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

/** Pretraining of the autoencoder. */
export interface PretrainSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  lrDecay: number;
  loss: ChamferForm;
  seed: number;
  checkpointDir: string;
  resume: boolean;
  onProgress?: ProgressCallback;
}

/** Features of every cell of a dataset, in dataset order. */
export interface ExtractedFeatures {
  ids: string[];
  metadata: Metadata[];
  /** `n × numFeatures`, row-major. */
  features: Float32Array;
  numFeatures: number;
}

/** What a model family provides to `trainRun` and `extractRun`. */
export interface ModelPlugin {
  readonly kind: ModelKind;
  /** Opens the input folder as a dataset. */
  openDataset(input: string, settings: DataSettings): Promise<RunDataset>;
  /** A new, untrained autoencoder. */
  createAutoencoder(settings: AutoencoderSettings): Autoencoder;
  /** Rebuilds an autoencoder from the `config()` stored in a checkpoint. */
  autoencoderFromConfig(config: Record<string, unknown>): Autoencoder;
  /**
   * The architecture an autoencoder `config()` describes, named as the run's options
   * (`encoder`, `features`, `sourcePoints`, …): two models whose architectures are equal share
   * their state-dict layout and their decoder's source points.
   */
  architecture(config: Record<string, unknown>): Record<string, unknown>;
  /**
   * Reads a checkpoint of the model family's reference implementation (for `cloud`: a
   * cellshape-cloud `.pt`, or an `.npz` of its state dict) as an autoencoder. What the file does
   * not hold (for `cloud`: `k` and the source points) is taken from `settings`.
   */
  importAutoencoder(path: string, settings: AutoencoderSettings): Autoencoder;
  /** Pretrains the autoencoder (checkpoints and `log.jsonl` in `settings.checkpointDir`). */
  pretrain(
    model: Autoencoder,
    dataset: RunDataset,
    settings: PretrainSettings,
  ): Promise<TrainLoopResult>;
  /** The reconstruction loss IDEC adds to the clustering loss. */
  reconstructionLoss(form: ChamferForm): ReconstructionLoss;
  /** Encodes every cell in dataset order. */
  extractFeatures(
    model: Autoencoder,
    dataset: RunDataset,
    options: { batchSize: number; onProgress?: ProgressCallback },
  ): Promise<ExtractedFeatures>;
}
