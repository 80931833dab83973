import type { ReportSection } from '../run/model-plugin.js';
import { baselineSection } from './baseline-section.js';
import { clusterQualitySection } from './cluster-quality-section.js';
import { escapeHtml, inlineScript, jsonForScript } from './escape.js';
import { PALETTE, REPORT_CSS, REPORT_SCRIPT } from './page-assets.js';
import { caption, keyValueTable, note, plot, section } from './page-parts.js';
import { pointCloudSvg } from './point-cloud-svg.js';
import type { ReportModel } from './report-model.js';
import type { RunData } from './run-data.js';

/** What the page template needs beyond the model. */
export interface PageInput {
  title: string;
  data: RunData;
  model: ReportModel;
  /** The plotting library's minified source, inlined. */
  plotly: string;
  /** The model family's sections (`ModelReport.pageSections`); default none. */
  sections?: readonly ReportSection[];
}

function configSection(data: RunData): string {
  const config = data.config
    ? keyValueTable(data.config)
    : note('config.json is missing: the run settings are unknown.');
  const summary = data.summary
    ? `<h3>Run summary</h3>${keyValueTable(data.summary)}`
    : note('summary.json is missing.');
  return section(
    'configuration',
    'Run configuration',
    `${caption(
      'The settings this run was made with (model, training options, seed, backend, inputs and package versions), so that it can be repeated, and the summary written at its end.',
    )}<div class="grid2"><div><h3>Configuration</h3>${config}</div><div>${summary}</div></div>`,
  );
}

function trainingSection(model: ReportModel): string {
  const { pretrain, idec } = model.payload.training;
  const describe = (name: string, set: typeof pretrain): string =>
    set
      ? `${name}: ${set.epochs.length} epochs in ${set.seconds.toFixed(1)} s` +
        (set.stopped ? `, stopped early (${escapeHtml(set.stopped)})` : '')
      : `${name}: no log`;
  const plots =
    (pretrain ? plot('plot-pretrain') : note('pretrain/log.jsonl is missing.')) +
    (idec ? plot('plot-idec') : note('idec/log.jsonl is missing: this run has no IDEC stage.'));
  const chooseK = model.payload.chooseK
    ? `<h3>Choosing the number of shape modes</h3>${caption(
        'k-means inertia (the spread of cells around their cluster centres) of the pretrained features for each number of clusters k. Inertia always falls as k grows; the elbow, found by the Kneedle method and circled, is where extra clusters stop paying off, and sets the number of shape modes.',
      )}${plot('plot-choose-k')}`
    : '';
  return section(
    'training',
    'Training curves',
    `${caption(
      'Mean loss per epoch (the dashed lines are its named parts). Pretraining teaches the autoencoder to reconstruct every cell’s 3D shape from a compact feature vector; a curve that has flattened means the features have converged. IDEC then adds a clustering layer and a term that sharpens the shape modes (γ·KL(P‖Q)); it stops when almost no cell changes its mode between target updates. ' +
        `${describe('Pretraining', pretrain)}; ${describe('IDEC', idec)}.`,
    )}<div class="grid2">${plots}</div>${chooseK}`,
  );
}

function umapSection(model: ReportModel): string {
  const u = model.payload.umap;
  if (!u) return section('umap', 'Shape space (UMAP)', note(model.notes.umap));
  const options = u.colourings
    .map((c, i) => `<option value="${i}">${escapeHtml(c.name)}</option>`)
    .join('');
  const groupBy = model.payload.signatures?.groupBy;
  const densityColumn = u.colourings.findIndex(
    (c) => c.kind === 'category' && c.name === (groupBy ?? 'cluster'),
  );
  const density = u.colourings[densityColumn];
  const densitySelect =
    density?.kind === 'category'
      ? `<label for="umap-density">Density of</label><select id="umap-density"><option value="">none</option>${density.categories
          .map(
            (c, k) =>
              `<option value="${densityColumn}:${k}">${escapeHtml(density.name === 'cluster' ? `Mode ${c}` : c)}</option>`,
          )
          .join('')}</select>`
      : '';
  const controls = `<div class="controls"><label for="umap-colour">Colour by</label><select id="umap-colour">${options}</select>${densitySelect}</div>`;
  return section(
    'umap',
    'Shape space (UMAP)',
    caption(
      'Each dot is a cell, placed by UMAP so that cells whose learned shape features are similar lie close together. Colour the cells by their shape mode (cluster), by how confidently they belong to it, or by any metadata column; choose a group under “Density of” to outline where its cells concentrate — a treatment that changes shape moves its density away from the controls. Hover a dot for the cell id.',
    ) +
      note(model.notes.umapSample) +
      controls +
      plot('plot-umap', 'tall'),
  );
}

