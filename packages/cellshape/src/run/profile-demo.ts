import { join, resolve } from 'node:path';
import { adjustedRandIndex } from '@cellshape/cluster';
import { definedEntries, type ProgressEvent } from '@cellshape/core';
import type { BackendName } from '@cellshape/engine';
import { syntheticExperiment2D } from '@cellshape/profile';
import type { DemoOutput } from '../demo/run-demo.js';
import { writeReport } from '../report/index.js';
import { profileCrop } from './profile-crop-run.js';
import { writeSyntheticExperiment } from './profile-synthetic-files.js';
import { profileTrain } from './profile-train-run.js';

/** Options of {@link runProfileDemo}. */
export interface ProfileDemoOptions {
  /** Output folder. Default `'cellshape-profile-demo'`. */
  out?: string;
  /** A tiny configuration that checks the pipeline in seconds. Default false. */
  quick?: boolean;
  /** Training epochs. Default 40 (quick: 2). */
  epochs?: number;
  /** Views of the Siamese pairs: dihedral, pbr, fbr. Default `'fbr'`. */
  views?: 'dihedral' | 'pbr' | 'fbr';
  /** Seed of the data and the training. Default 0. */
  seed?: number;
  backend?: BackendName;
  onProgress?: (stage: string, event: ProgressEvent) => void;
  onNote?: (text: string) => void;
}

/** The profile demo's settings (`full`) and those of `quick: true`. */
export const PROFILE_DEMO_PRESETS = {
  full: {
    wellsPerTreatment: 2,
    fieldsPerWell: 2,
    cellsPerField: 14,
    epochs: 40,
    batchSize: 32,
    lr: 2e-3,
  },
  quick: {
    wellsPerTreatment: 1,
    fieldsPerWell: 1,
    cellsPerField: 10,
    epochs: 2,
    batchSize: 16,
    lr: 2e-3,
  },
} as const;

/** What {@link runProfileDemo} returns. */
export interface ProfileDemoResult extends DemoOutput {
  /** Crops in the experiment. */
  crops: number;
  /** Adjusted Rand index of the clusters against the true shape families (1 = exact). */
  familyAri: number;
}

/**
 * The 2-D pipeline end to end on a seeded synthetic experiment, with no input: fields of drawn
 * cells of five shape families under three treatments that shift the family mix (phase
 * contrast, with label images and a CellProfiler-style table) → 48×48 crops with masks → a
 * Siamese encoder trained with Barlow Twins (FBR views by default) → k-means with K = 5 → the
 * report (crop galleries per cluster, UMAP, training curves, QC).
 *
 * Layout: `<out>/plate/` (images, labels, cells.csv), `<out>/crops/`, `<out>/run/` (with `report.html`).
 */
export async function runProfileDemo(options: ProfileDemoOptions = {}): Promise<ProfileDemoResult> {
  const preset = PROFILE_DEMO_PRESETS[options.quick ? 'quick' : 'full'];
  const o = {
    ...preset,
    out: 'cellshape-profile-demo',
    seed: 0,
    views: 'fbr' as const,
    ...definedEntries(options),
  };
  const out = resolve(o.out);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    timings[name] = Math.round(performance.now() - t) / 1000;
    t = performance.now();
  };
  const experiment = syntheticExperiment2D({
    seed: o.seed,
    wellsPerTreatment: o.wellsPerTreatment,
    fieldsPerWell: o.fieldsPerWell,
    cellsPerField: o.cellsPerField,
    radius: 9,
    onProgress: (event) => options.onProgress?.('data', event),
  });
  const files = await writeSyntheticExperiment(experiment, join(out, 'plate'));
  lap('data');
  const crops = await profileCrop([files.images], join(out, 'crops'), {
    table: files.table,
    labels: files.labels,
    size: 48,
    onProgress: (event) => options.onProgress?.('crop', event),
    ...(options.onNote ? { onNote: options.onNote } : {}),
  });
  lap('crop');
  const { summary, runDir, assignments } = await profileTrain(
    join(out, 'crops'),
    join(out, 'run'),
    {
      model: { family: 'siamese', settings: { filters: '16,32,64', features: 32, views: o.views } },
      data: { batchSize: o.batchSize },
      pretrain: { epochs: o.epochs, lr: o.lr },
      idec: { clusters: 5, kmeansRestarts: 10 },
      runtime: {
        seed: o.seed,
        overwrite: true,
        ...(o.backend ? { backend: o.backend } : {}),
        onProgress: (stage, event) => options.onProgress?.(stage, event),
        ...(options.onNote ? { onNote: options.onNote } : {}),
      },
    },
  );
  lap('train');
  const family = new Map(
    experiment.cells.map((c) => [
      `${experiment.fields[c.imageNumber - 1]!.name}/${c.objectNumber}`,
      c.family,
    ]),
  );
  const names = [...new Set(family.values())];
  const truth = Int32Array.from(assignments.ids, (id) => names.indexOf(family.get(id)!));
  const familyAri = adjustedRandIndex(assignments.labels, truth);
  options.onNote?.(
    `recovery of the 5 true families by the clusters (adjusted Rand index, 1 = exact): ${familyAri.toFixed(3)}`,
  );
  const report = await writeReport(runDir, { groupBy: 'Metadata_Treatment' });
  lap('report');
  return { out, runDir, report, crops: crops.crops, summary, familyAri, timings };
}
