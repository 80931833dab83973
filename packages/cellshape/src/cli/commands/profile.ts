import { BACKEND_NAMES, type BackendName } from '@cellshape/engine';
import { type Command, Option } from 'commander';
import { DEFAULT_EXTRACT_RUN_OPTIONS, extractRun } from '../../run/extract-run.js';
import { DEFAULT_PROFILE_CROP_OPTIONS, profileCrop } from '../../run/profile-crop-run.js';
import { profileEmbedImages } from '../../run/profile-embed-run.js';
import { PROFILE_MODELS } from '../../run/profile-models.js';
import {
  cropInputs,
  PROFILE_MODEL_NAMES,
  type ProfileModelName,
  profileTrain,
} from '../../run/profile-train-run.js';
import { type CommandContext, type CommandOutcome, examples } from '../context.js';
import { UsageError } from '../errors.js';
import { requireFolder, requireRunDir } from '../inputs.js';
import { choice, integer, integerOrAuto, number } from '../parse.js';
import type { ProgressDisplay } from '../progress.js';
import type { CliCommand } from '../registry.js';
import { flagOf } from './train-flags.js';

interface CropFlags {
  out: string;
  table?: string;
  unit?: string;
  labels?: string;
  size: number;
  edge: 'skip' | 'pad';
  mask: 'component' | 'label' | 'none';
  dilate: number;
  frame?: number;
  qc: boolean;
  workers?: number;
  overwrite?: boolean;
  maxPixels?: number;
}

function cropCommand(profile: Command, context: CommandContext): void {
  profile
    .command('crop')
    .description(
      'cut S×S single-cell crops centred on each cell of 2-D images (+ masks, index, QC)',
    )
    .argument('<images...>', '2-D images (TIFF, PNG) or folders of them')
    .requiredOption('--out <dir>', 'output folder: crops/, index.csv, skipped.csv, qc.csv')
    .option(
      '--table <csv>',
      'centroid table: CellProfiler, TrackMate, Usiigaci tracks.csv or x/y columns',
    )
    .option(
      '--labels <path>',
      'label image, or folder of label images named like the images (gives masks)',
    )
    .option(
      '--unit <unit>',
      "unit of the table's x, y when it states none (pixel, µm; TrackMate states it in its units row)",
    )
    .option('--size <n>', 'crop side in pixels', integer(4), DEFAULT_PROFILE_CROP_OPTIONS.size)
    .option(
      '--edge <mode>',
      'crops leaving the image: skip (listed) or pad',
      choice(['skip', 'pad'] as const),
      'skip',
    )
    .option(
      '--mask <mode>',
      'mask crops: component (under the centre), label, none',
      choice(['component', 'label', 'none'] as const),
      DEFAULT_PROFILE_CROP_OPTIONS.mask,
    )
    .option(
      '--dilate <px>',
      'dilate masks by a disk of this radius',
      integer(0),
      DEFAULT_PROFILE_CROP_OPTIONS.dilate,
    )
    .option('--frame <n>', 'frame of a table that spans frames (default: its first)', integer(0))
    .option('--no-qc', 'skip the focus and intensity QC of the images')
    .option('--workers <n>', 'worker threads (0: main thread); default one per core', integer(0))
    .option('--overwrite', 'crop again the images an earlier run finished (default: resume)')
    .option(
      '--max-pixels <n>',
      'the most pixels an image may declare; default 2^31, and 1/2/4-bit, palette and label images at most ~1000× their file size (setting it lifts that bound)',
      integer(1),
    )
    .addHelpText(
      'after',
      examples([
        [
          'cellshape profile crop plate1/ --table Cells.csv --labels masks/ --out crops',
          'CellProfiler objects',
        ],
        [
          'cellshape profile crop phase_t01.tif --table tracks.csv --labels id_masks_t01.png --out crops',
          'a Usiigaci frame',
        ],
        [
          'cellshape profile crop plate1/ --labels masks/ --out crops',
          'cells of label images alone',
        ],
      ]),
    )
    .action((images: string[], flags: CropFlags, command: Command) =>
      context.execute(command, ({ progress }) => crop(images, flags, progress)),
    );
}

/** `cellshape profile crop`: profile's `cropFolder` with the command line's defaults. */
async function crop(
  images: string[],
  flags: CropFlags,
  progress: ProgressDisplay,
): Promise<CommandOutcome> {
  if (flags.table === undefined && flags.labels === undefined)
    throw new UsageError('give the cells: --table <csv>, --labels <path>, or both');
  const { out, frame, workers, overwrite, maxPixels, ...rest } = flags;
  const result = await profileCrop(images, out, {
    ...rest,
    overwrite: overwrite === true,
    ...(frame === undefined ? {} : { frame }),
    ...(workers === undefined ? {} : { workers }),
    ...(maxPixels === undefined ? {} : { maxPixels }),
    onProgress: progress.callback('crop'),
    onNote: (text) => progress.note(text),
  });
  const refused = result.failed.filter((f) => f.reason.includes('options.maxPixels'));
  if (refused.length > 0)
    progress.note(
      `${refused.length} image(s) refused by a size limit (a guard against decompression bombs): if you trust them, pass --max-pixels <n> with n ≥ their pixels`,
    );
  return {
    json: { ...result },
    text: `${result.crops} crops from ${result.images} images (${result.skipped} cells skipped, ${result.failed.length} images failed) in ${result.out}`,
    exitCode: result.crops === 0 ? 1 : 0,
  };
}

