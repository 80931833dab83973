import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileSystemError, FormatError, invalidArgument, writeFileAtomic } from '@cellshape/core';
import type { RunBaseline } from './baseline.js';
import type { ClusterQuality } from './cluster-quality.js';

/**
 * The run directory: everything `cellshape train` writes, and what `extract` and `report`
 * read. Paths are relative to the run directory.
 *
 * | file | content |
 * |---|---|
 * | `config.json` | all resolved options, package versions, seed, backend, absolute input paths ({@link RunConfig}) |
 * | `pretrain/log.jsonl`, `pretrain/best.ckpt`, `pretrain/last.ckpt` | autoencoder pretraining: one JSON line per epoch, checkpoints |
 * | `idec/log.jsonl`, `idec/best.ckpt`, `idec/last.ckpt` | IDEC (autoencoder + cluster centres) |
 * | `clusters.ckpt` | an encoder-only family's model + its k-means centres (instead of `idec/`) |
 * | `features.csv` | `id, <metadata columns>, f0 … f(F−1)`: features of the final encoder |
 * | `assignments.csv` | `id, <metadata columns>, cluster, q0 … q(K−1)`: hard and soft cluster labels |
 * | `exemplars.json` | `{ clusters: [{ cluster, size, exemplars: [{ id, points, image? }] }] }` ({@link ExemplarsFile}) |
 * | `classical.csv` | `id, volume, sphericity, …`: the classical shape measures of every cell (when found) |
 * | `summary.json` | counts, final losses, timings, chosen K, learned-vs-classical baseline ({@link RunSummary}) |
 */
export const RUN_LAYOUT = Object.freeze({
  config: 'config.json',
  pretrainDir: 'pretrain',
  idecDir: 'idec',
  log: 'log.jsonl',
  best: 'best.ckpt',
  last: 'last.ckpt',
  features: 'features.csv',
  assignments: 'assignments.csv',
  exemplars: 'exemplars.json',
  summary: 'summary.json',
  report: 'report.html',
  clusters: 'clusters.ckpt',
  classical: 'classical.csv',
});

/** Absolute paths of every file of a run directory. */
export interface RunPaths {
  root: string;
  config: string;
  pretrainDir: string;
  pretrainLog: string;
  pretrainBest: string;
  pretrainLast: string;
  idecDir: string;
  idecLog: string;
  idecBest: string;
  idecLast: string;
  features: string;
  assignments: string;
  exemplars: string;
  summary: string;
  report: string;
  /** The clustered model of an encoder-only family. */
  clusters: string;
  /** The classical measures of the cells. */
  classical: string;
}

/** The paths of the run directory `root` (resolved against the working directory). */
export function runPaths(root: string): RunPaths {
  if (typeof root !== 'string' || root.length === 0)
    throw invalidArgument('runPaths', 'root', 'a folder path', root);
  const r = resolve(root);
  const pretrainDir = join(r, RUN_LAYOUT.pretrainDir);
  const idecDir = join(r, RUN_LAYOUT.idecDir);
  return {
    root: r,
    config: join(r, RUN_LAYOUT.config),
    pretrainDir,
    pretrainLog: join(pretrainDir, RUN_LAYOUT.log),
    pretrainBest: join(pretrainDir, RUN_LAYOUT.best),
    pretrainLast: join(pretrainDir, RUN_LAYOUT.last),
    idecDir,
    idecLog: join(idecDir, RUN_LAYOUT.log),
    idecBest: join(idecDir, RUN_LAYOUT.best),
    idecLast: join(idecDir, RUN_LAYOUT.last),
    features: join(r, RUN_LAYOUT.features),
    assignments: join(r, RUN_LAYOUT.assignments),
    exemplars: join(r, RUN_LAYOUT.exemplars),
    summary: join(r, RUN_LAYOUT.summary),
    report: join(r, RUN_LAYOUT.report),
    clusters: join(r, RUN_LAYOUT.clusters),
    classical: join(r, RUN_LAYOUT.classical),
  };
}

