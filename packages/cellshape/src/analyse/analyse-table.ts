import { readFile } from 'node:fs/promises';
import type { DenseMatrix } from '@cellshape/cluster';
import {
  csvColumnKeys,
  decimalNumber,
  decodeCsvText,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  parseCsv,
} from '@cellshape/core';

/** The rows of `cellshape analyse`: ids, metadata columns as text and the numeric features. */
export interface AnalyseTable {
  /** Row ids (cells, crops, images), from the id column. */
  ids: string[];
  /** Metadata column names, in file order (features CSV first, then the metadata CSV). */
  metadataColumns: string[];
  /** Metadata values as text, by column, one per row. */
  metadata: Record<string, string[]>;
  /** Feature column names, in file order. */
  featureNames: string[];
  /** `n × F` features. */
  features: DenseMatrix<Float64Array>;
  /** Rows of the features CSV left out because the metadata CSV has no row with their id. */
  unmatched: number;
  /**
   * Ids on more than one row of the metadata CSV: the first row of each is joined (as core's
   * `joinMetadata` does), the later ones are left out and named here.
   */
  repeatedMetadataIds: string[];
  /**
   * Columns of the metadata CSV that the features CSV also has, with another value on some
   * joined row: the features CSV's values are used (a run's `features.csv` carries the training
   * metadata), and these are named so that a corrected metadata CSV is not ignored unseen.
   */
  shadowedMetadataColumns: string[];
}

/** What {@link readAnalyseTable} needs to know. */
export interface AnalyseTableInput {
  /** The features CSV: an id column and numeric feature columns (and maybe metadata columns). */
  features: string;
  /** A metadata CSV joined by id, when the features CSV does not carry the metadata. */
  metadata?: string;
  /** Name of the id column in both files. */
  idColumn: string;
  /** Columns that are metadata whatever their values look like (the design columns). */
  reserved: readonly string[];
}

const FN = 'analyseRun';

async function readCsvFile(path: string, what: string) {
  let text: string;
  try {
    // UTF-8, or Windows-1252 as Excel saves CSV (never replacement characters merging names).
    text = decodeCsvText(new Uint8Array(await readFile(path)));
  } catch (error) {
    throw new FileSystemError(`${FN}: could not read the ${what} ${JSON.stringify(path)}`, {
      fn: FN,
      arg: path,
      cause: error,
    });
  }
  const table = parseCsv(text, { source: path, caller: FN });
  // A repeated column name keeps its first column; later ones are `x.1`, … (as pandas reads it).
  return { ...table, header: csvColumnKeys(table.header) };
}

function isNumeric(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(decimalNumber(text));
}

/**
 * Which columns hold features: the run format's `f0, f1, …` and `classical_<measure>` (of
 * `cellshape extract --features-with classical`) when present (everything else is
 * metadata, e.g. soft labels q0…), else every column whose values are all numbers, apart from
 * the id and the design columns.
 */
function featureColumns(header: string[], rows: string[][], skip: Set<string>): number[] {
  const indexed = header.flatMap((name, c) => (/^(f\d+|classical_\w+)$/.test(name) ? [c] : []));
  if (indexed.length > 0) return indexed;
  return header.flatMap((name, c) =>
    skip.has(name) || !rows.every((row) => isNumeric(row[c]!)) ? [] : [c],
  );
}

/** The metadata CSV joined to the features CSV's rows: what {@link readAnalyseTable} keeps of it. */
interface MetadataJoin {
  /** The features CSV's rows that have a metadata row. */
  rows: string[][];
  /** Metadata columns (not in the features CSV) and their values, one per kept row. */
  columns: string[];
  values: Record<string, string[]>;
  unmatched: number;
  repeated: string[];
  /** Columns of both CSVs whose values differ (the features CSV's win). */
  shadowed: string[];
}

