import {
  adjustedRandIndex,
  crossValidateClassifier,
  type DenseMatrix,
  encodeLabels,
  kmeans,
  leaveOneOutNearestNeighbour,
  silhouetteScore,
} from '@cellshape/cluster';
import { createRng, type Metadata } from '@cellshape/core';
import { categoricalColumns } from './cluster-quality.js';
import {
  type ClassicalTable,
  FEATURE_SETS,
  type FeatureSetName,
  featureSets,
  selectRows,
} from './feature-sets.js';

/** How well one feature set predicts one metadata column. */
export interface SetScores {
  /** Leave-one-out 1-nearest-neighbour accuracy: the share of cells whose nearest other cell shares their value. */
  nearestNeighbour: number;
  /** The same, as the mean over the values (every value weighs alike). */
  nearestNeighbourBalanced: number;
  /** Mean silhouette of the column's values in the feature space (−1 … 1); null when undefined. */
  silhouette: number | null;
  /**
   * Stratified k-fold SVM (cluster's `crossValidateClassifier`, RBF, balanced): pooled
   * out-of-fold accuracy; null when a value has fewer than 2 cells.
   */
  classifier: { accuracy: number; balancedAccuracy: number; folds: number } | null;
}

/** Which set wins on a column by leave-one-out 1-NN, tested with McNemar's exact test. */
export type BaselineWinner = 'learned' | 'classical' | 'tie';

/** The comparison for one metadata column. */
export interface ColumnBaseline {
  column: string;
  /** Distinct values. */
  classes: number;
  /** Share of the most common value: what always guessing it scores. */
  majority: number;
  scores: Partial<Record<FeatureSetName, SetScores>>;
  /** Learned vs classical by 1-NN; null without classical measures. */
  winner: BaselineWinner | null;
  /** McNemar's exact two-sided p of the 1-NN difference; null without classical measures. */
  pValue: number | null;
  /** One sentence a biologist reads in five seconds. */
  verdict: string;
}

/** What the classical measures were and in which units. */
export interface BaselineClassical {
  source: ClassicalTable['source'];
  manifest: string | null;
  /** Voxel size (z, y, x) of every cell, when shared. */
  spacing: [number, number, number] | null;
  spacingFrom: ClassicalTable['spacingFrom'];
  /** The units of the lengths, in words. */
  units: string;
  /** Cells without measures, left out of every comparison. */
  missing: number;
}

/** `summary.json`'s `baseline`: do the learned features beat classical shape measures here? */
export interface RunBaseline {
  /** Sets compared (`classical` and `both` only when measures were found). */
  sets: FeatureSetName[];
  /** Cells compared (a seeded sample above {@link MAX_BASELINE_CELLS}). */
  cells: number;
  classical: BaselineClassical | null;
  /** One entry per categorical metadata column. */
  columns: ColumnBaseline[];
  /**
   * Agreement (ARI) of the run's clusters with k-means (same K) on the classical measures and on
   * both sets; null without classical measures or with one cluster.
   */
  clusterAgreement: { k: number; learnedVsClassical: number; learnedVsBoth: number } | null;
  /** The findings in words, most important first. */
  findings: string[];
}

/** Above this many cells the baseline is computed on a seeded sample (the SVM costs n²). */
export const MAX_BASELINE_CELLS = 2000;

/** Significance level under which a 1-NN difference counts as real. */
const ALPHA = 0.05;

/** Cells under which every number is called rough. */
const FEW_CELLS = 30;

const round = (v: number): number => Number(v.toPrecision(4));
const percent = (v: number): string => `${Math.round(100 * v)} %`;

/** log C(n, k). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

/**
 * McNemar's exact two-sided test: the chance of a split of the discordant cells at least as
 * lopsided as `b` vs `c` if both sets were equally good (binomial, p = ½).
 */