/** `config.json`: how the run was made, enough to repeat or resume it. */
export interface RunConfig {
  /** Format of this file: 2 groups `options` as `trainRun`'s (1: flat, before model families). */
  formatVersion: 1 | 2;
  /** ISO time the run (or its last resume) started. */
  createdAt: string;
  /** Versions of cellshape's packages, tfjs and Node. */
  versions: Record<string, string>;
  /** The base seed. */
  seed: number;
  /** The tfjs backend the run used. */
  backend: string;
  /** The registered model family, e.g. `'cloud'`. */
  model: string;
  /** Absolute input paths. */
  inputs: { points: string; metadata: string | null; idColumn: string };
  /** Every resolved training option (`ResolvedTrainRunOptions`; flat in format 1). */
  options: Record<string, unknown>;
}

/** One cluster of `exemplars.json`. */
export interface ExemplarsCluster {
  /** Cluster index 0 … K−1. */
  cluster: number;
  /** Cells whose hard label is this cluster. */
  size: number;
  /**
   * Up to 3 cells of the cluster with the highest q, each with ≤ 1024 points `[x, y, z]` from its
   * file and, for families that draw one, a picture (`data:image/png;base64,…`).
   */
  exemplars: { id: string; q: number; points: number[][]; image?: string }[];
}

/** `exemplars.json`. */
export interface ExemplarsFile {
  clusters: ExemplarsCluster[];
}

/** Loss and time of one training stage in `summary.json`. */
export interface StageSummary {
  /** Epochs completed in all (resumed runs included). */
  epochs: number;
  /** Epochs trained by the last call. */
  epochsThisRun: number;
  /**
   * Mean loss of the last epoch trained: in the last call, else (pretraining resumed with nothing
   * left to train) the one its checkpoint holds; null when no epoch ever ran.
   */
  finalLoss: number | null;
  /** Lowest epoch loss. */
  bestLoss: number | null;
  /** Why training stopped early (IDEC: the label-change tolerance), if it did. */
  stopped: string | null;
  /** Wall-clock seconds of the last call. */
  seconds: number;
}

/** `summary.json`. */
export interface RunSummary {
  /** The model family. */
  model?: string;
  /** How the cells were clustered: IDEC (an autoencoder) or k-means (an encoder-only family). */
  clustering?: 'idec' | 'kmeans';
  /** Cells used. */
  cells: number;
  /** Clouds or metadata rows left out, with the reason. */
  skipped: { id?: string; path?: string; reason: string }[];
  /** Number of clusters K. */
  clusters: number;
  /** Cells per cluster. */
  clusterSizes: number[];
  /** The elbow search, when `--clusters auto`: k tried, k-means inertia per k, the chosen k. */
  chooseK: { ks: number[]; inertias: number[]; k: number | null } | null;
  pretrain: StageSummary;
  idec: StageSummary & { converged: boolean; lastLabelChange: number | null };
  /** Wall-clock seconds per stage and in all. */
  timings: Record<string, number>;
  /** The backend used. */
  backend: string;
  /** Silhouette, Davies–Bouldin, Calinski–Harabasz; V-measure and ARI against metadata columns. */
  clusterQuality?: ClusterQuality;
  /** Learned features vs classical shape measures, per metadata column. */
  baseline?: RunBaseline;
}

/** Writes a JSON file atomically, pretty-printed, with a final newline. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a JSON object file, with typed errors naming the file. */
export async function readJson<T>(fn: string, path: string): Promise<T> {
  if (!existsSync(path))
    throw new FileSystemError(`${fn}: ${path} does not exist`, { fn, arg: path });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FileSystemError(`${fn}: could not read ${path}`, { fn, arg: path, cause: error });
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as T;
  } catch (error) {
    throw new FormatError(
      `${fn}: ${path} is not a valid JSON object (${(error as Error).message})`,
      {
        fn,
        arg: path,
      },
    );
  }
}
