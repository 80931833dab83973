import { join, resolve } from 'node:path';
import { adjustedRandIndex } from '@cellshape/cluster';
import { definedEntries, invalidArgument, type ProgressEvent } from '@cellshape/core';
import type { BackendName } from '@cellshape/engine';
import { convertDirectory } from '@cellshape/helper';
import { writeReport } from '../report/index.js';
import type { RunSummary } from '../run/run-directory.js';
import { trainRun } from '../run/train-run.js';
import type { RunStage, TrainRunOptions } from '../run/train-run-options.js';
import { DEMO_FAMILIES, type DemoCell, generateDemoData } from './demo-data.js';
import { VOXEL_DEMO_PRESETS, type VoxelDemoSettings, voxelDemoModel } from './voxel-demo.js';

/** The demo's stages, as progress events name them. */
export type DemoStage = 'data' | 'convert' | RunStage | 'report';

/** Options of {@link runDemo}; the training settings are small so the demo runs in minutes on a laptop CPU. */
export interface DemoOptions {
  /**
   * The model family: `'cloud'` (convert to point clouds, DFN) or `'voxel'` (the label images as
   * cubes, 3-D convolutional autoencoder; its settings are `VOXEL_DEMO_PRESETS`, and the
   * point-cloud options below do not apply). Default `'cloud'`.
   */
  model?: 'cloud' | 'voxel';
  /** Output folder. Default `'cellshape-demo'` (relative to the working directory). */
  out?: string;
  /** A tiny configuration that only checks the pipeline end to end (seconds, not minutes). Default false. */
  quick?: boolean;
  /** Plates of the synthetic experiment. Default 2 (quick: 1). */
  plates?: number;
  /** Cells per well (4 treatments per plate). Default 6 (quick: 4). */
  cellsPerWell?: number;
  /** Points per cloud. Default 128 (quick: 64). */
  numPoints?: number;
  /** Features F. Default 16 (quick: 8). */
  features?: number;
  /** Neighbours of the encoder's graphs. Default 10 (quick: 8). */
  k?: number;
  /** Source points of the decoder's plane (a perfect square). Default 64 (quick: 36). */
  sourcePoints?: number;
  /** Pretraining epochs. Default 60 (quick: 1). */
  epochs?: number;
  /** Maximum IDEC epochs (the label-change tolerance usually stops it earlier). Default 15 (quick: 1). */
  idecEpochs?: number;
  /** Adam learning rate of the pretraining. Default 3e-4 (higher than the paper's 1e-4: few epochs). */
  lr?: number;
  /** Adam learning rate of IDEC (the centres train at 100× it). Default 1e-4. */
  idecLr?: number;
  /** Clouds per batch (pretraining and IDEC). Default 4 (quick: 16). */
  batchSize?: number;
  /** Seed of the data and of training. Default 0. */
  seed?: number;
  /** tfjs backend; default: the fastest available. */
  backend?: BackendName;
  /** Worker threads of the conversion. Default: one per core. */
  workers?: number;
  /** Progress of every stage. */
  onProgress?: (stage: DemoStage, event: ProgressEvent) => void;
  /** Notes worth telling the user. */
  onNote?: (text: string) => void;
}

/** The demo's default settings (`full`) and those of `quick: true`. */
export const DEMO_PRESETS = {
  full: {
    plates: 2,
    cellsPerWell: 6,
    cellSize: 40,
    numPoints: 128,
    features: 16,
    k: 10,
    sourcePoints: 64,
    // Long enough, in small batches, for the decoder to unfold: IDEC assumes a converged
    // autoencoder, and on one whose reconstruction loss still falls fast the labels drift.
    epochs: 60,
    batchSize: 4,
    lr: 3e-4,
    // The label-change tolerance stops IDEC after a few updates; 15 epochs is the ceiling.
    idecEpochs: 15,
    // The paper's lr, with the centres at 100× it (trainIdec's default centreLrScale), so that
    // the centres follow the features (docs/getting-started.md has the measurements).
    idecLr: 1e-4,
  },
  quick: {
    plates: 1,
    cellsPerWell: 4,
    cellSize: 24,
    numPoints: 64,
    features: 8,
    k: 8,
    sourcePoints: 36,
    epochs: 1,
    batchSize: 16,
    lr: 1e-3,
    idecEpochs: 1,
    idecLr: 1e-4,
  },
} as const;

/** How well the clusters recover the demo's true shape families (adjusted Rand index, 1 = exactly). */
export interface DemoRecovery {
  /** ARI of the IDEC clusters against the true families. */
  idec: number;
  /** ARI of k-means on the pretrained features (IDEC's starting point) against the true families. */
  kmeans: number;
  /** Cells compared (those with a known family). */
  cells: number;
}

/** What every demo returns: where it wrote, the run's summary, how long each stage took. */
export interface DemoOutput {
  /** The output folder. */
  out: string;
  /** The run directory. */
  runDir: string;
  /** The HTML report. */
  report: string;
  /** The run's summary. */
  summary: RunSummary;
  /** Wall-clock seconds per stage and in all. */
  timings: Record<string, number>;
}

/** What {@link runDemo} returns. */
export interface DemoResult extends DemoOutput {
  /** Cells in the experiment. */
  cells: number;
  /** Recovery of the true families by IDEC and by k-means. */
  recovery: DemoRecovery;
}

