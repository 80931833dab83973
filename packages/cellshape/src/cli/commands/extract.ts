import { BACKEND_NAMES, type BackendName } from '@cellshape/engine';
import type { Command } from 'commander';
import { extractDistributed } from '../../distributed/extract-distributed.js';
import {
  DEFAULT_EXTRACT_RUN_OPTIONS,
  type ExtractRunOptions,
  extractRun,
} from '../../run/extract-run.js';
import { type CommandOutcome, type CommandRun, examples } from '../context.js';
import { inputFolderError, requireFolder, requireRunDir } from '../inputs.js';
import { choice, integer } from '../parse.js';
import type { CliCommand } from '../registry.js';
import { redisUrl } from './worker.js';

interface ExtractFlags {
  out: string;
  metadata?: string;
  checkpoint: string;
  batchSize: number;
  chunkSize: number;
  backend?: BackendName;
  redis?: string;
  featuresWith: 'none' | 'classical';
}

/** The `extract` command with its arguments, options and examples (no action yet). */
function defineExtract(program: Command): Command {
  return program
    .command('extract')
    .description(
      'encode cells with a trained run: one CSV row per cell with cluster, soft labels q and features',
    )
    .argument('<run-dir>', 'run directory written by `cellshape train`')
    .argument(
      '[input]',
      "folder of cells of the run's model family (.ply point clouds for cloud); default: the run's training folder",
    )
    .requiredOption('--out <csv>', 'CSV to write: id, metadata, cluster, q0…, f0…')
    .option(
      '--metadata <csv>',
      "metadata CSV for [input]; default: the run's, when [input] is not given",
    )
    .option(
      '--checkpoint <which>',
      'IDEC checkpoint: last, best or a path',
      DEFAULT_EXTRACT_RUN_OPTIONS.checkpoint,
    )
    .option(
      '--batch-size <n>',
      'clouds per forward pass',
      integer(1),
      DEFAULT_EXTRACT_RUN_OPTIONS.batchSize,
    )
    .option(
      '--chunk-size <n>',
      'cells per part file: the unit of resumption (a killed extract resumes from its finished parts)',
      integer(1),
      DEFAULT_EXTRACT_RUN_OPTIONS.chunkSize,
    )
    .option(
      '--features-with <set>',
      'extra columns beside the learned features: classical (the classical shape measures, standardised, as classical_<measure>), none',
      choice(['none', 'classical'] as const),
      DEFAULT_EXTRACT_RUN_OPTIONS.featuresWith,
    )
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, choice(BACKEND_NAMES))
    .option(
      '--redis <url>',
      'spread the work over `cellshape worker` processes through Redis (see docs/distributed.md)',
      redisUrl,
    )
    .addHelpText(
      'after',
      examples([
        ['cellshape extract runs/exp1 --out runs/exp1/cells.csv', 'the training cells'],
        [
          'cellshape extract runs/exp1 plate7/points --metadata plate7.csv --out plate7.csv',
          'new cells, same model',
        ],
        [
          'cellshape extract runs/exp1 big/points --out big.csv',
          'run it again after an interruption: finished chunks are kept',
        ],
        [
          'cellshape extract runs/exp1 --out cells.csv --features-with classical',
          'learned features and classical shape measures side by side (for cellshape analyse)',
        ],
      ]),
    );
}

/** Encodes the cells (here, or through Redis workers) and tells what was written. */
async function extract(
  runDir: string,
  points: string | undefined,
  flags: ExtractFlags,
  { progress }: CommandRun,
): Promise<CommandOutcome> {
  const run = requireRunDir(runDir);
  const extractCells =
    flags.redis === undefined
      ? extractRun
      : (r: string, o: string, options: ExtractRunOptions) =>
          extractDistributed(flags.redis!, r, o, options);
  const result = await extractCells(run, flags.out, {
    ...(points !== undefined ? { input: requireFolder(points, 'the input folder') } : {}),
    ...(flags.metadata !== undefined ? { metadata: flags.metadata } : {}),
    ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
    checkpoint: flags.checkpoint,
    batchSize: flags.batchSize,
    chunkSize: flags.chunkSize,
    featuresWith: flags.featuresWith,
    onProgress: progress.callback('extract'),
  }).catch((error: unknown) => {
    throw points === undefined
      ? error
      : inputFolderError(error, points, "folder of the inputs of the run's model");
  });
  return {
    json: { ...result },
    text: [
      `wrote ${result.cells} cells (${result.clusters} clusters, ${result.features} features${result.classical > 0 ? `, ${result.classical} classical measures` : ''}) to ${result.output}`,
      `${result.cellsPerSecond.toFixed(1)} cells/s over ${result.seconds.toFixed(1)} s${result.resumedChunks > 0 ? `; resumed: ${result.resumedChunks} chunk(s) were already done` : ''}`,
    ].join('\n'),
  };
}

/** `cellshape extract <run-dir> [input] --out <csv>`: features, soft and hard labels per cell. */
export const extractCommand: CliCommand = {
  name: 'extract',
  register(program, context) {
    defineExtract(program).action(
      async (runDir: string, points: string | undefined, flags: ExtractFlags, command: Command) => {
        await context.execute(command, (run) => extract(runDir, points, flags, run));
      },
    );
  },
};
