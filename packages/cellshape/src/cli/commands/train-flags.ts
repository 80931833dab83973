import { BACKEND_NAMES } from '@cellshape/engine';
import type { ModelPlugin } from '../../run/model-plugin.js';
import { DEFAULT_TRAIN_RUN_OPTIONS, type TrainRunOptions } from '../../run/train-run-options.js';
import { choice, integer, integerOrAuto, integerRange, number } from '../parse.js';

/** A group of `TrainRunOptions` other than the model's settings. */
type Group = 'model' | 'data' | 'pretrain' | 'idec' | 'runtime';

/**
 * A flag of `cellshape train` that is not a model family's setting: its camel-case key (the
 * flag's name, and the option's name in format-1 `config.json` files), where its value goes in
 * `TrainRunOptions`, and how it is parsed.
 */
export interface RunFlag {
  readonly key: string;
  readonly group: Group;
  /** The option's name in its group. */
  readonly option: string;
  readonly value: string;
  readonly description: string;
  readonly parse?: (text: string) => unknown;
  /** The default shown in help (trainRun applies it). */
  readonly default?: unknown;
}

const D = DEFAULT_TRAIN_RUN_OPTIONS;

/** The flags before the model family's settings (what data, which model). */
export const DATA_FLAGS: readonly RunFlag[] = [
  {
    key: 'metadata',
    group: 'data',
    option: 'metadata',
    value: '<csv>',
    description: 'metadata CSV (e.g. Treatment, PlateNumber, serialNumber), one row per cell',
  },
  {
    key: 'idColumn',
    group: 'data',
    option: 'idColumn',
    value: '<name>',
    description: 'metadata column naming the input file of each cell',
    default: D.data.idColumn,
  },
];

/** The flags after the model family's settings (training and clustering). */
export const TRAINING_FLAGS: readonly RunFlag[] = [
  {
    key: 'init',
    group: 'model',
    option: 'init',
    value: '<checkpoint>',
    description:
      "initialise the model before pretraining from a checkpoint: a .ckpt of a run (e.g. <run-dir>/pretrain/best.ckpt) or the family's reference checkpoint (a cellshape-cloud .pt); its architecture must match the flags",
  },
  {
    key: 'epochs',
    group: 'pretrain',
    option: 'epochs',
    value: '<n>',
    description: 'pretraining epochs (0 with --init: clustering straight from it)',
    parse: integer(0),
    default: D.pretrain.epochs,
  },
  {
    key: 'batchSize',
    group: 'data',
    option: 'batchSize',
    value: '<n>',
    description: 'cells per batch',
    parse: integer(1),
    default: D.data.batchSize,
  },
  {
    key: 'lr',
    group: 'pretrain',
    option: 'lr',
    value: '<x>',
    description: 'Adam learning rate',
    parse: number(0, { exclusiveMin: true }),
    default: D.pretrain.lr,
  },
  {
    key: 'weightDecay',
    group: 'pretrain',
    option: 'weightDecay',
    value: '<x>',
    description: 'Adam weight decay',
    parse: number(0),
    default: D.pretrain.weightDecay,
  },
  {
    key: 'lrDecay',
    group: 'pretrain',
    option: 'lrDecay',
    value: '<x>',
    description: 'exponential learning-rate decay per epoch (1 = off)',
    parse: number(0, { exclusiveMin: true, max: 1 }),
    default: D.pretrain.lrDecay,
  },
  {
    key: 'clusters',
    group: 'idec',
    option: 'clusters',
    value: '<K|auto>',
    description: 'clusters K, or auto: elbow (Kneedle) of k-means inertia over --k-range',
    parse: integerOrAuto(1),
    default: D.idec.clusters,
  },
  {
    key: 'kRange',
    group: 'idec',
    option: 'kRange',
    value: '<lo:hi>',
    description: 'k tried by --clusters auto',
    parse: integerRange(1),
    default: D.idec.kRange.join(':'),
  },
  {
    key: 'gamma',
    group: 'idec',
    option: 'gamma',
    value: '<x>',
    description: 'weight of the clustering loss',
    parse: number(0),
    default: D.idec.gamma,
  },
  {
    key: 'alpha',
    group: 'idec',
    option: 'alpha',
    value: '<x>',
    description: 'Student-t degrees of freedom of the soft assignment',
    parse: number(0, { exclusiveMin: true }),
    default: D.idec.alpha,
  },
  {
    key: 'updateInterval',
    group: 'idec',
    option: 'updateInterval',
    value: '<n>',
    description: 'refresh the target distribution every n units',
    parse: integer(1),
    default: D.idec.updateInterval,
  },
  {
    key: 'updateUnit',
    group: 'idec',
    option: 'updateUnit',
    value: '<unit>',
    description: 'unit of --update-interval: epoch, step',
    parse: choice(['epoch', 'step'] as const),
    default: D.idec.updateUnit,
  },
  {
    key: 'idecBatchNorm',
    group: 'idec',
    option: 'batchNorm',
    value: '<mode>',
    description:
      'batch norm during IDEC: train (batch statistics, as the original), eval (pretrained statistics; steadier on small data)',
    parse: choice(['train', 'eval'] as const),
    default: D.idec.batchNorm,
  },
  {
    key: 'tolerance',
    group: 'idec',
    option: 'tolerance',
    value: '<x>',
    description: 'stop IDEC when fewer than this share of cells change cluster',
    parse: number(0, { exclusiveMin: true }),
    default: D.idec.tolerance,
  },
  {
    key: 'idecEpochs',
    group: 'idec',
    option: 'epochs',
    value: '<n>',
    description: 'maximum IDEC epochs',
    parse: integer(0),
    default: D.idec.epochs,
  },
  {
    key: 'idecLr',
    group: 'idec',
    option: 'lr',
    value: '<x>',
    description: 'Adam learning rate of IDEC (default: --lr, at most 0.0001)',
    parse: number(0, { exclusiveMin: true }),
  },
  {
    key: 'centreLrScale',
    group: 'idec',
    option: 'centreLrScale',
    value: '<x>',
    description:
      'learning rate of the cluster centres as a multiple of the IDEC learning rate (0 freezes them)',
    parse: number(0),
    default: D.idec.centreLrScale,
  },
  {
    key: 'kmeansRestarts',
    group: 'idec',
    option: 'kmeansRestarts',
    value: '<n>',
    description: 'k-means restarts (initial centres, --clusters auto)',
    parse: integer(1),
    default: D.idec.kmeansRestarts,
  },
  {
    key: 'backend',
    group: 'runtime',
    option: 'backend',
    value: '<name>',
    description: `tfjs backend: ${BACKEND_NAMES.join(', ')} (default: fastest available)`,
    parse: choice(BACKEND_NAMES),
  },
];

