import { existsSync } from 'node:fs';
import { IncompatibleError } from '@cellshape/core';
import { type Command, Option } from 'commander';
import { describeDifferences, InitMismatchError } from '../../run/init-weights.js';
import type { ModelPlugin } from '../../run/model-plugin.js';
import { DEFAULT_MODEL, modelNames, modelPlugin, modelPlugins } from '../../run/model-registry.js';
import { type RunConfig, readJson, runPaths } from '../../run/run-directory.js';
import { TRAIN_PRESET_NAMES, TRAIN_PRESETS } from '../../run/train-presets.js';
import { trainRun } from '../../run/train-run.js';
import type { TrainRunOptions } from '../../run/train-run-options.js';
import { type CommandContext, examples } from '../context.js';
import { UsageError } from '../errors.js';
import { inputFolderError, requireFile, requireFolder } from '../inputs.js';
import type { CliCommand } from '../registry.js';
import {
  DATA_FLAGS,
  flagOf,
  flagsOfConfig,
  optionsOfFlags,
  type RunFlag,
  TRAINING_FLAGS,
} from './train-flags.js';

/** Flags that steer the command, not the run's options. */
type CommandFlags = {
  out: string;
  model: string;
  resume?: boolean;
  overwrite?: boolean;
  preset?: string;
};

function format(value: number | null): string {
  return value === null ? '–' : value.toPrecision(5);
}

/** An init checkpoint that does not fit, told in flags: `--init x.pt does not fit … --features 8 …`. */
function initMismatch(error: InitMismatchError, init: unknown): IncompatibleError {
  const what =
    error.differences.length > 0 ? describeDifferences(error.differences, flagOf) : error.reason;
  return new IncompatibleError(
    `--init ${String(init ?? error.path)} does not fit the model of the flags: ${what}`,
    {
      fn: 'cellshape train',
      arg: '--init',
      cause: error,
    },
  );
}

/**
 * Help text with the default trainRun applies: flags carry no commander default, so that only
 * the flags given reach the options (and override saved ones on `--resume`).
 */
function withDefault(description: string, value: unknown): string {
  return value === undefined ? description : `${description} (default: ${String(value)})`;
}

function addRunFlag(command: Command, flag: RunFlag): void {
  const option = new Option(
    `${flagOf(flag.key)} ${flag.value}`,
    withDefault(flag.description, flag.default),
  );
  if (flag.parse) option.argParser(flag.parse);
  command.addOption(option);
}

/**
 * Every registered family's settings as flags, each once; help names the families a flag
 * belongs to when not all of them have it, and the default.
 */
function addModelFlags(command: Command, plugins: readonly ModelPlugin<object>[]): void {
  const seen = new Set<string>();
  for (const plugin of plugins)
    for (const flag of plugin.flags) {
      if (seen.has(flag.key)) continue;
      seen.add(flag.key);
      const owners = plugins.filter((p) => p.flags.some((f) => f.key === flag.key));
      const scope =
        owners.length === plugins.length
          ? ''
          : ` [--model ${owners.map((p) => p.name).join(', ')}]`;
      const defaults = owners.map((p) => (p.defaults as Record<string, unknown>)[flag.key]);
      const shown =
        new Set(defaults.map(String)).size === 1
          ? String(defaults[0])
          : owners.map((p, i) => `${String(defaults[i])} for ${p.name}`).join(', ');
      // Families sharing a flag may accept different values (--encoder dgcnn | resnet): the
      // text is parsed by the first family that accepts it; the chosen family validates it.
      const own = owners.map((p) => p.flags.find((f) => f.key === flag.key)!);
      const texts = new Set(own.map((f) => f.description));
      const described =
        texts.size === 1
          ? flag.description
          : own.map((f, i) => `${f.description} (${owners[i]!.name})`).join('; ');
      const description = withDefault(`${described}${scope}`, shown);
      const parse = (text: string): unknown => {
        let first: unknown;
        for (const f of own) {
          try {
            return f.parse(text);
          } catch (error) {
            first ??= error;
          }
        }
        throw first;
      };
      command.addOption(
        new Option(`${flagOf(flag.key)} ${flag.value}`, description).argParser(parse),
      );
    }
}

/** The flag values given on the command line (not defaults), keyed as the flags. */
function givenFlags(command: Command): Record<string, unknown> {
  const values = command.opts() as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(values).filter(([key]) => command.getOptionValueSource(key) === 'cli'),
  );
}

/**
 * The run's options: the command line's; with `--resume`, what `config.json` recorded,
 * overridden by the flags given now (so `--resume --epochs 300` only changes the epochs).
 */
async function runOptions(
  command: Command,
  flags: CommandFlags,
  seed: number,
): Promise<TrainRunOptions> {
  const given = givenFlags(command);
  const {
    out,
    model: _m,
    resume: _r,
    overwrite: _o,
    preset: _p,
    ...cli
  } = given as Record<string, unknown>;
  let saved: Record<string, unknown> = {};
  let family = flags.model;
  let savedSeed: number | undefined;
  const paths = runPaths(String(out ?? flags.out));
  if (flags.resume && existsSync(paths.config)) {
    const config = await readJson<RunConfig>('cellshape train', paths.config);
    saved = flagsOfConfig(config.options, config.formatVersion);
    if (command.getOptionValueSource('model') !== 'cli') family = config.model;
    savedSeed = config.seed;
  }
  const plugin = modelPlugin(family);
  const { unknown } = optionsOfFlags(cli, plugin);
  if (unknown.length > 0)
    throw new UsageError(
      `${unknown.map(flagOf).join(', ')} ${unknown.length === 1 ? 'is not a setting' : 'are not settings'} of --model ${family}`,
    );
  const preset = flags.preset === undefined ? undefined : TRAIN_PRESETS[flags.preset]!;
  if (preset !== undefined && preset.model !== family)
    throw new UsageError(`--preset ${flags.preset} is for --model ${preset.model}, not ${family}`);
  // Saved values that are no flag (format 1 kept seed, resume, …) are left out. A preset sits
  // under what a resumed run saved and under the flags given.
  const { options } = optionsOfFlags({ ...preset?.values, ...saved, ...cli }, plugin);
  const globalSeed =
    command.parent?.getOptionValueSource('seed') === 'cli' ? seed : (savedSeed ?? seed);
  options.model = { ...options.model, family };
  options.runtime = { ...options.runtime, seed: globalSeed };
  return options;
}

