import { existsSync } from 'node:fs';
import { IncompatibleError, UnsupportedError } from '@cellshape/core';
import { BACKEND_NAMES } from '@cellshape/engine';
import { NORMALISE_PRESETS } from '@cellshape/helper';
import { type Command, Option } from 'commander';
import { describeDifferences, InitMismatchError } from '../../run/init-weights.js';
import { MODEL_KINDS, type ModelKind } from '../../run/model-plugin.js';
import { modelPlugin } from '../../run/models.js';
import { type RunConfig, readJson, runPaths } from '../../run/run-directory.js';
import { DEFAULT_TRAIN_RUN_OPTIONS, type TrainRunOptions, trainRun } from '../../run/train-run.js';
import { examples } from '../context.js';
import { UsageError } from '../errors.js';
import { requireFile, requireFolder } from '../inputs.js';
import { choice, integer, integerOrAuto, integerRange, number } from '../parse.js';
import type { CliCommand } from '../registry.js';

type TrainFlags = Omit<TrainRunOptions, 'onProgress' | 'onNote' | 'seed'> & { out: string };

/** Flags that do not belong in the run's options. */
const NOT_OPTIONS = new Set(['out', 'resume', 'overwrite']);

/**
 * The options of a resumed run: what `config.json` recorded, overridden by the flags given on
 * this command line (so `--resume --epochs 300` only changes the epochs).
 */
async function resumedOptions(
  command: Command,
  flags: TrainFlags,
  runDir: string,
): Promise<Partial<TrainRunOptions>> {
  const paths = runPaths(runDir);
  if (!existsSync(paths.config)) return {};
  const saved = (await readJson<RunConfig>('cellshape train', paths.config)).options;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(saved)) {
    if (NOT_OPTIONS.has(key) || value === null) continue;
    if (key === 'seed') {
      if (command.parent?.getOptionValueSource('seed') !== 'cli') out.seed = value;
    } else if (command.getOptionValueSource(key) !== 'cli') out[key] = value;
  }
  for (const [key, value] of Object.entries(flags))
    if (command.getOptionValueSource(key) === 'cli' && !NOT_OPTIONS.has(key)) out[key] = value;
  return out as Partial<TrainRunOptions>;
}

function format(value: number | null): string {
  return value === null ? '–' : value.toPrecision(5);
}