export function mcNemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  let tail = 0;
  for (let i = 0; i <= Math.min(b, c); i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

function scoresOf(m: DenseMatrix, values: string[], seed: number): SetScores {
  const nn = leaveOneOutNearestNeighbour(m, values);
  const { codes, classes } = encodeLabels(values);
  const n = values.length;
  const smallest = Math.min(...classes.map((_, c) => codes.filter((x) => x === c).length));
  const folds = Math.min(5, smallest);
  let classifier: SetScores['classifier'] = null;
  if (folds >= 2) {
    const cv = crossValidateClassifier(m, values, { k: folds, seed });
    classifier = {
      accuracy: round(cv.pooled.accuracy),
      balancedAccuracy: round(cv.pooled.balancedAccuracy),
      folds,
    };
  }
  const silhouette =
    classes.length >= 2 && classes.length <= n - 1 ? round(silhouetteScore(m, codes)) : null;
  return {
    nearestNeighbour: round(nn.accuracy),
    nearestNeighbourBalanced: round(nn.balancedAccuracy),
    silhouette,
    classifier,
  };
}

/** Learned vs classical on one column: the winner by 1-NN and McNemar's p. */
function duel(
  sets: Partial<Record<FeatureSetName, DenseMatrix>>,
  values: string[],
): { winner: BaselineWinner; pValue: number } {
  const learned = leaveOneOutNearestNeighbour(sets.learned!, values);
  const classical = leaveOneOutNearestNeighbour(sets.classical!, values);
  let b = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const l = learned.predicted[i] === learned.codes[i];
    const k = classical.predicted[i] === classical.codes[i];
    if (l && !k) b++;
    if (k && !l) c++;
  }
  const pValue = mcNemarExact(b, c);
  return { winner: pValue >= ALPHA || b === c ? 'tie' : b > c ? 'learned' : 'classical', pValue };
}

/** The sentence of one column. */
function verdictOf(column: string, c: Omit<ColumnBaseline, 'verdict'>, cells: number): string {
  const l = c.scores.learned!.nearestNeighbour;
  const guess = `always guessing the most common value: ${percent(c.majority)}`;
  const rough = cells < FEW_CELLS ? ` Only ${cells} cells: a rough guide.` : '';
  if (c.winner === null)
    return `Learned features put ${percent(l)} of cells next to a cell of the same ${column} (${guess}); no classical measures to compare with.${rough}`;
  const k = c.scores.classical!.nearestNeighbour;
  const both = c.scores.both!.nearestNeighbour;
  const numbers = `1-NN ${percent(l)} vs ${percent(k)}; both together ${percent(both)}; ${guess}`;
  // Two standard errors of an accuracy at the guessing rate: closer than that is guessing.
  const margin = 2 * Math.sqrt((c.majority * (1 - c.majority)) / cells);
  const chance =
    Math.max(l, k, both) <= c.majority + margin
      ? ` Neither set predicts ${column} much better than guessing the most common value.`
      : '';
  const p = `p = ${c.pValue!.toPrecision(2)}`;
  const higher = l > k ? 'learned features' : 'classical measures';
  const head =
    c.winner !== 'tie'
      ? `On this data, learned features separate ${column} ${c.winner === 'learned' ? 'better' : 'worse'} than classical measures (${numbers}; ${p})`
      : Math.abs(l - k) < 0.02
        ? `On this data, learned features and classical measures separate ${column} about equally well (${numbers})`
        : `On this data, ${higher} separate ${column} somewhat better, but over ${cells} cells the difference could be chance (${numbers}; ${p})`;
  return `${head}.${chance}${rough}`;
}

/** The units of the classical lengths, in words. */
function unitsOf(table: ClassicalTable): string {
  if (table.source === 'masks') return 'pixels of the crops';
  if (table.source !== 'manifest') return 'the units of the point clouds';
  if (table.spacingFrom === 'none')
    return 'voxels (no voxel size known: pass --spacing to cellshape convert)';
  if (table.spacingFrom === 'mixed') return 'mixed: some files had a voxel size, some not';
  return 'the physical units of the voxel size (usually µm)';
}

function agreement(
  sets: Partial<Record<FeatureSetName, DenseMatrix>>,
  clusters: Int32Array,
  seed: number,
): RunBaseline['clusterAgreement'] {
  const k = new Set(clusters).size;
  if (sets.classical === undefined || k < 2) return null;
  const of = (m: DenseMatrix) => kmeans(m, k, { seed, restarts: 5 }).labels;
  return {
    k,
    learnedVsClassical: round(adjustedRandIndex(clusters, of(sets.classical))),
    learnedVsBoth: round(adjustedRandIndex(clusters, of(sets.both!))),
  };
}

