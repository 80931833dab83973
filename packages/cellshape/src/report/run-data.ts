import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CsvTable,
  FileSystemError,
  FormatError,
  invalidArgument,
  parseCsv,
} from '@cellshape/core';
import { RUN_LAYOUT } from '../run/run-directory.js';

/** One epoch of a training log (`log.jsonl`, written by the engine's `trainLoop`). */
export interface EpochRecord {
  /** Zero-based epoch index. */
  epoch: number;
  /** Mean loss over the epoch's batches. */
  loss: number;
  /** Means of the named loss parts (e.g. `reconstruction`, `kl`). */
  parts: Record<string, number>;
  /** Optimizer steps at the end of the epoch, when logged. */
  step?: number;
  /** Learning rate of the epoch, when logged. */
  lr?: number;
  /** Wall-clock seconds of the epoch, when logged. */
  seconds?: number;
  /** Why training stopped after this epoch, when it stopped early. */
  stopped?: string;
}

/** The cells of a run: ids, metadata and, when their files exist, features and assignments. */
export interface CellTable {
  /** Cell ids, one per row. */
  ids: string[];
  /** Metadata column names (every CSV column that is not an id, feature or assignment). */
  metadataColumns: string[];
  /** Metadata values per column, one per cell (empty string when absent). */
  metadata: Record<string, string[]>;
  /** Features `n × F` (row-major), from `features.csv`. */
  features?: { data: Float64Array; shape: [number, number] };
  /** Hard cluster per cell, from `assignments.csv`. */
  clusters?: number[];
  /** Soft assignments (the 3DQMS) `n × K`, from `assignments.csv`. */
  q?: { data: Float64Array; shape: [number, number] };
}

/** Exemplar cells of one cluster, from `exemplars.json`. */
export interface ExemplarCluster {
  /** Cluster index. */
  cluster: number;
  /** Cells in the cluster. */
  size: number;
  /** A few cells most typical of the cluster, each with its point cloud (`[x, y, z]` rows). */
  /** `image`: the family's picture of the cell (a PNG data URL), e.g. voxel slices. */
  exemplars: { id: string; points: number[][]; image?: string }[];
}

/** A file of the run directory that could not be shown, and why. */
export interface MissingFile {
  /** Path relative to the run directory, e.g. `idec/log.jsonl`. */
  file: string;
  /** What is missing or was ignored. */
  reason: string;
}

/** Everything {@link readRun} found in a run directory. */
export interface RunData {
  /** The run directory read. */
  runDir: string;
  /** `config.json`: options, versions, seed, backend, inputs. */
  config?: Record<string, unknown>;
  /** `pretrain/log.jsonl`, sorted by epoch (a resumed epoch keeps its last record). */
  pretrainLog?: EpochRecord[];
  /** `idec/log.jsonl`, sorted by epoch. */
  idecLog?: EpochRecord[];
  /** Cells from `features.csv` and `assignments.csv`, joined by id. */
  cells?: CellTable;
  /** `exemplars.json`. */
  exemplars?: ExemplarCluster[];
  /** `summary.json`: counts, final losses, timings, optional chosen-K curve. */
  summary?: Record<string, unknown>;
  /** Files that are absent (or partly unusable), for the report to say so. */
  missing: MissingFile[];
}

/** The files of a run directory the report reads, relative to it (from {@link RUN_LAYOUT}). */
export const RUN_FILES = Object.freeze({
  config: RUN_LAYOUT.config,
  pretrainLog: join(RUN_LAYOUT.pretrainDir, RUN_LAYOUT.log),
  idecLog: join(RUN_LAYOUT.idecDir, RUN_LAYOUT.log),
  features: RUN_LAYOUT.features,
  assignments: RUN_LAYOUT.assignments,
  exemplars: RUN_LAYOUT.exemplars,
  summary: RUN_LAYOUT.summary,
});

const LOG_KEYS = new Set(['epoch', 'step', 'loss', 'lr', 'batches', 'seconds', 'time', 'best']);

function formatError(file: string, message: string): FormatError {
  return new FormatError(`readRun: ${file}: ${message}`, { fn: 'readRun', arg: file });
}

