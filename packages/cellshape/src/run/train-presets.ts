/**
 * Named sets of `cellshape train` defaults (`--preset <name>`): flag values keyed as the flags
 * (`numPoints` for `--num-points`), applied under the flags the user gives — an explicit flag
 * always wins. Each preset names the model family it is for. The measurements behind each one
 * are in docs/small-data.md.
 */
export interface TrainPreset {
  /** The model family whose settings it sets. */
  readonly model: string;
  /** One line for `--preset` help. */
  readonly description: string;
  /** Flag values, keyed as the flags. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** The presets of `cellshape train --preset`. */
export const TRAIN_PRESETS: Readonly<Record<string, TrainPreset>> = Object.freeze({
  'small-data': {
    model: 'cloud',
    description:
      'tens to hundreds of cells in minutes on a laptop CPU: pose-normalised clouds, a small DFN, short pretraining',
    values: {
      // Rotation and scale are taken out of every cloud, so the model spends its few examples on
      // shape alone (the classical measures in the baseline keep the size).
      normalise: 'pcaPoseUnitSphere',
      numPoints: 256,
      k: 16,
      sourcePoints: 256,
      features: 32,
      epochs: 20,
      batchSize: 8,
      lr: 1e-3,
      // Batch statistics of a few cells are noisy: IDEC keeps the pretrained ones.
      idecBatchNorm: 'eval',
      // IDEC usually stops earlier by its label-change tolerance; this caps the minutes.
      idecEpochs: 20,
    },
  },
});

/** The names of the presets. */
export const TRAIN_PRESET_NAMES: readonly string[] = Object.keys(TRAIN_PRESETS);