interface TrainFlags {
  out: string;
  model: ProfileModelName;
  epochs: number;
  batchSize: number;
  lr: number;
  clusters: number | 'auto';
  resume?: boolean;
  overwrite?: boolean;
  backend?: BackendName;
  [setting: string]: unknown;
}

/** Every 2-D family's settings as flags, each once, scoped in help to the families that have it. */
function addProfileModelFlags(command: Command): string[] {
  const keys: string[] = [];
  for (const plugin of PROFILE_MODELS)
    for (const flag of plugin.flags) {
      if (keys.includes(flag.key)) continue;
      keys.push(flag.key);
      const owners = PROFILE_MODELS.filter((p) => p.flags.some((f) => f.key === flag.key));
      const scope =
        owners.length === PROFILE_MODELS.length ? '' : ` [${owners.map((p) => p.name).join(', ')}]`;
      const defaults = [
        ...new Set(owners.map((p) => String((p.defaults as Record<string, unknown>)[flag.key]))),
      ];
      const shown = ['size', 'channels'].includes(flag.key) ? "the crops'" : defaults.join(' / ');
      command.addOption(
        new Option(
          `${flagOf(flag.key)} ${flag.value}`,
          `${flag.description}${scope} (default: ${shown})`,
        ).argParser(flag.parse),
      );
    }
  return keys;
}

function trainCommand(profile: Command, context: CommandContext): void {
  const command = profile
    .command('train')
    .description(
      'train a 2-D model on crops, cluster the cells, write a run directory (then: cellshape report / analyse)',
    )
    .argument('<crops>', 'output folder of `cellshape profile crop` (or a folder of crop images)')
    .requiredOption('--out <dir>', 'run directory')
    .option(
      '--model <name>',
      `2-D family: ${PROFILE_MODEL_NAMES.join(', ')}`,
      choice(PROFILE_MODEL_NAMES),
      'siamese',
    )
    .option('--epochs <n>', 'training epochs', integer(0), 30)
    .option('--batch-size <n>', 'crops per batch', integer(2), 32)
    .option(
      '--lr <x>',
      'peak Adam learning rate (warm-up + cosine)',
      number(0, { exclusiveMin: true }),
      1e-3,
    )
    .option('--clusters <k>', "clusters K, or 'auto' (elbow)", integerOrAuto(2), 'auto')
    .option('--resume', 'continue an interrupted run in --out')
    .option('--overwrite', 'replace the run in --out')
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, choice(BACKEND_NAMES));
  const keys = addProfileModelFlags(command);
  command
    .addHelpText(
      'after',
      examples([
        [
          'cellshape profile train crops --out runs/bt',
          'Siamese encoder, Barlow Twins, dihedral views',
        ],
        [
          'cellshape profile train crops --out runs/fbr --views fbr --lambda 0.01',
          'with FBR views',
        ],
        [
          'cellshape profile train crops --out runs/clf --model classifier --target Metadata_Treatment',
          'a treatment classifier',
        ],
        ['cellshape report runs/bt', 'crop galleries per cluster, UMAP, training curves, QC'],
      ]),
    )
    .action(async (crops: string, flags: TrainFlags, cmd: Command) => {
      await context.execute(cmd, async ({ globals, progress }) => {
        const settings = Object.fromEntries(
          keys.filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => [k, flags[k]]),
        );
        const result = await profileTrain(requireFolder(crops, 'the crops folder'), flags.out, {
          model: { family: flags.model, settings },
          data: { batchSize: flags.batchSize },
          pretrain: { epochs: flags.epochs, lr: flags.lr },
          idec: { clusters: flags.clusters },
          runtime: {
            seed: globals.seed,
            ...(flags.resume ? { resume: true } : {}),
            ...(flags.overwrite ? { overwrite: true } : {}),
            ...(flags.backend ? { backend: flags.backend } : {}),
            onProgress: (stage, event) => progress.callback(stage)(event),
            onNote: (text) => progress.note(text),
          },
        });
        const s = result.summary;
        return {
          json: { runDir: result.runDir, summary: s },
          text: `${s.model}: ${s.cells} crops, ${s.clusters} clusters (sizes ${s.clusterSizes.join(', ')}), final loss ${s.pretrain.finalLoss?.toPrecision(4) ?? '–'}\nrun directory: ${result.runDir}`,
        };
      });
    });
}

interface EmbedFlags {
  out: string;
  wholeImages?: boolean;
  stride?: number;
  idColumn: string;
  metadata?: string;
  checkpoint: string;
  batchSize: number;
  backend?: BackendName;
}