/** Every flag of `cellshape train` that maps into `TrainRunOptions` outside the model's settings. */
export const RUN_FLAGS: readonly RunFlag[] = [...DATA_FLAGS, ...TRAINING_FLAGS];

/** The flag of a camel-case key: `sourcePoints` → `--source-points`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * `TrainRunOptions` from flag values keyed by flag key (`epochs`, `idecLr`, a family's
 * `numPoints`, …): run flags go to their group, the family's settings to `model.settings`.
 * Keys that are neither are returned in `unknown`.
 */
export function optionsOfFlags(
  values: Readonly<Record<string, unknown>>,
  plugin: ModelPlugin<object>,
): { options: TrainRunOptions; unknown: string[] } {
  const groups: Record<Group, Record<string, unknown>> = {
    model: {},
    data: {},
    pretrain: {},
    idec: {},
    runtime: {},
  };
  const settings: Record<string, unknown> = {};
  const settingKeys = new Set(Object.keys(plugin.defaults));
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    const flag = RUN_FLAGS.find((f) => f.key === key);
    if (flag) groups[flag.group][flag.option] = value;
    else if (settingKeys.has(key)) settings[key] = value;
    else unknown.push(key);
  }
  groups.model.settings = settings;
  return { options: groups as TrainRunOptions, unknown };
}

/**
 * The flag values a resolved `config.json` recorded (format 2: grouped; format 1: flat), keyed
 * as {@link optionsOfFlags} reads them.
 */
export function flagsOfConfig(
  options: Record<string, unknown>,
  formatVersion: number,
): Record<string, unknown> {
  if (formatVersion === 1) return { ...options };
  const out: Record<string, unknown> = {};
  const grouped = options as Record<string, Record<string, unknown> | undefined>;
  for (const flag of RUN_FLAGS) out[flag.key] = grouped[flag.group]?.[flag.option];
  Object.assign(out, grouped.model?.settings ?? {});
  return out;
}