/** Joins the metadata CSV to the features rows by id; the first row of a repeated id wins. */
async function joinMetadataCsv(
  path: string,
  idColumn: string,
  features: { header: string[]; rows: string[][] },
  idAt: number,
): Promise<MetadataJoin> {
  const meta = await readCsvFile(path, 'metadata CSV');
  const metaId = meta.header.indexOf(idColumn);
  if (metaId < 0)
    throw new InvalidArgumentError(
      `${FN}: the metadata CSV has no id column ${JSON.stringify(idColumn)}`,
      { fn: FN, arg: 'input.idColumn' },
    );
  const byId = new Map<string, string[]>();
  const repeated = new Set<string>();
  for (const r of meta.rows) {
    if (!byId.has(r[metaId]!)) byId.set(r[metaId]!, r);
    else repeated.add(r[metaId]!);
  }
  const rows = features.rows.filter((r) => byId.has(r[idAt]!));
  if (rows.length === 0)
    throw new InvalidArgumentError(
      `${FN}: no id of the features CSV is in the metadata CSV (column ${JSON.stringify(idColumn)})`,
      { fn: FN, arg: 'input.metadata' },
    );
  const join: MetadataJoin = {
    rows,
    columns: [],
    values: {},
    unmatched: features.rows.length - rows.length,
    repeated: [...repeated],
    shadowed: [],
  };
  meta.header.forEach((name, c) => {
    if (c === metaId) return;
    const own = features.header.indexOf(name);
    if (own >= 0) {
      if (rows.some((r) => r[own] !== byId.get(r[idAt]!)![c])) join.shadowed.push(name);
      return;
    }
    join.columns.push(name);
    join.values[name] = rows.map((r) => byId.get(r[idAt]!)![c]!);
  });
  return join;
}

/** The `rows × featureAt` matrix of finite numbers; a value that is not one throws, naming it. */
function featureMatrix(
  path: string,
  header: string[],
  rows: string[][],
  featureAt: number[],
): Float64Array {
  const f = featureAt.length;
  const data = new Float64Array(rows.length * f);
  rows.forEach((row, i) => {
    featureAt.forEach((c, j) => {
      const value = decimalNumber(row[c]);
      if (row[c]!.trim() === '' || !Number.isFinite(value))
        throw new FormatError(
          `${FN}: ${path} row ${i + 1}, feature ${JSON.stringify(header[c])} must be a finite number, got ${JSON.stringify(row[c])}`,
          { fn: FN, arg: path },
        );
      data[i * f + j] = value;
    });
  });
  return data;
}

/**
 * Reads the features CSV (and joins the metadata CSV by id): features as numbers, every other
 * column as text metadata. Rows without metadata are left out and counted.
 *
 * @throws InvalidArgumentError when the id column is missing, no feature column is found, or no
 *   row has metadata; FormatError for a non-numeric feature value.
 */
export async function readAnalyseTable(input: AnalyseTableInput): Promise<AnalyseTable> {
  const table = await readCsvFile(input.features, 'features CSV');
  const idAt = table.header.indexOf(input.idColumn);
  if (idAt < 0)
    throw new InvalidArgumentError(
      `${FN}: the features CSV has no id column ${JSON.stringify(input.idColumn)} (columns: ${table.header.slice(0, 12).join(', ')})`,
      { fn: FN, arg: 'input.idColumn' },
    );
  const join =
    input.metadata === undefined
      ? undefined
      : await joinMetadataCsv(input.metadata, input.idColumn, table, idAt);
  const rows = join?.rows ?? table.rows;
  const metadata: Record<string, string[]> = { ...join?.values };
  const metadataColumns = join?.columns ?? [];
  const skip = new Set([input.idColumn, ...input.reserved, ...metadataColumns]);
  const featureAt = featureColumns(table.header, rows, skip);
  if (featureAt.length === 0)
    throw new InvalidArgumentError(
      `${FN}: the features CSV has no numeric feature column (columns f0, f1, … or all-numeric columns)`,
      { fn: FN, arg: 'input.features' },
    );
  const own: string[] = [];
  table.header.forEach((name, c) => {
    if (c === idAt || featureAt.includes(c)) return;
    own.push(name);
    metadata[name] = rows.map((r) => r[c]!);
  });
  return {
    ids: rows.map((r) => r[idAt]!),
    metadataColumns: [...own, ...metadataColumns],
    metadata,
    featureNames: featureAt.map((c) => table.header[c]!),
    features: {
      data: featureMatrix(input.features, table.header, rows, featureAt),
      shape: [rows.length, featureAt.length],
    },
    unmatched: join?.unmatched ?? 0,
    repeatedMetadataIds: join?.repeated ?? [],
    shadowedMetadataColumns: join?.shadowed ?? [],
  };
}