function sizesSection(model: ReportModel): string {
  if (!model.payload.clusterSizes)
    return section(
      'sizes',
      'Cluster sizes',
      note('assignments.csv and exemplars.json are missing: no cluster sizes.'),
    );
  return section(
    'sizes',
    'Cluster sizes',
    caption(
      'Cells assigned to each shape mode: every cell goes to the mode with its largest soft label. A very small mode may be a rare phenotype — or debris and segmentation errors worth checking in the exemplars below.',
    ) + plot('plot-sizes'),
  );
}

/** Whether some exemplar has a picture (the voxel family's slices). */
function withSlices(clusters: NonNullable<RunData['exemplars']>): boolean {
  return clusters.some((c) => c.exemplars.some((e) => e.image !== undefined));
}

function exemplarSection(data: RunData): string {
  const clusters = data.exemplars;
  if (!clusters?.length)
    return section('exemplars', 'Exemplar shapes', note('exemplars.json is missing.'));
  const options: string[] = [];
  const modes = clusters.map((c, ci) => {
    const cells = c.exemplars.map((e, ei) => {
      const key = `${ci}:${ei}`;
      options.push(`<option value="${key}">${escapeHtml(`Mode ${c.cluster} — ${e.id}`)}</option>`);
      const svg = pointCloudSvg(e.points, { title: `Mode ${c.cluster}, cell ${e.id}` });
      const picture = e.image
        ? `<img class="slices" src="${escapeHtml(e.image)}" alt="${escapeHtml(`Middle slices of ${e.id}: input above, reconstruction below`)}">`
        : '';
      return `<button type="button" class="exemplar" data-exemplar="${key}" title="${escapeHtml(`Show ${e.id} in 3D`)}">${svg}${picture}<span>${escapeHtml(e.id)}</span></button>`;
    });
    const swatch = `<span class="swatch" style="background:${PALETTE[c.cluster % PALETTE.length]}"></span>`;
    return `<div class="mode"><h3>${swatch}Mode ${c.cluster} <small>(${c.size} cells)</small></h3><div class="cells">${cells.join('') || '<em>no exemplars</em>'}</div></div>`;
  });
  const viewer = options.length
    ? `<h3>Interactive 3D view</h3><div class="controls"><label for="exemplar-select">Cell</label><select id="exemplar-select">${options.join('')}</select></div>${plot('plot-exemplar-3d', 'tall')}`
    : '';
  return section(
    'exemplars',
    'Exemplar shapes per mode',
    `${caption(
      `The cells most typical of each shape mode (those closest to the mode’s centre), drawn from their surface point clouds: a fixed view from 35° around and 20° above, darker points nearer.${withSlices(clusters) ? ' Beside each, its middle slices across z, y and x: the input cube above, the autoencoder’s reconstruction below (grey = probability).' : ''} Click a cell to turn it in 3D below (drag to rotate, scroll to zoom). Read the modes as shapes — round, elongated, protrusive, flat — to name them.`,
    )}<div class="gallery">${modes.join('')}</div>${viewer}`,
  );
}