function embedCommand(profile: Command, context: CommandContext): void {
  profile
    .command('embed')
    .description(
      'embed crops with a trained 2-D run: one CSV row per crop with features, cluster and soft labels',
    )
    .argument('<run-dir>', 'run directory of `cellshape profile train`')
    .argument(
      '[input]',
      "crops folder (of `cellshape profile crop`; default: the run's), or images with --whole-images",
    )
    .requiredOption('--out <csv>', 'CSV to write: id, metadata, cluster, q0…, f0…')
    .option(
      '--whole-images',
      'embed whole images: tiles of the model input size, mean over tiles, one row per image',
    )
    .option(
      '--stride <px>',
      'with --whole-images: step between tiles (default: the tile size)',
      integer(1),
    )
    .option(
      '--id-column <name>',
      'with --whole-images: metadata column naming each image (its file stem)',
      'id',
    )
    .option('--metadata <csv>', "metadata CSV of [input]; default: the crops' index.csv")
    .option(
      '--checkpoint <which>',
      'checkpoint: last, best or a path',
      DEFAULT_EXTRACT_RUN_OPTIONS.checkpoint,
    )
    .option(
      '--batch-size <n>',
      'crops per forward pass',
      integer(1),
      DEFAULT_EXTRACT_RUN_OPTIONS.batchSize,
    )
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, choice(BACKEND_NAMES))
    .addHelpText(
      'after',
      examples([
        ['cellshape profile embed runs/bt --out runs/bt/cells.csv', 'the training crops'],
        ['cellshape profile embed runs/bt plate2-crops --out plate2.csv', 'new crops, same model'],
        [
          'cellshape profile embed runs/ae wells/ --whole-images --metadata plate.csv --out wells.csv',
          'whole-image embeddings by tiling',
        ],
        [
          'cellshape analyse runs/bt/cells.csv --group-by Metadata_Well',
          'then per-well profiles, clusters, classifiers',
        ],
      ]),
    )
    .action(
      async (runDir: string, crops: string | undefined, flags: EmbedFlags, command: Command) => {
        await context.execute(command, ({ progress }) =>
          flags.wholeImages
            ? embedWholeImages(runDir, crops, flags, progress)
            : embedCrops(runDir, crops, flags, progress),
        );
      },
    );
}

/** `profile embed --whole-images`: one row per image, the mean of its tiles' embeddings. */
async function embedWholeImages(
  runDir: string,
  images: string | undefined,
  flags: EmbedFlags,
  progress: ProgressDisplay,
): Promise<CommandOutcome> {
  if (images === undefined)
    throw new UsageError(
      '--whole-images needs the images: cellshape profile embed <run-dir> <images> --whole-images',
    );
  const result = await profileEmbedImages(requireRunDir(runDir), [images], flags.out, {
    checkpoint: flags.checkpoint,
    idColumn: flags.idColumn,
    ...(flags.stride ? { stride: flags.stride } : {}),
    ...(flags.metadata ? { metadata: flags.metadata } : {}),
    onProgress: progress.callback('embed'),
  });
  return {
    json: { ...result },
    text: `wrote ${result.images} image embeddings (${result.features} features) to ${result.output}${result.warnings.length > 0 ? `; ${result.warnings.length} warnings (images or metadata rows left out or unjoined: see --json)` : ''}`,
  };
}

/** `profile embed`: one row per crop (the run's crops, or a crops folder), as `extract` does. */
async function embedCrops(
  runDir: string,
  crops: string | undefined,
  flags: EmbedFlags,
  progress: ProgressDisplay,
): Promise<CommandOutcome> {
  const input =
    crops === undefined
      ? undefined
      : cropInputs('cellshape profile embed', requireFolder(crops, 'the crops folder'));
  const metadata = flags.metadata ?? input?.index;
  const result = await extractRun(requireRunDir(runDir), flags.out, {
    ...(input ? { input: input.crops } : {}),
    ...(metadata ? { metadata } : {}),
    ...(flags.backend ? { backend: flags.backend } : {}),
    checkpoint: flags.checkpoint,
    batchSize: flags.batchSize,
    onProgress: progress.callback('extract'),
  });
  return {
    json: { ...result },
    text: `wrote ${result.cells} crops (${result.features} features, ${result.clusters} clusters) to ${result.output}`,
  };
}

/** `cellshape profile crop | train | embed`: the 2-D single-cell pipeline. */
export const profileCommand: CliCommand = {
  name: 'profile',
  register(program, context) {
    const profile = program
      .command('profile')
      .description(
        '2-D images: crop cells, train a Siamese encoder / autoencoder / classifier, embed',
      )
      .addHelpText(
        'after',
        examples([
          [
            'cellshape profile crop images/ --table cells.csv --labels masks/ --out crops',
            'crops + masks',
          ],
          [
            'cellshape profile train crops --out runs/bt --views fbr',
            'Siamese encoder, Barlow Twins',
          ],
          ['cellshape profile embed runs/bt --out cells.csv', 'features per crop'],
          ['cellshape demo --profile', 'the whole 2-D pipeline on synthetic data'],
        ]),
      );
    cropCommand(profile, context);
    trainCommand(profile, context);
    embedCommand(profile, context);
  },
};