async function readText(runDir: string, file: string): Promise<string | undefined> {
  const path = join(runDir, file);
  if (!existsSync(path)) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new FileSystemError(`readRun: could not read ${JSON.stringify(path)}`, {
      fn: 'readRun',
      arg: path,
      cause: error,
    });
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw formatError(file, `not valid JSON (${(error as Error).message})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseObject(text: string, file: string): Record<string, unknown> {
  const value = parseJson(text, file);
  if (!isRecord(value)) throw formatError(file, 'must hold a JSON object');
  return value;
}

/** Parses a JSON-lines training log; a last line cut short by a crash is ignored and noted. */
function parseLog(text: string, file: string, missing: MissingFile[]): EpochRecord[] {
  const lines = text.split('\n');
  const byEpoch = new Map<number, EpochRecord>();
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1) {
        missing.push({ file, reason: `its last line is incomplete and was ignored` });
        return;
      }
      throw formatError(file, `line ${index + 1} is not valid JSON (${(error as Error).message})`);
    }
    if (!isRecord(value) || typeof value.epoch !== 'number' || typeof value.loss !== 'number')
      throw formatError(
        file,
        `line ${index + 1} must be an object with numeric 'epoch' and 'loss'`,
      );
    const parts: Record<string, number> = {};
    for (const [key, v] of Object.entries(value))
      if (!LOG_KEYS.has(key) && typeof v === 'number') parts[key] = v;
    const record: EpochRecord = { epoch: value.epoch, loss: value.loss, parts };
    if (typeof value.step === 'number') record.step = value.step;
    if (typeof value.lr === 'number') record.lr = value.lr;
    if (typeof value.seconds === 'number') record.seconds = value.seconds;
    if (typeof value.stopped === 'string') record.stopped = value.stopped;
    byEpoch.set(value.epoch, record);
  });
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** Columns named `<prefix><index>` (e.g. f0, f1, …), in index order. */
function indexedColumns(header: string[], prefix: string): number[] {
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  return header
    .map((name, column) => ({ column, match: pattern.exec(name) }))
    .filter((c) => c.match !== null)
    .sort((a, b) => Number(a.match![1]) - Number(b.match![1]))
    .map((c) => c.column);
}

function numericMatrix(
  table: CsvTable,
  columns: number[],
  file: string,
): { data: Float64Array; shape: [number, number] } {
  const n = table.rows.length;
  const f = columns.length;
  const data = new Float64Array(n * f);
  table.rows.forEach((row, r) => {
    columns.forEach((column, c) => {
      const text = row[column]!;
      const value = text.trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(value))
        throw formatError(
          file,
          `row ${r + 1}, column '${table.header[column]}' must be a finite number, got ${JSON.stringify(text)}`,
        );
      data[r * f + c] = value;
    });
  });
  return { data, shape: [n, f] };
}

interface ParsedCells {
  ids: string[];
  metadata: Map<string, string[]>;
  matrix: { data: Float64Array; shape: [number, number] };
  clusters?: number[];
}

/** Parses `features.csv` (prefix `f`) or `assignments.csv` (prefix `q`, plus `cluster`). */
function parseCells(text: string, file: string, prefix: 'f' | 'q'): ParsedCells {
  const table = parseCsv(text, { caller: 'readRun', source: file });
  const idColumn = table.header.indexOf('id');
  if (idColumn < 0) throw formatError(file, "has no 'id' column");
  const valueColumns = indexedColumns(table.header, prefix);
  if (valueColumns.length === 0) throw formatError(file, `has no '${prefix}0…' columns`);
  const clusterName = ['cluster', 'label'].find((name) => table.header.includes(name));
  if (prefix === 'q' && clusterName === undefined)
    throw formatError(file, "has no 'cluster' (or 'label') column");
  const reserved = new Set([idColumn, ...valueColumns]);
  const ids = table.rows.map((row) => row[idColumn]!);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw formatError(file, `cell id ${JSON.stringify(id)} appears twice`);
    seen.add(id);
  }
  const parsed: ParsedCells = {
    ids,
    metadata: new Map(),
    matrix: numericMatrix(table, valueColumns, file),
  };
  if (prefix === 'q') {
    const column = table.header.indexOf(clusterName!);
    reserved.add(column);
    parsed.clusters = table.rows.map((row, r) => {
      const value = Number(row[column]);
      if (!Number.isInteger(value) || value < 0)
        throw formatError(
          file,
          `row ${r + 1}: '${clusterName}' must be a cluster index ≥ 0, got ${JSON.stringify(row[column])}`,
        );
      return value;
    });
  }
  table.header.forEach((name, column) => {
    if (!reserved.has(column))
      parsed.metadata.set(
        name,
        table.rows.map((row) => row[column]!),
      );
  });
  return parsed;
}

/** Joins features and assignments by cell id (assignments give the row order). */
function joinCells(
  features: ParsedCells | undefined,
  assignments: ParsedCells | undefined,
): CellTable | undefined {
  const base = assignments ?? features;
  if (base === undefined) return undefined;
  const ids = base.ids;
  const metadata: Record<string, string[]> = Object.fromEntries(base.metadata);
  const cells: CellTable = { ids, metadataColumns: [...base.metadata.keys()], metadata };
  if (assignments !== undefined) {
    cells.clusters = assignments.clusters!;
    cells.q = assignments.matrix;
  }
  if (features !== undefined) {
    if (features === base) cells.features = features.matrix;
    else {
      const row = new Map(features.ids.map((id, i) => [id, i]));
      const order = ids.map((id) => row.get(id));
      if (features.ids.length !== ids.length || order.some((i) => i === undefined))
        throw formatError(
          RUN_FILES.features,
          `lists other cells than ${RUN_FILES.assignments} (${features.ids.length} vs ${ids.length} rows, joined by id)`,
        );
      const f = features.matrix.shape[1];
      const data = new Float64Array(ids.length * f);
      order.forEach((source, i) => {
        data.set(features.matrix.data.subarray(source! * f, (source! + 1) * f), i * f);
      });
      cells.features = { data, shape: [ids.length, f] };
      for (const [name, values] of features.metadata) {
        if (name in metadata) continue;
        metadata[name] = order.map((source) => values[source!]!);
        cells.metadataColumns.push(name);
      }
    }
  }
  return cells;
}

function parseExemplars(text: string, file: string): ExemplarCluster[] {
  const value = parseJson(text, file);
  if (!isRecord(value) || !Array.isArray(value.clusters))
    throw formatError(file, "must be an object with a 'clusters' array");
  return value.clusters.map((entry: unknown, c) => {
    if (
      !isRecord(entry) ||
      !Number.isInteger(entry.cluster) ||
      typeof entry.size !== 'number' ||
      !Array.isArray(entry.exemplars)
    )
      throw formatError(
        file,
        `clusters[${c}] must be { cluster: integer, size: number, exemplars: [] }`,
      );
    const exemplars = entry.exemplars.map((ex: unknown, e) => {
      const where = `clusters[${c}].exemplars[${e}]`;
      if (!isRecord(ex) || !Array.isArray(ex.points))
        throw formatError(file, `${where} must be { id, points: number[][] }`);
      const points = ex.points as unknown[];
      for (const p of points) {
        if (
          !Array.isArray(p) ||
          p.length !== 3 ||
          !p.every((v) => typeof v === 'number' && Number.isFinite(v))
        )
          throw formatError(file, `${where}.points must hold [x, y, z] rows of finite numbers`);
      }
      const image =
        typeof ex.image === 'string' && ex.image.startsWith('data:image/png;base64,')
          ? { image: ex.image }
          : {};
      return { id: String(ex.id ?? `${c}-${e}`), points: points as number[][], ...image };
    });
    return { cluster: entry.cluster as number, size: entry.size, exemplars };
  });
}

/** Throws an InvalidArgumentError naming `fn` unless `runDir` is an existing directory. */
export function checkRunDir(fn: string, runDir: unknown): asserts runDir is string {
  if (typeof runDir !== 'string' || runDir === '')
    throw invalidArgument(fn, 'runDir', 'a directory path', runDir);
  if (!existsSync(runDir) || !statSync(runDir).isDirectory())
    throw invalidArgument(fn, 'runDir', 'an existing directory', runDir);
}

/**
 * Reads a `cellshape train` run directory: `config.json`, `pretrain/log.jsonl`,
 * `idec/log.jsonl`, `features.csv` (id, metadata, f0…), `assignments.csv` (id, metadata,
 * cluster, q0…), `exemplars.json` and `summary.json`. Every file is optional: the absent ones
 * are listed in `missing`.
 *
 * @throws InvalidArgumentError when `runDir` is not an existing directory.
 * @throws FormatError when a file exists but is malformed (the message names the file).
 */
export async function readRun(runDir: string): Promise<RunData> {
  checkRunDir('readRun', runDir);
  const missing: MissingFile[] = [];
  const read = async (file: string): Promise<string | undefined> => {
    const text = await readText(runDir, file);
    if (text === undefined) missing.push({ file, reason: 'not found' });
    return text;
  };
  const [configText, pretrainText, idecText, featuresText, assignText, exemplarsText, summaryText] =
    await Promise.all([
      read(RUN_FILES.config),
      read(RUN_FILES.pretrainLog),
      read(RUN_FILES.idecLog),
      read(RUN_FILES.features),
      read(RUN_FILES.assignments),
      read(RUN_FILES.exemplars),
      read(RUN_FILES.summary),
    ]);
  const data: RunData = { runDir, missing };
  if (configText !== undefined) data.config = parseObject(configText, RUN_FILES.config);
  if (pretrainText !== undefined)
    data.pretrainLog = parseLog(pretrainText, RUN_FILES.pretrainLog, missing);
  if (idecText !== undefined) data.idecLog = parseLog(idecText, RUN_FILES.idecLog, missing);
  const features =
    featuresText === undefined ? undefined : parseCells(featuresText, RUN_FILES.features, 'f');
  const assignments =
    assignText === undefined ? undefined : parseCells(assignText, RUN_FILES.assignments, 'q');
  const cells = joinCells(features, assignments);
  if (cells !== undefined) data.cells = cells;
  if (exemplarsText !== undefined)
    data.exemplars = parseExemplars(exemplarsText, RUN_FILES.exemplars);
  if (summaryText !== undefined) data.summary = parseObject(summaryText, RUN_FILES.summary);
  return data;
}
