import { resolve } from 'node:path';
import {
  type ConvertDirectoryOptions,
  convertDirectory,
  DEFAULT_CONVERT_DIRECTORY_OPTIONS,
} from '@cellshape/helper';
import { CUBE_FITS, type CubeFit, DEFAULT_FIT_TO_CUBE_OPTIONS } from '@cellshape/voxel';
import type { Command } from 'commander';
import {
  convertDistributed,
  DEFAULT_CONVERT_DISTRIBUTED_OPTIONS,
} from '../../distributed/convert-distributed.js';
import { type CommandContext, examples } from '../context.js';
import { UsageError } from '../errors.js';
import { requireFileOrFolder } from '../inputs.js';
import { choice, integer, number, triple } from '../parse.js';
import type { CliCommand } from '../registry.js';
import { writeCubes } from './convert-cubes.js';
import { redisUrl } from './worker.js';

interface ConvertFlags {
  numPoints: number;
  spacing?: [number, number, number];
  minSize: number;
  clearBorder?: boolean;
  meshFormat: 'off' | 'ply' | 'obj' | 'stl';
  objects: 'auto' | 'components' | 'labels' | 'whole';
  smoothing: number;
  workers?: number;
  overwrite?: boolean;
  cube?: number;
  cubeFit: CubeFit;
  redis?: string;
  chunkSize: number;
  maxVoxels?: number;
}

/** The summary line about voxel sizes, when some files had none. */
function spacingLine(unknown: readonly string[]): string[] {
  if (unknown.length === 0) return [];
  const names = unknown.slice(0, 3).join(', ') + (unknown.length > 3 ? ', …' : '');
  return [
    `no voxel size: ${unknown.length} file(s) carry none (${names}); shapes and classical measures are in voxels — for anisotropic stacks (confocal z-steps) pass --spacing z,y,x`,
  ];
}

/** The hint under failures that only a raised size limit would read. */
function limitLine(failed: readonly { error?: string }[]): string[] {
  const refused = failed.filter((f) => f.error?.includes('options.maxVoxels')).length;
  if (refused === 0) return [];
  return [
    `${refused} file(s) refused by a size limit (a guard against decompression bombs): if you trust them, pass --max-voxels <n> with n ≥ their voxels`,
  ];
}

/** Converts the folder and tells what happened: one line per failed file, the manifest. */
async function convert(
  masks: string,
  out: string,
  flags: ConvertFlags,
  command: Command,
  context: CommandContext,
): Promise<void> {
  await context.execute(command, async ({ globals, progress }) => {
    const input = requireFileOrFolder(masks, 'the masks', ['.tif', '.tiff', '.npy']);
    if (flags.redis !== undefined && flags.overwrite === true)
      throw new UsageError(
        '--overwrite cannot be used with --redis; remove the output folder instead',
      );
    const convertFolder =
      flags.redis === undefined
        ? convertDirectory
        : (i: string, o: string, options: ConvertDirectoryOptions) =>
            convertDistributed(flags.redis!, i, o, { ...options, chunkSize: flags.chunkSize });
    const result = await convertFolder(input, resolve(out), {
      numPoints: flags.numPoints,
      seed: globals.seed,
      minSize: flags.minSize,
      clearBorder: flags.clearBorder === true,
      meshFormat: flags.meshFormat,
      objects: flags.objects,
      smoothing: flags.smoothing,
      overwrite: flags.overwrite === true,
      ...(flags.spacing ? { spacing: flags.spacing } : {}),
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      ...(flags.maxVoxels !== undefined ? { maxVoxels: flags.maxVoxels } : {}),
      onProgress: progress.callback('convert'),
    });
    const failed = result.files.filter((f) => f.status === 'failed');
    const objects = result.objects;
    const cubes =
      flags.cube === undefined
        ? undefined
        : await writeCubes(input, resolve(out), result, {
            size: flags.cube,
            fit: flags.cubeFit,
            objects: flags.objects,
            overwrite: flags.overwrite === true,
            ...(flags.spacing ? { spacing: flags.spacing } : {}),
            ...(flags.maxVoxels !== undefined ? { maxVoxels: flags.maxVoxels } : {}),
            onProgress: progress.callback('cubes'),
          });
    const { converted, skipped, manifest, failures, files, filesWithoutSpacing } = result;
    const lines = [
      `converted ${converted}, already done ${skipped}, failed ${result.failed} file(s); ${objects} object(s)`,
      ...failed.map((f) => `failed: ${f.input}: ${f.error ?? 'unknown error'}`),
      ...limitLine(failed),
      ...(cubes
        ? [
            `cubes: ${cubes.written} written (${flags.cube}³)`,
            ...cubes.failed.map((f) => `cube failed: ${f.source}: ${f.error}`),
          ]
        : []),
      ...spacingLine(filesWithoutSpacing),
      `manifest: ${manifest} (with classical measures per object)`,
      ...(failed.length > 0 ? [`failures: ${failures}`] : []),
    ];
    return {
      json: {
        converted,
        skipped,
        failed: result.failed,
        objects,
        manifest,
        failures,
        filesWithoutSpacing,
        files,
        ...(cubes ? { cubes } : {}),
      },
      text: lines.join('\n'),
      exitCode: failed.length > 0 || (cubes?.failed.length ?? 0) > 0 ? 1 : 0,
    };
  });
}