function signatureSections(model: ReportModel): string {
  const s = model.payload.signatures;
  if (!s) return section('signatures', 'Shape signatures (3DQMS)', note(model.notes.signatures));
  const column = escapeHtml(s.groupBy);
  const radar = section(
    'signatures',
    `Shape signatures (3DQMS) per ${s.groupBy}`,
    caption(
      `The 3D quantitative morphological signature of each ${column}: the mean over its cells of their soft labels, i.e. how much of each shape mode its cells show (the values sum to 1). Groups whose polygons differ change cell shape differently. The largest groups${s.references.length ? ' and the references' : ''} are shown; click a name in the legend to show or hide others. ${s.groups.length} groups.`,
    ) + plot('plot-radar', 'tall'),
  );
  const heatmap = s.standardised
    ? section(
        'heatmap',
        `Clustered heat map of ${s.groupBy} signatures`,
        caption(
          `Signatures standardised per shape mode across the ${column} groups (z-scores: red, more of this mode than the average group; blue, less). Rows and columns are ordered by hierarchical clustering (average linkage, euclidean distance), so groups with similar effects on shape sit next to each other and blocks of colour reveal classes of effect.`,
        ) + plot('plot-heatmap'),
      ) +
      section(
        'kl',
        'Divergence between signatures',
        caption(
          'Kullback–Leibler divergence KL(row ‖ column), in nats, between the signatures: 0 means the two groups use the shape modes alike; a large value means cells of the row group take shapes that are rare in the column group. It is not symmetric. Rows and columns follow the heat map’s order.',
        ) + plot('plot-kl'),
      )
    : section('heatmap', 'Clustered heat map', note(model.notes.heatmap));
  let references: string;
  if (s.klReferences) {
    const r = s.references.map(escapeHtml);
    const pairs = Math.min(3, (s.references.length * (s.references.length - 1)) / 2);
    const plots =
      s.references.length === 1
        ? plot('plot-kl-ref-0')
        : Array.from({ length: pairs }, (_, p) => plot(`plot-kl-ref-${p}`, 'tall')).join('');
    references = section(
      'references',
      'Comparison with reference groups',
      caption(
        s.references.length === 1
          ? `Divergence of every group’s signature from that of ${r[0]}: groups at the top change shape most like ${r[0]}.`
          : `Every group placed by the divergence of its signature from each reference (${r.join(', ')}), as in Figure 6E of the cellshape paper: a group near zero on one axis shapes cells like that reference; groups far from both do something else. The references are drawn in red.`,
      ) + plots,
    );
  } else
    references = section(
      'references',
      'Comparison with reference groups',
      note(model.notes.references),
    );
  return radar + heatmap + references;
}

function missingBox(data: RunData): string {
  if (data.missing.length === 0) return '';
  const items = data.missing
    .map((m) => `<li><code>${escapeHtml(m.file)}</code>: ${escapeHtml(m.reason)}</li>`)
    .join('');
  return `<div class="missing" id="missing"><h2>Not in this run</h2><ul>${items}</ul></div>`;
}

function stats(data: RunData, model: ReportModel): string {
  const cells = data.cells;
  const items: [string, string | number][] = [];
  if (cells) items.push(['cells', cells.ids.length]);
  const k = cells?.q?.shape[1] ?? data.exemplars?.length;
  if (k !== undefined) items.push(['shape modes', k]);
  if (cells?.features) items.push(['features', cells.features.shape[1]]);
  const s = model.payload.signatures;
  if (s) items.push([`${s.groupBy} groups`, s.groups.length]);
  return `<div class="stats">${items
    .map(
      ([label, value]) =>
        `<div class="stat"><b>${value}</b><span>${escapeHtml(label)}</span></div>`,
    )
    .join('')}</div>`;
}

const TOC_LABELS: Record<string, string> = {
  configuration: 'Configuration',
  training: 'Training',
  umap: 'UMAP',
  sizes: 'Cluster sizes',
  quality: 'Cluster quality',
  baseline: 'Learned vs classical',
  exemplars: 'Exemplars',
  signatures: 'Signatures',
  heatmap: 'Heat map',
  kl: 'Divergence',
  references: 'References',
};

/** The complete, self-contained report page. */
export function reportHtml({ title, data, model, plotly, sections = [] }: PageInput): string {
  const own = sections.find((s) => s.id === 'exemplars');
  const added = sections.filter((s) => s.id !== 'exemplars');
  const labels: Record<string, string> = {
    ...TOC_LABELS,
    ...Object.fromEntries(sections.map((s) => [s.id, s.label])),
  };
  const body = [
    missingBox(data),
    configSection(data),
    trainingSection(model),
    umapSection(model),
    sizesSection(model),
    clusterQualitySection(data.summary),
    baselineSection(data.summary),
    own?.html ?? exemplarSection(data),
    ...added.map((s) => s.html),
    signatureSections(model),
  ].join('\n');
  // The table of contents links the sections this run has.
  const toc = [...body.matchAll(/<section class="card" id="([^"]+)"/g)]
    .map((m) => `<a href="#${m[1]}">${escapeHtml(labels[m[1]!] ?? m[1]!)}</a>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cellshape report">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top"><h1>${escapeHtml(title)}</h1><p>Run directory: <code>${escapeHtml(data.runDir)}</code></p>${stats(data, model)}</header>
<nav class="toc">${toc}</nav>
<main>
${body}
</main>
<footer>Made by <code>cellshape report</code>. Self-contained: opens offline; plots by plotly.js.</footer>
<script type="application/json" id="report-data">${jsonForScript(model.payload)}</script>
<script>${inlineScript(plotly)}</script>
<script>${inlineScript(REPORT_SCRIPT)}</script>
</body>
</html>
`;
}