/** The flag of a run option: `sourcePoints` → `--source-points`. */
function flagOf(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** An init checkpoint that does not fit, told in flags: `--init x.pt does not fit … --features 8 …`. */
function initMismatch(error: InitMismatchError, init: string | undefined): IncompatibleError {
  const what =
    error.differences.length > 0 ? describeDifferences(error.differences, flagOf) : error.reason;
  return new IncompatibleError(
    `--init ${init ?? error.path} does not fit the model of the flags: ${what}`,
    { fn: 'cellshape train', arg: '--init', cause: error },
  );
}

/** `cellshape train <points> --out <run-dir>`: pretraining, then IDEC, into a run directory. */
export const trainCommand: CliCommand = {
  name: 'train',
  register(program, context) {
    const d = DEFAULT_TRAIN_RUN_OPTIONS;
    program
      .command('train')
      .description(
        'pretrain the autoencoder on a folder of point clouds, then cluster with IDEC; writes a run directory',
      )
      .argument(
        '<points>',
        'folder of .ply point clouds (e.g. the points/ folder of `cellshape convert`)',
      )
      .requiredOption(
        '--out <run-dir>',
        'run directory to write (config, checkpoints, logs, features, assignments)',
      )
      .option(
        '--model <model>',
        `model family: ${MODEL_KINDS.join(', ')}`,
        choice(MODEL_KINDS),
        d.model,
      )
      .option(
        '--metadata <csv>',
        'metadata CSV (e.g. Treatment, PlateNumber, serialNumber), one row per cell',
      )
      .option(
        '--id-column <name>',
        'metadata column naming the point-cloud file of each cell',
        d.idColumn,
      )
      .option('--num-points <n>', 'points per cloud (resampled)', integer(1), d.numPoints)
      .option(
        '--normalise <preset>',
        `cloud normalisation: ${NORMALISE_PRESETS.join(', ')}`,
        choice(NORMALISE_PRESETS),
        d.normalise,
      )
      .option(
        '--encoder <type>',
        'encoder: dgcnn, foldingnet',
        choice(['dgcnn', 'foldingnet'] as const),
        d.encoder,
      )
      .option(
        '--decoder <type>',
        'decoder: foldingnet, foldingnetbasic',
        choice(['foldingnet', 'foldingnetbasic'] as const),
        d.decoder,
      )
      .option('--features <n>', 'number of features F', integer(2), d.features)
      .option('--k <n>', 'neighbours in the encoder graphs', integer(1), d.k)
      .option(
        '--source-shape <shape>',
        'decoder source points: plane, sphere, gaussian',
        choice(['plane', 'sphere', 'gaussian'] as const),
        d.sourceShape,
      )
      .option(
        '--source-points <n>',
        'reconstructed points (a perfect square for plane)',
        integer(4),
        d.sourcePoints,
      )
      .option(
        '--source-std <x>',
        'scale of the source points',
        number(0, { exclusiveMin: true }),
        d.sourceStd,
      )
      .option(
        '--init <checkpoint>',
        'initialise the autoencoder before pretraining from a checkpoint: a .ckpt of a run (e.g. <run-dir>/pretrain/best.ckpt) or a cellshape-cloud .pt; its architecture must match the flags',
      )
      .option(
        '--epochs <n>',
        'pretraining epochs (0 with --init: IDEC straight from it)',
        integer(0),
        d.epochs,
      )
      .option('--batch-size <n>', 'clouds per batch', integer(1), d.batchSize)
      .option('--lr <x>', 'Adam learning rate', number(0, { exclusiveMin: true }), d.lr)
      .option('--weight-decay <x>', 'Adam weight decay', number(0), d.weightDecay)
      .option(
        '--lr-decay <x>',
        'exponential learning-rate decay per epoch (1 = off)',
        number(0, { exclusiveMin: true, max: 1 }),
        d.lrDecay,
      )
      .option(
        '--loss <form>',
        "Chamfer form: sum (the original's), extended (the paper's)",
        choice(['sum', 'extended'] as const),
        d.loss,
      )
      .option(
        '--clusters <K|auto>',
        'clusters K, or auto: elbow (Kneedle) of k-means inertia over --k-range',
        integerOrAuto(1),
        d.clusters,
      )
      .addOption(
        new Option('--k-range <lo:hi>', 'k tried by --clusters auto')
          .argParser(integerRange(1))
          .default([...d.kRange], d.kRange.join(':')),
      )
      .option('--gamma <x>', 'weight of the clustering loss', number(0), d.gamma)
      .option(
        '--alpha <x>',
        'Student-t degrees of freedom of the soft assignment',
        number(0, { exclusiveMin: true }),
        d.alpha,
      )
      .option(
        '--update-interval <n>',
        'refresh the target distribution every n units',
        integer(1),
        d.updateInterval,
      )
      .option(
        '--update-unit <unit>',
        'unit of --update-interval: epoch, step',
        choice(['epoch', 'step'] as const),
        d.updateUnit,
      )
      .option(
        '--idec-batch-norm <mode>',
        'batch norm during IDEC: train (batch statistics, as the original), eval (pretrained statistics; steadier on small data)',
        choice(['train', 'eval'] as const),
        d.idecBatchNorm,
      )
      .option(
        '--tolerance <x>',
        'stop IDEC when fewer than this share of cells change cluster',
        number(0, { exclusiveMin: true }),
        d.tolerance,
      )
      .option('--idec-epochs <n>', 'maximum IDEC epochs', integer(0), d.idecEpochs)
      .option(
        '--idec-lr <x>',
        'Adam learning rate of IDEC (default: --lr, at most 0.0001)',
        number(0, { exclusiveMin: true }),
      )
      .option(
        '--centre-lr-scale <x>',
        'learning rate of the cluster centres as a multiple of the IDEC learning rate (0 freezes them)',
        number(0),
        d.centreLrScale,
      )
      .option(
        '--kmeans-restarts <n>',
        'k-means restarts (initial centres, --clusters auto)',
        integer(1),
        d.kmeansRestarts,
      )
      .option(
        '--backend <name>',
        `tfjs backend: ${BACKEND_NAMES.join(', ')} (default: fastest available)`,
        choice(BACKEND_NAMES),
      )
      .option(
        '--resume',
        'continue an interrupted run in --out (pretraining or IDEC); unchanged flags keep their saved values',
      )
      .option('--overwrite', 'replace the run in --out')
      .addHelpText(
        'after',
        examples([
          [
            'cellshape train out/points --out runs/exp1 --metadata cells.csv',
            'the paper’s settings (250 epochs, K by the elbow)',
          ],
          ['cellshape train out/points --out runs/exp1 --resume', 'continue after an interruption'],
          [
            'cellshape train out/points --out runs/quick --epochs 20 --features 64 --clusters 5',
            'a shorter run',
          ],
          [
            'cellshape train out/points --out runs/dec --init dfn_128.pt --epochs 0 --clusters 5',
            'IDEC straight from a PyTorch cellshape-cloud autoencoder (k 20, 45×45 plane)',
          ],
        ]),
      )
      .action(
        async (
          points: string,
          flags: TrainFlags & { resume?: boolean; overwrite?: boolean },
          command: Command,
        ) => {
          await context.execute(command, async ({ globals, progress }) => {
            try {
              modelPlugin(flags.model as ModelKind);
            } catch (error) {
              if (error instanceof UnsupportedError)
                throw new UsageError(
                  `--model ${flags.model} is not available in this version; use --model cloud`,
                );
              throw error;
            }
            const input = requireFolder(points, 'the points folder');
            if (flags.init !== undefined) requireFile(flags.init, 'the --init checkpoint');
            if (flags.resume && flags.overwrite)
              throw new UsageError('--resume and --overwrite exclude each other');
            const { out, resume, overwrite, ...rest } = flags;
            const base: TrainRunOptions = resume
              ? await resumedOptions(command, flags, out)
              : { ...rest, seed: globals.seed };
            const seed = base.seed ?? globals.seed;
            const { summary, runDir, init } = await trainRun(input, out, {
              ...base,
              seed,
              resume: resume === true,
              overwrite: overwrite === true,
              onProgress: (stage, event) => progress.callback(stage)(event),
              onNote: (text) => progress.note(text),
            }).catch((error: unknown) => {
              throw error instanceof InitMismatchError ? initMismatch(error, flags.init) : error;
            });
            const sizes = summary.clusterSizes.join(', ');
            return {
              json: { runDir, summary, init },
              text: [
                `run directory: ${runDir}`,
                ...(init ? [`initial weights: ${init.path}`] : []),
                `${summary.cells} cells, ${summary.clusters} clusters (sizes ${sizes})`,
                `pretraining: ${summary.pretrain.epochs} epochs, loss ${format(summary.pretrain.finalLoss)}; IDEC: ${summary.idec.epochs} epochs, loss ${format(summary.idec.finalLoss)}${summary.idec.converged ? ' (converged)' : ''}`,
                `next: cellshape report ${runDir}`,
              ].join('\n'),
            };
          });
        },
      );
  },
};
