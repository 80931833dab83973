import {
  type DenseMatrix,
  hierarchicalOrder,
  klAgainst,
  klMatrix,
  signatures,
  standardise,
  umap2d,
} from '@cellshape/cluster';
import { createRng } from '@cellshape/core';
import type { CellTable, EpochRecord, ExemplarCluster, RunData } from './run-data.js';

/** Loss per epoch of one training stage, as the page plots it. */
export interface CurveSet {
  epochs: number[];
  loss: number[];
  /** Named loss parts, one value per epoch (NaN-free: an epoch without the part is null). */
  parts: Record<string, (number | null)[]>;
  /** Total wall-clock seconds of the logged epochs. */
  seconds: number;
  /** Why training stopped early, when it did. */
  stopped?: string;
}

/** How the UMAP points can be coloured: by a category per cell or a number per cell. */
export type Colouring =
  | { name: string; kind: 'category'; categories: string[]; values: number[] }
  | { name: string; kind: 'numeric'; values: number[] };

/** Everything the page's script draws, embedded in the page as JSON. */
export interface ReportPayload {
  training: { pretrain?: CurveSet; idec?: CurveSet };
  chooseK?: { ks: number[]; inertia: number[]; k: number | null };
  umap?: { x: number[]; y: number[]; ids: string[]; total: number; colourings: Colouring[] };
  clusterSizes?: { clusters: number[]; counts: number[] };
  exemplars?: {
    cluster: number;
    size: number;
    exemplars: { id: string; x: number[]; y: number[]; z: number[] }[];
  }[];
  signatures?: {
    groupBy: string;
    groups: string[];
    counts: number[];
    clusters: number[];
    /** Mean soft assignment per group, `G × K`. */
    mean: number[][];
    /** `mean` z-scored per cluster across groups (present when G ≥ 2). */
    standardised?: number[][];
    /** Dendrogram leaf order of the groups and of the clusters (present when G ≥ 2). */
    rowOrder?: number[];
    colOrder?: number[];
    /** KL(group a ‖ group b) in nats, `G × G` (present when G ≥ 2). */
    kl?: number[][];
    references: string[];
    /** KL(group ‖ reference r) in nats, `G × R`. */
    klReferences?: number[][];
  };
}

/** Options the model needs, already validated and defaulted. */
export interface ModelOptions {
  groupBy: string | undefined;
  references: string[];
  seed: number;
  maxUmapCells: number;
}

/** The page model: the JSON payload plus notes on what could not be computed. */
export interface ReportModel {
  payload: ReportPayload;
  /** Section id → why its plots are absent (shown in the page). */
  notes: Record<string, string>;
}

/** Rounds to 6 significant digits to keep the embedded JSON small. */
function round(value: number, digits = 6): number {
  return Number(value.toPrecision(digits));
}

function rows(m: DenseMatrix): number[][] {
  const [n, k] = m.shape;
  return Array.from({ length: n }, (_, i) =>
    Array.from(m.data.subarray(i * k, (i + 1) * k), (v) => round(v)),
  );
}

function curves(log: EpochRecord[]): CurveSet {
  const names = [...new Set(log.flatMap((r) => Object.keys(r.parts)))];
  const set: CurveSet = {
    epochs: log.map((r) => r.epoch + 1),
    loss: log.map((r) => round(r.loss)),
    parts: Object.fromEntries(
      names.map((name) => [
        name,
        log.map((r) => (r.parts[name] === undefined ? null : round(r.parts[name]))),
      ]),
    ),
    seconds: round(
      log.reduce((sum, r) => sum + (r.seconds ?? 0), 0),
      4,
    ),
  };
  const stopped = log.findLast((r) => r.stopped !== undefined)?.stopped;
  if (stopped !== undefined) set.stopped = stopped;
  return set;
}

/** Finds a chosen-K curve (`{ range | ks, inertia | inertias, k }`) in the summary. */
function findChooseK(summary: Record<string, unknown> | undefined): ReportPayload['chooseK'] {
  if (summary === undefined) return undefined;
  const candidates = [summary, ...Object.values(summary)];
  for (const c of candidates) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) continue;
    const o = c as Record<string, unknown>;
    const inertia = o.inertia ?? o.inertias;
    if (!Array.isArray(inertia) || !inertia.every((v) => typeof v === 'number')) continue;
    let ks = o.ks ?? o.range;
    // A [min, max] range expands to every k in it.
    if (
      Array.isArray(ks) &&
      ks.length === 2 &&
      inertia.length !== 2 &&
      typeof ks[0] === 'number' &&
      typeof ks[1] === 'number'
    )
      ks = Array.from({ length: ks[1] - ks[0] + 1 }, (_, i) => (ks as number[])[0]! + i);
    if (!Array.isArray(ks) || ks.length !== inertia.length) continue;
    return {
      ks: ks as number[],
      inertia: (inertia as number[]).map((v) => round(v)),
      k: typeof o.k === 'number' ? o.k : null,
    };
  }
  return undefined;
}