/**
 * The whole pipeline on a synthetic experiment, with no input: writes label TIFFs of four shape
 * families under four treatments that shift the family proportions (plus metadata), converts
 * them to point clouds (with `model: 'voxel'`: reads the label images as cubes instead),
 * pretrains the autoencoder, clusters with IDEC (K = 4), extracts features and soft labels and
 * writes the HTML report.
 *
 * Layout: `<out>/masks/`, `<out>/metadata.csv`, `<out>/converted/` (meshes, points, manifest),
 * `<out>/run/` (the run directory, with `report.html`).
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const fn = 'runDemo';
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  if (options.model !== undefined && options.model !== 'cloud' && options.model !== 'voxel')
    throw invalidArgument(fn, 'options.model', "'cloud' or 'voxel'", options.model);
  const voxel = options.model === 'voxel';
  const preset = voxel
    ? { ...DEMO_PRESETS.full, ...VOXEL_DEMO_PRESETS[options.quick ? 'quick' : 'full'] }
    : options.quick
      ? DEMO_PRESETS.quick
      : DEMO_PRESETS.full;
  const o: ResolvedDemo = { ...preset, out: 'cellshape-demo', seed: 0, ...definedEntries(options) };
  const out = resolve(o.out);
  const timings: Record<string, number> = {};
  const clock = performance.now();
  let t = clock;
  const lap = (name: string) => {
    timings[name] = Math.round(performance.now() - t) / 1000;
    t = performance.now();
  };
  const data = await generateDemoData(out, {
    plates: o.plates,
    cellsPerWell: o.cellsPerWell,
    cellSize: o.cellSize,
    seed: o.seed,
  });
  const total = data.cells.length;
  options.onProgress?.('data', {
    phase: 'write',
    done: total,
    total,
    message: `${total} synthetic cells`,
  });
  lap('data');
  // The voxel model reads the label images as they are; the DFN needs point clouds.
  const input = voxel
    ? data.masks
    : await convertStage(data.masks, join(out, 'converted'), o, options);
  lap('convert');
  const runDir = join(out, 'run');
  const run = demoRunOptions(o, data.metadata, options);
  if (voxel) run.model = voxelDemoModel(o as ResolvedDemo & VoxelDemoSettings);
  const { summary, assignments } = await trainRun(input, runDir, run);
  lap('train');
  const recovery = familyRecovery(data.cells, assignments);
  options.onNote?.(
    `recovery of the ${DEMO_FAMILIES.length} true families (adjusted Rand index, 1 = exact): IDEC ${recovery.idec.toFixed(3)}, k-means on the pretrained features ${recovery.kmeans.toFixed(3)} (${recovery.cells} cells)`,
  );
  const report = await writeReport(runDir, { groupBy: 'Treatment', references: ['Control'] });
  lap('report');
  timings.total = Math.round(performance.now() - clock) / 1000;
  return { out, runDir, report, cells: summary.cells, summary, recovery, timings };
}

/** The demo's settings: a preset, overridden by the options given. */
type ResolvedDemo = Omit<DemoOptions, keyof Preset> & {
  [K in keyof Preset]: number;
} & { out: string; seed: number; filters?: string };

/** The settings of a preset. */
type Preset = (typeof DEMO_PRESETS)['full'];

/** Converts the demo's masks to point clouds; returns the points folder. */
async function convertStage(
  masks: string,
  converted: string,
  o: ResolvedDemo,
  options: DemoOptions,
): Promise<string> {
  const conversion = await convertDirectory(masks, converted, {
    numPoints: 2048,
    seed: o.seed,
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    onProgress: (event) => options.onProgress?.('convert', event),
  });
  if (conversion.failed > 0)
    options.onNote?.(
      `${conversion.failed} demo file(s) failed to convert: ${conversion.files.find((f) => f.error)?.error}`,
    );
  return join(converted, 'points');
}

/** The run of the demo: its preset's model and training, K = the number of families. */
function demoRunOptions(o: ResolvedDemo, metadata: string, options: DemoOptions): TrainRunOptions {
  return {
    data: { metadata, idColumn: 'serialNumber', batchSize: o.batchSize },
    model: {
      settings: {
        numPoints: o.numPoints,
        // Each cell in its PCA pose, scaled to the unit sphere: the families differ in shape,
        // not in orientation or size, so a small model learns them from few cells
        // (docs/getting-started.md has the measurements).
        normalise: 'pcaPoseUnitSphere',
        features: o.features,
        k: o.k,
        sourcePoints: o.sourcePoints,
      },
    },
    pretrain: { epochs: o.epochs, lr: o.lr },
    // Batch norm frozen during IDEC: with so few cells per batch, batch statistics alone move
    // labels (the cluster README has the measurements).
    idec: {
      epochs: o.idecEpochs,
      lr: o.idecLr,
      batchNorm: 'eval',
      clusters: DEMO_FAMILIES.length,
      kmeansRestarts: 10,
    },
    runtime: {
      seed: o.seed,
      overwrite: true,
      ...(o.backend ? { backend: o.backend } : {}),
      onProgress: (stage, event) => options.onProgress?.(stage, event),
      ...(options.onNote ? { onNote: options.onNote } : {}),
    },
  };
}

/** The ARI of the IDEC and the initial k-means labels against the true families of the cells. */
function familyRecovery(
  cells: readonly DemoCell[],
  assignments: { ids: string[]; labels: Int32Array; initialLabels: Int32Array },
): DemoRecovery {
  const family = new Map(cells.map((c) => [c.serialNumber, DEMO_FAMILIES.indexOf(c.Family)]));
  const truth: number[] = [];
  const idec: number[] = [];
  const kmeans: number[] = [];
  assignments.ids.forEach((id, i) => {
    const f = family.get(id);
    if (f === undefined) return;
    truth.push(f);
    idec.push(assignments.labels[i]!);
    kmeans.push(assignments.initialLabels[i]!);
  });
  return {
    idec: adjustedRandIndex(Int32Array.from(idec), Int32Array.from(truth)),
    kmeans: adjustedRandIndex(Int32Array.from(kmeans), Int32Array.from(truth)),
    cells: truth.length,
  };
}