/** Inputs of {@link runBaseline}, all in dataset order. */
export interface BaselineInput {
  /** The model's features, `n × F`. */
  learned: DenseMatrix;
  /** The classical measures, or null when none were found. */
  classical: ClassicalTable | null;
  metadata: readonly Metadata[];
  /** The run's hard cluster labels. */
  clusters: Int32Array;
  seed: number;
}

/** The cells compared: those with classical measures, a seeded sample above the cap. */
function comparedCells(input: BaselineInput): number[] {
  const n = input.learned.shape[0];
  const missing = new Set(input.classical?.missing ?? []);
  let rows = Array.from({ length: n }, (_, i) => i).filter((i) => !missing.has(i));
  if (rows.length > MAX_BASELINE_CELLS) {
    const rng = createRng(input.seed);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    rows = rows.slice(0, MAX_BASELINE_CELLS).sort((a, b) => a - b);
  }
  return rows;
}

/**
 * The baseline of a run: for each categorical metadata column (2 … n/2 values, as the cluster
 * quality), how well the learned features, the classical measures and both together predict it
 * — leave-one-out 1-NN accuracy, silhouette and a cross-validated SVM, beside the majority-class
 * rate — with the winner of learned vs classical by McNemar's exact test on the 1-NN hits, and
 * the findings in words. Without metadata, the agreement (ARI) of the run's clusters with
 * k-means on the classical measures. Every set is z-scored per column (`featureSets`).
 */
export function runBaseline(input: BaselineInput): RunBaseline {
  const rows = comparedCells(input);
  const all = featureSets(
    selectRows(input.learned, rows),
    input.classical ? selectRows(input.classical.values, rows) : null,
  );
  const names = FEATURE_SETS.filter((s) => all[s] !== undefined);
  const metadata = rows.map((i) => input.metadata[i] ?? {});
  const cells = rows.length;
  const columns: ColumnBaseline[] = [];
  if (input.metadata.length === input.learned.shape[0] && cells >= 3)
    for (const column of categoricalColumns(metadata)) {
      const values = metadata.map((m) => String(m[column] ?? ''));
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      const scores = Object.fromEntries(
        names.map((s) => [s, scoresOf(all[s]!, values, input.seed)]),
      );
      const d = all.classical ? duel(all, values) : null;
      const entry = {
        column,
        classes: counts.size,
        majority: round(Math.max(...counts.values()) / cells),
        scores,
        winner: d?.winner ?? null,
        pValue: d ? round(d.pValue) : null,
      };
      columns.push({ ...entry, verdict: verdictOf(column, entry, cells) });
    }
  const clusterAgreement = agreement(all, selectClusters(input.clusters, rows), input.seed);
  const classical = input.classical
    ? {
        source: input.classical.source,
        manifest: input.classical.manifest,
        spacing: input.classical.spacing,
        spacingFrom: input.classical.spacingFrom,
        units: unitsOf(input.classical),
        missing: input.classical.missing.length,
      }
    : null;
  return {
    sets: names,
    cells,
    classical,
    columns,
    clusterAgreement,
    findings: findings(columns, clusterAgreement, classical),
  };
}

function selectClusters(clusters: Int32Array, rows: readonly number[]): Int32Array {
  return Int32Array.from(rows, (i) => clusters[i]!);
}

/** The findings in words: one sentence per column, else the cluster agreement. */
function findings(
  columns: readonly ColumnBaseline[],
  agree: RunBaseline['clusterAgreement'],
  classical: BaselineClassical | null,
): string[] {
  const out = columns.map((c) => c.verdict);
  if (classical === null)
    out.push(
      'No classical measures found (they come from the manifest.csv of `cellshape convert` next to the input, the points of each cell, or the mask crops of `cellshape profile crop --labels`): learned features are not compared with them.',
    );
  if (agree !== null && columns.length === 0)
    out.push(
      `No metadata column to predict. The run's ${agree.k} clusters agree with k-means on the classical measures at ARI ${agree.learnedVsClassical.toFixed(2)} (1: the same grouping; 0: unrelated) and with k-means on both sets at ARI ${agree.learnedVsBoth.toFixed(2)}.`,
    );
  if (classical !== null && classical.spacingFrom === 'none')
    out.push(
      'The masks carried no voxel size: classical measures are in voxels, which distorts anisotropic stacks (confocal z-steps) — convert again with --spacing z,y,x.',
    );
  return out;
}
