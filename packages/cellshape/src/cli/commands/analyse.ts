import type { Command } from 'commander';
import {
  ANALYSE_CLASSIFIERS,
  ANALYSE_CLUSTERINGS,
  DEFAULT_ANALYSE_OPTIONS,
} from '../../analyse/analyse-options.js';
import { type AnalyseResult, analyseRun } from '../../analyse/analyse-run.js';
import { type CommandContext, examples } from '../context.js';
import { requireFile } from '../inputs.js';
import { choice, integer } from '../parse.js';
import type { CliCommand } from '../registry.js';
import {
  type AnalyseFlags,
  analyseOptionsOf,
  asUsageError,
  columnList,
  columnValue,
} from './analyse-flags.js';

/**
 * `cellshape analyse <features.csv> --group … --by … --out <dir>`: normalise per plate →
 * aggregate per group → cluster → metrics → cross-validated classifier, as CSV, JSON and HTML.
 */
export const analyseCommand: CliCommand = {
  name: 'analyse',
  register(program, context) {
    declareAnalyseOptions(program.command('analyse')).action(
      async (features: string, flags: AnalyseFlags, command: Command) => {
        await runAnalyse(context, features, flags, command);
      },
    );
  },
};

/** The description, argument, options and examples of `cellshape analyse`. */
function declareAnalyseOptions(command: Command): Command {
  return command
    .description(
      'profiles from any features CSV: normalise per plate, aggregate per well, cluster, score, classify; writes CSV/JSON and report.html',
    )
    .argument(
      '<features.csv>',
      'features CSV: an id column and numeric feature columns (a run’s features.csv, or any)',
    )
    .requiredOption(
      '--out <dir>',
      'output folder: profiles.csv, clusters.csv, metrics.json, classification.json, confusion.csv, report.html',
    )
    .option(
      '--metadata <csv>',
      'metadata CSV joined by id (default: the text columns of <features.csv>)',
    )
    .option('--id-column <name>', 'id column of both files', DEFAULT_ANALYSE_OPTIONS.idColumn)
    .option(
      '--group <col[,col]>',
      'columns of one sample (e.g. Plate,Well): aggregated, and never split across folds',
      columnList,
    )
    .option(
      '--by <col>',
      'class column (treatment, patient group): clusters scored against it, classifier predicts it',
    )
    .option(
      '--control <col=value>',
      'control rows the normalisation is fitted on, e.g. Treatment=DMSO (default: all rows)',
      columnValue,
    )
    .option('--plate <col>', 'plate column: each plate normalised on its own')
    .option(
      '--normalise <method>',
      'standardise, robust (median/MAD), spherize (ZCA whitening) or none',
      choice(['standardise', 'robust', 'spherize', 'none'] as const),
      DEFAULT_ANALYSE_OPTIONS.normalise,
    )
    .option(
      '--aggregate <method>',
      'median, mean or none (default: median with --group, else none)',
      choice(['median', 'mean', 'none'] as const),
    )
    .option(
      '--cluster <method>',
      ANALYSE_CLUSTERINGS.join(', '),
      choice(ANALYSE_CLUSTERINGS),
      DEFAULT_ANALYSE_OPTIONS.cluster,
    )
    .option(
      '--clusters <k>',
      'number of clusters (default: the classes of --by, else the k-means elbow)',
      integer(2),
    )
    .option(
      '--classify <model>',
      `${ANALYSE_CLASSIFIERS.join(', ')} (default: svm with --by, else none)`,
      choice(ANALYSE_CLASSIFIERS),
    )
    .option('--folds <k>', 'cross-validation folds', integer(2), DEFAULT_ANALYSE_OPTIONS.folds)
    .option('--umap', 'cluster a 2-D UMAP embedding of the profiles (as the GBM thesis)')
    .addHelpText(
      'after',
      examples([
        [
          'cellshape analyse runs/exp1/features.csv --metadata cells.csv --group Plate,Well --by Treatment --control Treatment=DMSO --plate Plate --out runs/exp1/analysis',
          'well profiles normalised to each plate’s DMSO wells, clustered and classified',
        ],
        [
          'cellshape analyse embeddings.csv --id-column image --by Patient --aggregate none --normalise robust --cluster hierarchical --clusters 4 --out analysis',
          'any embedding CSV: one row per image',
        ],
      ]),
    );
}

/** Checks the inputs, runs the analysis and reports its summary. */
async function runAnalyse(
  context: CommandContext,
  features: string,
  flags: AnalyseFlags,
  command: Command,
): Promise<void> {
  await context.execute(command, async ({ globals, progress }) => {
    const path = requireFile(features, 'the features CSV');
    if (flags.metadata !== undefined) requireFile(flags.metadata, 'the metadata CSV');
    let result: Awaited<ReturnType<typeof analyseRun>>;
    try {
      result = await analyseRun({
        ...analyseOptionsOf(path, flags, globals.seed),
        onProgress: progress.callback('analyse'),
      });
    } catch (error) {
      throw asUsageError(error);
    }
    for (const note of result.notes) progress.note(`note: ${note}`);
    return { json: { ...result }, text: analyseSummary(result).join('\n') };
  });
}

/** The text summary: sizes, cluster metrics, the classifier's scores and the output folder. */
function analyseSummary(result: AnalyseResult): string[] {
  const m = result.metrics;
  const c = result.classification;
  return [
    `${result.profiles} profiles from ${result.rows} rows, ${result.features} features, ${result.clusters} clusters`,
    `silhouette ${m.silhouette ?? 'n/a'}, Davies–Bouldin ${m.daviesBouldin ?? 'n/a'}, Calinski–Harabasz ${m.calinskiHarabasz ?? 'n/a'}`,
    ...(m.against
      ? [
          `against ${m.against.column}: V-measure ${m.against.vMeasure}, ARI ${m.against.adjustedRandIndex}, AMI ${m.against.adjustedMutualInfo}`,
        ]
      : []),
    ...(c
      ? [
          `${c.classifier} on ${c.column}, ${c.folds}-fold${c.grouped ? ' grouped' : ''}: accuracy ${c.accuracy.toFixed(3)}, balanced ${c.balancedAccuracy.toFixed(3)}`,
        ]
      : []),
    `wrote ${result.out} (report.html)`,
  ];
}