/** The examples and exit codes under `cellshape convert --help`. */
const CONVERT_HELP =
  examples([
    [
      'cellshape convert masks/ out/',
      'convert every mask under masks/ (resumes where a previous run stopped)',
    ],
    [
      'cellshape convert masks/ out/ --spacing 2.18,1,1 --min-size 500',
      'anisotropic voxels; drop debris',
    ],
    ['cellshape convert masks/cell7.tif out/', 'convert one file'],
    [
      'cellshape convert masks/ out/ --cube 64',
      'also 64³ binary cubes for `cellshape train out/cubes --model voxel`',
    ],
    ['cellshape convert masks/ out/ --json > convert.json', 'machine-readable per-file report'],
  ]) +
  '\nExit code: 0 when every file converted, 1 when some failed (each is listed; the others are converted), 2 for usage errors.\n';

/**
 * `cellshape convert <masks> <out>`: mask / label TIFFs → meshes + point clouds (helper's
 * `convertDirectory`). Exit code 0 when every file converted (or was already done), 1 when
 * some failed — they are listed, and every other file is still converted.
 */
export const convertCommand: CliCommand = {
  name: 'convert',
  register(program, context) {
    const d = DEFAULT_CONVERT_DIRECTORY_OPTIONS;
    program
      .command('convert')
      .description(
        'convert 3-D masks or label images (.tif, .tiff, .npy; folders searched recursively) into meshes and point clouds',
      )
      .argument('<masks>', 'a mask or label image, or a folder of them')
      .argument(
        '<out>',
        'output folder: meshes/, points/ (.ply), cubes/ (with --cube), manifest.csv, failures.csv',
      )
      .option('--num-points <n>', 'points sampled on each object surface', integer(1), d.numPoints)
      .option('--spacing <z,y,x>', "voxel size; default: each file's own, else 1,1,1", triple)
      .option('--min-size <voxels>', 'drop objects with fewer voxels', number(0), d.minSize)
      .option('--clear-border', 'drop objects touching the volume border')
      .option(
        '--mesh-format <format>',
        'mesh file format: off, ply, obj, stl',
        choice(['off', 'ply', 'obj', 'stl'] as const),
        d.meshFormat,
      )
      .option(
        '--objects <mode>',
        'split files into objects by: auto (labels, or components of a binary mask; refuses intensity images), labels, components, whole',
        choice(['auto', 'components', 'labels', 'whole'] as const),
        d.objects,
      )
      .option(
        '--smoothing <passes>',
        'Taubin smoothing passes on each mesh',
        integer(0),
        d.smoothing,
      )
      .option('--workers <n>', 'worker threads (0: main thread); default one per core', integer(0))
      .option('--overwrite', 'convert again files whose outputs are already finished')
      .option(
        '--max-voxels <n>',
        'the most voxels a TIFF may declare; default 2^31, and compressed 1-bit masks at most ~1000× their file size (setting it lifts that bound)',
        integer(1),
      )
      .option(
        '--redis <url>',
        'spread the work over `cellshape worker` processes through Redis (see docs/distributed.md)',
        redisUrl,
      )
      .option(
        '--chunk-size <files>',
        'with --redis: input files per job',
        integer(1),
        DEFAULT_CONVERT_DISTRIBUTED_OPTIONS.chunkSize,
      )
      .option(
        '--cube <n>',
        'also write each object as an n³ binary cube TIFF (cubes/, for --model voxel)',
        integer(4),
      )
      .option(
        '--cube-fit <mode>',
        'objects larger than the cube: resample (shrink to fit), crop, error',
        choice(CUBE_FITS),
        DEFAULT_FIT_TO_CUBE_OPTIONS.fit,
      )
      .addHelpText('after', CONVERT_HELP)
      .action((masks: string, out: string, flags: ConvertFlags, command: Command) =>
        convert(masks, out, flags, command, context),
      );
  },
};
