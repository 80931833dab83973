import { ANALYSIS_SCRIPT } from './analysis-page-script.js';
import { escapeHtml, inlineScript, jsonForScript } from './escape.js';
import { REPORT_CSS } from './page-assets.js';
import { caption, keyValueTable, note, plot, section } from './page-parts.js';

/** A categorical colouring of the profiles (cluster, class, any metadata column). */
export interface ProfileColouring {
  name: string;
  categories: string[];
  /** Category index of each profile. */
  values: number[];
}

/** Everything the analysis page shows. */
export interface AnalysisReportInput {
  title: string;
  /** The features file analysed. */
  source: string;
  /** The settings of the run (flags), shown as a table. */
  settings: Record<string, unknown>;
  /** Headline numbers. */
  stats: [label: string, value: string | number][];
  /** A label per profile (its keys), for hovering. */
  labels: string[];
  umap: { x: number[]; y: number[] } | undefined;
  /** The first is the cluster colouring. */
  colourings: ProfileColouring[];
  /** metrics.json's content. */
  metrics: Record<string, unknown>;
  silhouette: { values: number[]; labels: number[]; mean: number } | undefined;
  classification:
    | {
        column: string;
        classifier: string;
        folds: number;
        grouped: boolean;
        classes: string[];
        confusion: number[][];
        perClass: {
          class: string;
          precision: number;
          recall: number;
          f1: number;
          support: number;
        }[];
        accuracy: number;
        balancedAccuracy: number;
        cohenKappa: number | null;
        macroF1: number;
      }
    | undefined;
  /** Why sections are absent, or what to know (mixed classes, unmatched rows). */
  notes: string[];
}

function umapSection(r: AnalysisReportInput): string {
  if (!r.umap)
    return section(
      'umap',
      'Profiles in 2-D (UMAP)',
      note('Too few profiles for a UMAP embedding (at least 4 are needed).'),
    );
  const options = r.colourings
    .map((c, i) => `<option value="${i}">${escapeHtml(c.name)}</option>`)
    .join('');
  return section(
    'umap',
    'Profiles in 2-D (UMAP)',
    caption(
      'Each dot is a profile (a well or sample after aggregation, else a single row), placed by UMAP so that similar profiles lie close together. Colour by cluster to see what the clustering found, or by a metadata column to see whether the known groups separate.',
    ) +
      `<div class="controls"><label for="umap-colour">Colour by</label><select id="umap-colour">${options}</select></div>` +
      plot('plot-umap', 'tall'),
  );
}

function clusterSection(r: AnalysisReportInput): string {
  const body =
    caption(
      'Internal quality of the clusters: the silhouette (−1 … 1, higher: profiles much closer to their own cluster than to the next), the Davies–Bouldin index (lower is better) and the Calinski–Harabasz index (higher is better). When a class column is given, homogeneity, completeness, V-measure, adjusted Rand and adjusted/normalised mutual information say how well the clusters match the known classes (1 = exactly).',
    ) +
    keyValueTable(r.metrics) +
    (r.silhouette
      ? `<h3>Silhouette per profile</h3>${caption('Each bar is one profile’s silhouette, grouped by cluster and sorted; the dashed line is the mean. Bars below zero are profiles nearer to another cluster than to their own.')}${plot('plot-silhouette', 'tall')}`
      : note(
          'No silhouette: it needs at least two clusters with a profile each, and fewer clusters than profiles.',
        ));
  return section('clusters', 'Clusters and their quality', body);
}

function classificationSection(r: AnalysisReportInput): string {
  const c = r.classification;
  if (!c)
    return section(
      'classification',
      'Classification',
      note('No classifier was run (give a class column with --by, and --classify svm or rf).'),
    );
  const scores = keyValueTable({
    classifier: c.classifier,
    predicts: c.column,
    folds: `${c.folds}${c.grouped ? ' (grouped: a group never on both sides)' : ' (stratified)'}`,
    accuracy: c.accuracy.toFixed(4),
    'balanced accuracy': c.balancedAccuracy.toFixed(4),
    "Cohen's kappa": c.cohenKappa === null ? 'undefined' : c.cohenKappa.toFixed(4),
    'macro F1': c.macroF1.toFixed(4),
  });
  return section(
    'classification',
    `Predicting ${c.column} from the profiles`,
    caption(
      `How well a ${c.classifier === 'svm' ? 'support vector machine (RBF kernel, balanced class weights)' : 'random forest'} predicts ${escapeHtml(c.column)} from the profiles, in ${c.folds}-fold cross-validation: every profile is predicted by a model that never saw it. The confusion matrix pools the folds (rows: true class, colour: share of the row); the bars give each class’s precision, recall and F1.`,
    ) +
      scores +
      `<div class="grid2">${plot('plot-confusion', 'tall')}${plot('plot-class-scores')}</div>`,
  );
}

/** The self-contained analysis page of `cellshape analyse` (plotly inlined; opens offline). */
export function analysisReportHtml(r: AnalysisReportInput, plotly: string): string {
  const payload = {
    labels: r.labels,
    umap: r.umap,
    colourings: r.colourings,
    silhouette: r.silhouette,
    classification: r.classification,
  };
  const stats = r.stats
    .map(
      ([label, value]) =>
        `<div class="stat"><b>${escapeHtml(String(value))}</b><span>${escapeHtml(label)}</span></div>`,
    )
    .join('');
  const notes = r.notes.map((n) => note(n)).join('');
  const body = [
    section(
      'settings',
      'Settings',
      caption('How this analysis was run, so it can be repeated.') + keyValueTable(r.settings),
    ),
    umapSection(r),
    clusterSection(r),
    classificationSection(r),
  ].join('\n');
  const toc = [...body.matchAll(/<section class="card" id="([^"]+)"><h2>([^<]*)</g)]
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cellshape analyse">
<title>${escapeHtml(r.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top"><h1>${escapeHtml(r.title)}</h1><p>Features: <code>${escapeHtml(r.source)}</code></p><div class="stats">${stats}</div></header>
<nav class="toc">${toc}</nav>
<main>
${notes}
${body}
</main>
<footer>Made by <code>cellshape analyse</code>. Self-contained: opens offline; plots by plotly.js.</footer>
<script type="application/json" id="report-data">${jsonForScript(payload)}</script>
<script>${inlineScript(plotly)}</script>
<script>${inlineScript(ANALYSIS_SCRIPT)}</script>
</body>
</html>
`;
}
