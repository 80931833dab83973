import type { DatasetWarning, ProgressCallback } from '@cellshape/core';
import type { Dataset, Encoder, TrainLoopResult } from '@cellshape/engine';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { RunData } from '../report/run-data.js';
import type { ClassicalTable } from './feature-sets.js';

/**
 * A model family as the run layer sees it (`trainRun`, `extractRun`, `cellshape train`): how a
 * folder becomes a dataset, how a model is built, trained and rebuilt from a checkpoint, which
 * settings it has (with their defaults and command-line flags) and what it adds to the report.
 * Families register themselves by name ({@link registerModel}); nothing in the run layer
 * switches on a family's name.
 *
 * An {@link Encoder}-only family (a Siamese encoder, a classifier) is enough for feature
 * extraction and k-means clustering; an `Autoencoder` family also gets IDEC.
 */
export interface ModelPlugin<S extends object = Record<string, unknown>> {
  /** The registered name, e.g. `'cloud'`; models of the family report it as their `family`. */
  readonly name: string;
  /** One line for `--model` help: what the family is. */
  readonly description: string;
  /** What the input folder holds, e.g. `'folder of .ply point clouds'`. */
  readonly input: string;
  /** The defaults of every setting of the family. */
  readonly defaults: Readonly<S>;
  /** The settings as flags of `cellshape train`, in help order. */
  readonly flags: readonly ModelFlag[];
  /**
   * The family's settings: `settings` over {@link ModelPlugin.defaults} (an `undefined` value
   * keeps the default), validated.
   *
   * @throws InvalidArgumentError naming the setting.
   */
  resolveSettings(settings: Readonly<Record<string, unknown>>): S;
  /** Opens the input folder (recursively) as a dataset of the family's inputs. */
  openDataset(input: string, options: OpenDatasetOptions<S>): Promise<RunDataset>;
  /** A new, untrained model; `seed` seeds its initialisation. */
  createModel(settings: S, seed: number): Encoder;
  /** Rebuilds a model from the `config()` stored in a checkpoint. */
  modelFromConfig(config: Record<string, unknown>): Encoder;
  /**
   * The architecture a model `config()` describes, named as the family's settings: two models
   * with equal architectures share their state-dict layout, so weights move between them.
   */
  architecture(config: Record<string, unknown>): Record<string, unknown>;
  /**
   * Reads a checkpoint of the family's reference implementation (for `cloud`: a cellshape-cloud
   * `.pt`, or an `.npz` of its state dict) as a model; what the file does not hold is taken from
   * `settings`. Absent: the family has no reference checkpoints.
   */
  importModel?(path: string, settings: S, seed: number): Encoder;
  /**
   * Trains the model before clustering (checkpoints and `log.jsonl` in
   * `options.checkpointDir`). Absent: the family is used as built (e.g. pretrained elsewhere
   * and loaded with `init`).
   */
  pretrain?(
    model: Encoder,
    dataset: RunDataset,
    options: PretrainOptions<S>,
  ): Promise<TrainLoopResult>;
  /**
   * The reconstruction loss IDEC adds to the clustering loss, from the family's settings (for
   * `cloud`: the Chamfer form). Absent: the model's own `reconstructionLoss`.
   */
  reconstructionLoss?(settings: S): (input: Tensor, reconstruction: Tensor) => Scalar;
  /**
   * The classical measures of every sample of `dataset` when the family has its own (the 2-D
   * families: shape measures of the mask crops), or null when there are none. Absent: those of
   * the `manifest.csv` of `cellshape convert`, else of the convex hull of each cell's points.
   */
  classicalMeasures?(dataset: RunDataset): ClassicalTable | null;
  /** What the family adds to the report. */
  readonly report?: ModelReport;
}

/** A setting of a model family as a flag of `cellshape train`. */
export interface ModelFlag {
  /** The settings key, e.g. `'numPoints'`; the flag is its kebab-case form, `--num-points`. */
  readonly key: string;
  /** The flag's value name in help, e.g. `'<n>'`. */
  readonly value: string;
  /** Help text (the default is appended from the family's defaults). */
  readonly description: string;
  /**
   * Turns the flag's text into the setting's value; throws commander's `InvalidArgumentError`
   * (see `cli/parse.ts`) for a usage error that names the flag.
   */
  readonly parse: (text: string) => unknown;
}

/** How {@link ModelPlugin.openDataset} opens a folder. */
export interface OpenDatasetOptions<S> {
  /** Metadata CSV path, or undefined for none. */
  metadata?: string;
  /** The metadata column naming each sample's file. */
  idColumn: string;
  /** Seed of any per-sample randomness (resampling). */
  seed: number;
  /** The family's settings. */
  settings: S;
  /**
   * Set when another process already validated this folder (the client of a distributed
   * extraction): the files it found unusable (paths as `skipped` reports them). A family that
   * can should then leave them out without reading every file; one that ignores this validates
   * as usual (slower, same cells).
   */
  validated?: readonly string[];
}

/** A dataset as a run uses it: the engine's contract plus the files or rows it left out. */
export interface RunDataset extends Dataset {
  /** Files or metadata rows left out, with the reason. */
  readonly skipped: readonly DatasetWarning[];
}

/** How {@link ModelPlugin.pretrain} trains. */
export interface PretrainOptions<S> {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Exponential learning-rate decay per epoch (1 = off). */
  lrDecay: number;
  seed: number;
  /** Folder of the pretraining's checkpoints and log. */
  checkpointDir: string;
  /** Continue from `<checkpointDir>/last.ckpt`. */
  resume: boolean;
  onProgress?: ProgressCallback;
  /** The family's settings (e.g. the reconstruction loss's form). */
  settings: S;
}

/** What a family adds to the report. */
export interface ModelReport {
  /**
   * Up to `maxPoints` `[x, y, z]` rows that show sample `index` of `dataset` in the report's 3-D
   * viewer (its cluster exemplars), e.g. the points of its file. Absent: exemplars are listed
   * without a view.
   */
  exemplarPoints?(dataset: RunDataset, index: number, maxPoints: number): Promise<number[][]>;
  /**
   * A picture of sample `index` made with the final `model` (e.g. the voxel family's middle
   * slices, input above reconstruction), as a `data:image/png;base64,…` URL shown beside the
   * exemplar. Absent: no picture.
   */
  exemplarImage?(model: Encoder, dataset: RunDataset, index: number): Promise<string | undefined>;
  /**
   * Sections the family adds to the report page, from the run's files (e.g. the 2-D families'
   * crop galleries per cluster and QC summary). A section with the id `'exemplars'` replaces
   * the page's 3-D exemplar section; the others follow it. Absent: none.
   */
  pageSections?(data: RunData): Promise<ReportSection[]>;
}

/** A section a model family adds to the report page. */
export interface ReportSection {
  /** The section's element id (the table of contents links it), e.g. `'crops'`. */
  readonly id: string;
  /** Its label in the table of contents. */
  readonly label: string;
  /** The section's HTML (a `<section class="card" id="…">`); every data string escaped. */
  readonly html: string;
}
