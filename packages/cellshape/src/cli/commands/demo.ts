import { BACKEND_NAMES } from '@cellshape/engine';
import type { Command } from 'commander';
import { DEMO_PRESETS, type DemoOptions, runDemo } from '../../demo/run-demo.js';
import { runProfileDemo } from '../../run/profile-demo.js';
import { examples } from '../context.js';
import { choice, integer, number } from '../parse.js';
import type { ProgressDisplay } from '../progress.js';
import type { CliCommand } from '../registry.js';

/** The flags are the options of {@link runDemo}, with `--out` always set (commander's default). */
type DemoFlags = Omit<DemoOptions, 'out' | 'seed' | 'onProgress'> & {
  out: string;
  profile?: boolean;
};

/** The `demo` command with its options and examples (no action yet). */
function defineDemo(program: Command): Command {
  const full = DEMO_PRESETS.full;
  const quick = DEMO_PRESETS.quick;
  const both = (name: keyof typeof full) => `default ${full[name]}; --quick: ${quick[name]}`;
  return program
    .command('demo')
    .description(
      'run convert → train → IDEC → extract → report on a synthetic experiment (4 shape families, 4 treatments shifting their proportions)',
    )
    .option('--out <dir>', 'output folder', 'cellshape-demo')
    .option(
      '--model <name>',
      'model family: cloud (point clouds, DFN), voxel (the masks as cubes, 3-D CNN; about a minute)',
      choice(['cloud', 'voxel'] as const),
    )
    .option('--quick', 'a tiny configuration that checks the pipeline in seconds')
    .option(
      '--profile',
      'the 2-D pipeline instead: synthetic phase-contrast fields → crops → Siamese encoder (Barlow Twins, FBR) → clusters → report (--quick, --epochs, --backend apply)',
    )
    .option('--plates <n>', `plates (${both('plates')})`, integer(1))
    .option(
      '--cells-per-well <n>',
      `cells per treatment and plate (${both('cellsPerWell')})`,
      integer(1),
    )
    .option('--num-points <n>', `points per cloud (${both('numPoints')})`, integer(1))
    .option('--features <n>', `features F (${both('features')})`, integer(2))
    .option('--k <n>', `neighbours in the encoder graphs (${both('k')})`, integer(1))
    .option(
      '--source-points <n>',
      `decoder grid points, a perfect square (${both('sourcePoints')})`,
      integer(4),
    )
    .option('--epochs <n>', `pretraining epochs (${both('epochs')})`, integer(0))
    .option('--idec-epochs <n>', `maximum IDEC epochs (${both('idecEpochs')})`, integer(0))
    .option(
      '--lr <x>',
      `pretraining learning rate (${both('lr')})`,
      number(0, { exclusiveMin: true }),
    )
    .option('--batch-size <n>', `clouds per batch (${both('batchSize')})`, integer(1))
    .option(
      '--idec-lr <x>',
      `IDEC learning rate (${both('idecLr')})`,
      number(0, { exclusiveMin: true }),
    )
    .option('--workers <n>', 'conversion worker threads (default one per core)', integer(0))
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, choice(BACKEND_NAMES))
    .addHelpText(
      'after',
      examples([
        ['cellshape demo', 'everything into ./cellshape-demo (a few minutes on a laptop CPU)'],
        ['cellshape demo --quick --out /tmp/demo', 'a smoke test in seconds'],
        ['cellshape demo --model voxel', 'the same experiment with the voxel autoencoder'],
        ['cellshape demo --epochs 60 --num-points 512', 'a longer, better demo'],
        [
          'cellshape demo --profile --out /tmp/profile-demo',
          'the 2-D crop pipeline (a few minutes)',
        ],
      ]),
    );
}

/** `cellshape demo` (3-D): convert → train → IDEC → extract → report, and where it all went. */
async function cellDemo(flags: DemoFlags, seed: number, progress: ProgressDisplay) {
  const { out, ...settings } = flags;
  const result = await runDemo({
    ...settings,
    out,
    seed,
    onProgress: (stage, event) => progress.callback(stage)(event),
    onNote: (text) => progress.note(text),
  });
  return {
    json: { ...result },
    text: [
      `demo: ${result.cells} cells, ${result.summary.clusters} clusters (sizes ${result.summary.clusterSizes.join(', ')}) in ${result.timings.total} s`,
      `run directory: ${result.runDir}`,
      `report: ${result.report}`,
    ].join('\n'),
  };
}

/** `cellshape demo`: the whole pipeline on a synthetic experiment, no input needed. */
export const demoCommand: CliCommand = {
  name: 'demo',
  register(program, context) {
    defineDemo(program).action(async (flags: DemoFlags, command: Command) => {
      await context.execute(command, async ({ globals, progress }) =>
        flags.profile
          ? profileDemo(flags, globals.seed, progress)
          : cellDemo(flags, globals.seed, progress),
      );
    });
  },
};

/** `cellshape demo --profile`: the seeded synthetic 2-D experiment end to end. */
async function profileDemo(flags: DemoFlags, seed: number, progress: ProgressDisplay) {
  const result = await runProfileDemo({
    out: flags.out,
    seed,
    ...(flags.quick ? { quick: true } : {}),
    ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    ...(flags.backend ? { backend: flags.backend } : {}),
    onProgress: (stage, event) => progress.callback(stage)(event),
    onNote: (text) => progress.note(text),
  });
  return {
    json: { ...result },
    text: [
      `profile demo: ${result.crops} crops, ${result.summary.clusters} clusters (sizes ${result.summary.clusterSizes.join(', ')}), family ARI ${result.familyAri.toFixed(3)}`,
      `run directory: ${result.runDir}`,
      `report: ${result.report}`,
    ].join('\n'),
  };
}