async function train(
  points: string,
  flags: CommandFlags,
  command: Command,
  context: CommandContext,
): Promise<void> {
  await context.execute(command, async ({ globals, progress }) => {
    if (!modelNames().includes(flags.model))
      throw new UsageError(
        `--model ${flags.model} is not a registered model family (${modelNames().join(', ')})`,
      );
    const input = requireFolder(points, 'the input folder');
    const init = command.getOptionValue('init') as string | undefined;
    if (init !== undefined) requireFile(init, 'the --init checkpoint');
    if (flags.resume && flags.overwrite)
      throw new UsageError('--resume and --overwrite exclude each other');
    const options = await runOptions(command, flags, globals.seed);
    const {
      summary,
      runDir,
      init: initialised,
    } = await trainRun(input, flags.out, {
      ...options,
      runtime: {
        ...options.runtime,
        resume: flags.resume === true,
        overwrite: flags.overwrite === true,
        onProgress: (stage, event) => progress.callback(stage)(event),
        onNote: (text) => progress.note(text),
      },
    }).catch((error: unknown) => {
      if (error instanceof InitMismatchError) throw initMismatch(error, init);
      throw inputFolderError(error, points, modelPlugin(flags.model).input);
    });
    const sizes = summary.clusterSizes.join(', ');
    const clustering =
      summary.clustering === 'kmeans'
        ? 'k-means on the features'
        : `IDEC: ${summary.idec.epochs} epochs, loss ${format(summary.idec.finalLoss)}${summary.idec.converged ? ' (converged)' : ''}`;
    return {
      json: { runDir, summary, init: initialised },
      text: [
        `run directory: ${runDir}`,
        ...(initialised ? [`initial weights: ${initialised.path}`] : []),
        `${summary.cells} cells, ${summary.clusters} clusters (sizes ${sizes})`,
        `pretraining: ${summary.pretrain.epochs} epochs, loss ${format(summary.pretrain.finalLoss)}; ${clustering}`,
        `next: cellshape report ${runDir}`,
      ].join('\n'),
    };
  });
}

const EXAMPLES: [string, string][] = [
  [
    'cellshape train out/points --out runs/exp1 --metadata cells.csv',
    'the paper’s settings (250 epochs, K by the elbow)',
  ],
  ['cellshape train out/points --out runs/exp1 --resume', 'continue after an interruption'],
  [
    'cellshape train out/points --out runs/small --preset small-data --metadata cells.csv',
    'a few dozen cells: the measured small-data settings (docs/small-data.md)',
  ],
  [
    'cellshape train out/points --out runs/quick --epochs 20 --features 64 --clusters 5',
    'a shorter run',
  ],
  [
    'cellshape train out/points --out runs/dec --init dfn_128.pt --epochs 0 --clusters 5',
    'IDEC straight from a PyTorch cellshape-cloud autoencoder (k 20, 45×45 plane)',
  ],
];

/**
 * `cellshape train <input> --out <run-dir>`: pretraining, then clustering, into a run directory.
 * The flags of every registered model family are offered; `--model` picks the family.
 */
export const trainCommand: CliCommand = {
  name: 'train',
  register(program, context) {
    const plugins = modelPlugins();
    const command = program
      .command('train')
      .description(
        'pretrain a model on a folder of cells, then cluster them (IDEC, or k-means for encoder-only models); writes a run directory',
      )
      .argument('<input>', modelPlugin(DEFAULT_MODEL).input)
      .requiredOption(
        '--out <run-dir>',
        'run directory to write (config, checkpoints, logs, features, assignments)',
      )
      .addOption(
        new Option(
          '--model <name>',
          `model family: ${plugins.map((p) => `${p.name} (${p.description})`).join('; ')}`,
        )
          .choices(plugins.map((p) => p.name))
          .default(DEFAULT_MODEL),
      );
    for (const flag of DATA_FLAGS) addRunFlag(command, flag);
    addModelFlags(command, plugins);
    for (const flag of TRAINING_FLAGS) addRunFlag(command, flag);
    command
      .option(
        '--resume',
        'continue an interrupted run in --out (pretraining or IDEC); unchanged flags keep their saved values',
      )
      .option('--overwrite', 'replace the run in --out')
      .addOption(
        new Option(
          '--preset <name>',
          `defaults for a kind of data; flags given override them: ${TRAIN_PRESET_NAMES.map((n) => `${n} (${TRAIN_PRESETS[n]!.description})`).join('; ')}`,
        ).choices(TRAIN_PRESET_NAMES),
      )
      .addHelpText('after', examples(EXAMPLES))
      .action((points: string, flags: CommandFlags, cmd: Command) =>
        train(points, flags, cmd, context),
      );
  },
};
