import { escapeHtml } from './escape.js';
import { caption, note, section } from './page-parts.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function cell(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(4) : 'n/a';
}

/**
 * The train report's "Cluster quality" section, from `summary.json`'s `clusterQuality`:
 * silhouette, Davies–Bouldin and Calinski–Harabasz of the features, and the V-measure and
 * adjusted Rand index against each categorical metadata column. Runs made before these metrics
 * existed get a note.
 */
export function clusterQualitySection(summary: Record<string, unknown> | undefined): string {
  const q = summary?.clusterQuality;
  if (!isRecord(q))
    return section(
      'quality',
      'Cluster quality',
      note(
        'summary.json has no clusterQuality (a run made by an older cellshape): retrain, or run `cellshape analyse` on features.csv.',
      ),
    );
  const internal = `<table class="kv"><tr><th>silhouette (−1 … 1, higher is better)</th><td>${cell(q.silhouette)}${typeof q.silhouetteCells === 'number' && q.silhouetteCells > 0 ? ` <small>(${q.silhouetteCells} cells)</small>` : ''}</td></tr><tr><th>Davies–Bouldin (lower is better)</th><td>${cell(q.daviesBouldin)}</td></tr><tr><th>Calinski–Harabasz (higher is better)</th><td>${cell(q.calinskiHarabasz)}</td></tr></table>`;
  const against = isRecord(q.against)
    ? Object.entries(q.against).filter(([, v]) => isRecord(v))
    : [];
  const table = against.length
    ? `<h3>Agreement with the metadata</h3>${caption('How far the shape modes follow each metadata column: V-measure (harmonic mean of homogeneity and completeness) and adjusted Rand index, 1 when clusters and column values coincide, about 0 when unrelated. A high value for a plate or batch column warns of a batch effect.')}<table class="kv"><tr><th>column (values)</th><td>V-measure · ARI</td></tr>${against
        .map(([column, v]) => {
          const r = v as Record<string, unknown>;
          return `<tr><th>${escapeHtml(column)} (${escapeHtml(String(r.classes))})</th><td>${cell(r.vMeasure)} · ${cell(r.adjustedRandIndex)}</td></tr>`;
        })
        .join('')}</table>`
    : '';
  return section(
    'quality',
    'Cluster quality',
    caption(
      'How well separated the shape modes are in the learned feature space: the silhouette compares each cell’s distance to its own mode with the distance to the nearest other mode; Davies–Bouldin and Calinski–Harabasz weigh the spread within modes against the distance between them.',
    ) +
      internal +
      table,
  );
}