/** The columns worth colouring by: numbers, or categories with at most this many values. */
const MAX_CATEGORIES = 40;

function colouring(name: string, values: string[]): Colouring | undefined {
  const distinct = [...new Set(values)];
  const numeric = values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  if (numeric && distinct.length > 12)
    return { name, kind: 'numeric', values: values.map((v) => round(Number(v))) };
  if (distinct.length > MAX_CATEGORIES || distinct.length < 1) return undefined;
  const categories = numeric
    ? distinct.sort((a, b) => Number(a) - Number(b))
    : distinct.sort((a, b) => a.localeCompare(b));
  const index = new Map(categories.map((c, i) => [c, i]));
  return { name, kind: 'category', categories, values: values.map((v) => index.get(v)!) };
}

/** Seeded sample of `m` row indices out of `n` (all rows, in order, when n ≤ m). */
function sampleRows(n: number, m: number, seed: number): number[] {
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  return Array.from(createRng(seed).permutation(n).subarray(0, m)).sort((a, b) => a - b);
}

function umapSection(
  cells: CellTable,
  options: ModelOptions,
  notes: Record<string, string>,
): ReportPayload['umap'] {
  if (cells.features === undefined) {
    notes.umap = 'features.csv is missing, so there is no feature embedding to show.';
    return undefined;
  }
  const [n, f] = cells.features.shape;
  if (n < 4) {
    notes.umap = `UMAP needs at least 4 cells; this run has ${n}.`;
    return undefined;
  }
  const picked = sampleRows(n, options.maxUmapCells, options.seed);
  const data = new Float64Array(picked.length * f);
  picked.forEach((row, i) => {
    data.set(cells.features!.data.subarray(row * f, (row + 1) * f), i * f);
  });
  const embedding = umap2d(
    { data, shape: [picked.length, f] },
    { seed: options.seed, nNeighbors: Math.min(15, picked.length - 1) },
  );
  const colourings: Colouring[] = [];
  if (cells.clusters !== undefined) {
    const clusters = cells.clusters;
    const c = colouring(
      'cluster',
      picked.map((i) => String(clusters[i])),
    );
    if (c) colourings.push(c);
  }
  if (cells.q !== undefined) {
    const [, k] = cells.q.shape;
    const q = cells.q.data;
    colourings.push({
      name: 'confidence (largest soft label)',
      kind: 'numeric',
      values: picked.map((i) => round(Math.max(...q.subarray(i * k, (i + 1) * k)), 4)),
    });
  }
  for (const name of cells.metadataColumns) {
    const c = colouring(
      name,
      picked.map((i) => cells.metadata[name]![i]!),
    );
    if (c) colourings.push(c);
  }
  if (picked.length < n)
    notes.umapSample = `UMAP of a random sample of ${picked.length} of the ${n} cells (seed ${options.seed}).`;
  return {
    x: picked.map((_, i) => round(embedding.data[i * 2]!, 5)),
    y: picked.map((_, i) => round(embedding.data[i * 2 + 1]!, 5)),
    ids: picked.map((i) => cells.ids[i]!),
    total: n,
    colourings,
  };
}

function clusterSizes(
  cells: CellTable | undefined,
  exemplars: ExemplarCluster[] | undefined,
): ReportPayload['clusterSizes'] {
  if (cells?.clusters !== undefined) {
    const k = cells.clusters.reduce((m, c) => Math.max(m, c + 1), cells.q?.shape[1] ?? 0);
    const counts = new Array<number>(k).fill(0);
    for (const c of cells.clusters) counts[c]!++;
    return { clusters: counts.map((_, i) => i), counts };
  }
  if (exemplars !== undefined && exemplars.length > 0) {
    const sorted = [...exemplars].sort((a, b) => a.cluster - b.cluster);
    return { clusters: sorted.map((c) => c.cluster), counts: sorted.map((c) => c.size) };
  }
  return undefined;
}

