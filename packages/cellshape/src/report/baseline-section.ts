import { escapeHtml } from './escape.js';
import { caption, note, section } from './page-parts.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const pct = (v: unknown): string => (typeof v === 'number' ? `${Math.round(100 * v)} %` : 'n/a');
const num = (v: unknown): string => (typeof v === 'number' ? v.toFixed(2) : 'n/a');

const SET_LABELS: Record<string, string> = {
  learned: 'learned features',
  classical: 'classical measures',
  both: 'both together',
};

/** One column's table: a row per feature set, plus the guessing rate. */
function columnTable(c: Record<string, unknown>): string {
  const scores = isRecord(c.scores) ? c.scores : {};
  const rows = Object.entries(scores)
    .filter(([, v]) => isRecord(v))
    .map(([set, v]) => {
      const s = v as Record<string, unknown>;
      const cv = isRecord(s.classifier) ? s.classifier : undefined;
      return `<tr><th>${escapeHtml(SET_LABELS[set] ?? set)}</th><td>${pct(s.nearestNeighbour)}</td><td>${num(s.silhouette)}</td><td>${cv ? `${pct(cv.accuracy)} <small>(${escapeHtml(String(cv.folds))} folds)</small>` : 'n/a'}</td></tr>`;
    })
    .join('');
  return `<h3>${escapeHtml(String(c.column))} <small>(${escapeHtml(String(c.classes))} values)</small></h3><p><strong>${escapeHtml(String(c.verdict ?? ''))}</strong></p><table class="kv"><tr><th>feature set</th><td>1-NN (leave one out)</td><td>silhouette</td><td>SVM (cross-validated)</td></tr>${rows}<tr><th>always guessing the most common value</th><td>${pct(c.majority)}</td><td></td><td>${pct(c.majority)}</td></tr></table>`;
}

/** The spacing and units the classical measures were made with, in one line. */
function spacingLine(classical: Record<string, unknown>): string {
  const spacing = Array.isArray(classical.spacing)
    ? `voxel size (z, y, x) ${classical.spacing.join(', ')}`
    : 'voxel size: not one for all cells';
  const from =
    classical.spacingFrom === 'option'
      ? ' (given with --spacing)'
      : classical.spacingFrom === 'file'
        ? " (from the files' calibration)"
        : classical.spacingFrom === 'none'
          ? ' (none known: the files carry no voxel size and no --spacing was given)'
          : '';
  const missing =
    typeof classical.missing === 'number' && classical.missing > 0
      ? `; ${classical.missing} cell(s) without measures left out`
      : '';
  return `<p>Classical measures from ${classical.source === 'manifest' ? '<code>manifest.csv</code> (each object’s mesh)' : 'the convex hull of each cell’s points (no manifest found)'}; ${escapeHtml(spacing)}${escapeHtml(from)}; lengths in ${escapeHtml(String(classical.units))}${escapeHtml(missing)}.</p>`;
}

/**
 * The report's "Learned vs classical" section, from `summary.json`'s `baseline`: the findings in
 * words first, then per metadata column how well the learned features, the classical shape
 * measures and both together predict it beside the guessing rate, the spacing the measures used,
 * and without metadata the agreement of the clusters. Older runs get a note.
 */
export function baselineSection(summary: Record<string, unknown> | undefined): string {
  const b = summary?.baseline;
  if (!isRecord(b))
    return section(
      'baseline',
      'Learned vs classical',
      note(
        'summary.json has no baseline (a run made by an older cellshape): retrain to compare the learned features with classical shape measures.',
      ),
    );
  const findings = Array.isArray(b.findings)
    ? `<ul>${b.findings.map((f) => `<li>${escapeHtml(String(f))}</li>`).join('')}</ul>`
    : '';
  const classical = isRecord(b.classical) ? spacingLine(b.classical) : '';
  const columns = Array.isArray(b.columns)
    ? b.columns.filter(isRecord).map(columnTable).join('')
    : '';
  const agree = isRecord(b.clusterAgreement)
    ? `<h3>Clusters of each feature set</h3><table class="kv"><tr><th>run clusters vs k-means on classical measures (ARI)</th><td>${num(b.clusterAgreement.learnedVsClassical)}</td></tr><tr><th>run clusters vs k-means on both (ARI)</th><td>${num(b.clusterAgreement.learnedVsBoth)}</td></tr></table>`
    : '';
  return section(
    'baseline',
    'Learned vs classical',
    caption(
      `Do the learned features tell more than classical shape measures (volume, sphericity, extents, principal axes, elongation, flatness, convex hull, solidity)? For each metadata column: the share of cells whose nearest other cell has the same value (1-NN), how well the values separate (silhouette, −1 … 1) and a cross-validated classifier, beside always guessing the most common value. Each set is standardised; ${escapeHtml(String(b.cells))} cells compared.`,
    ) +
      findings +
      classical +
      columns +
      agree,
  );
}