/** Most points per exemplar sent to the interactive viewer. */
const MAX_VIEWER_POINTS = 2048;

function exemplarPayload(exemplars: ExemplarCluster[]): ReportPayload['exemplars'] {
  return exemplars.map((c) => ({
    cluster: c.cluster,
    size: c.size,
    exemplars: c.exemplars.map((e) => {
      const stride = Math.max(1, Math.ceil(e.points.length / MAX_VIEWER_POINTS));
      const pts = e.points.filter((_, i) => i % stride === 0);
      return {
        id: e.id,
        x: pts.map((p) => round(p[0]!, 4)),
        y: pts.map((p) => round(p[1]!, 4)),
        z: pts.map((p) => round(p[2]!, 4)),
      };
    }),
  }));
}

function transpose(m: DenseMatrix): DenseMatrix<Float64Array> {
  const [r, c] = m.shape;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = m.data[i * c + j]!;
  return { data: out, shape: [c, r] };
}

/** Soft labels renormalised per row (files keep a few digits, so sums drift from 1). */
function renormalised(q: { data: Float64Array; shape: [number, number] }): DenseMatrix {
  const [n, k] = q.shape;
  const out = new Float64Array(q.data);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.max(0, out[i * k + j]!);
    for (let j = 0; j < k; j++)
      out[i * k + j] = sum > 0 ? Math.max(0, out[i * k + j]!) / sum : 1 / k;
  }
  return { data: out, shape: [n, k] };
}

function signatureSection(
  cells: CellTable | undefined,
  options: ModelOptions,
  notes: Record<string, string>,
): ReportPayload['signatures'] {
  if (cells?.q === undefined) {
    notes.signatures = 'assignments.csv is missing, so there are no soft labels to average.';
    return undefined;
  }
  if (options.groupBy === undefined) {
    notes.signatures =
      'No grouping column: pass a metadata column (e.g. Treatment) as groupBy to compare groups of cells.';
    return undefined;
  }
  const groupsOfCells = cells.metadata[options.groupBy]!;
  const q = renormalised(cells.q);
  const k = q.shape[1];
  const result = signatures(q, groupsOfCells);
  const groups = result.groups.map(String);
  const section: NonNullable<ReportPayload['signatures']> = {
    groupBy: options.groupBy,
    groups,
    counts: result.counts,
    clusters: Array.from({ length: k }, (_, j) => j),
    mean: rows(result.signatures),
    references: options.references,
  };
  if (groups.length >= 2) {
    const z = standardise(result.signatures);
    section.standardised = rows(z);
    section.rowOrder = hierarchicalOrder(z).order;
    section.colOrder = k >= 2 ? hierarchicalOrder(transpose(z)).order : [0];
    section.kl = rows(klMatrix(result.signatures));
  } else notes.heatmap = 'Only one group: a clustered heat map needs at least two.';
  if (options.references.length > 0) {
    const refRows = options.references.map((r) => groups.indexOf(r));
    const refs = new Float64Array(refRows.length * k);
    refRows.forEach((g, r) => {
      refs.set(result.signatures.data.subarray(g * k, (g + 1) * k), r * k);
    });
    section.klReferences = rows(
      klAgainst(result.signatures, { data: refs, shape: [refRows.length, k] }),
    );
  } else
    notes.references =
      'No reference groups were chosen: pass references (e.g. two reference drugs) to place every group by its divergence from them.';
  return section;
}

/** Computes everything the page shows from what the run directory holds. */
export function buildReportModel(data: RunData, options: ModelOptions): ReportModel {
  const notes: Record<string, string> = {};
  const payload: ReportPayload = { training: {} };
  if (data.pretrainLog?.length) payload.training.pretrain = curves(data.pretrainLog);
  if (data.idecLog?.length) payload.training.idec = curves(data.idecLog);
  const chooseK = findChooseK(data.summary);
  if (chooseK) payload.chooseK = chooseK;
  if (data.cells) {
    const umap = umapSection(data.cells, options, notes);
    if (umap) payload.umap = umap;
  } else notes.umap = 'features.csv and assignments.csv are missing: there are no cells to show.';
  const sizes = clusterSizes(data.cells, data.exemplars);
  if (sizes) payload.clusterSizes = sizes;
  if (data.exemplars?.length) payload.exemplars = exemplarPayload(data.exemplars);
  const sig = signatureSection(data.cells, options, notes);
  if (sig) payload.signatures = sig;
  return { payload, notes };
}
