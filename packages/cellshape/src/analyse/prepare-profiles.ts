import { aggregateProfiles, type DenseMatrix, normaliseProfiles } from '@cellshape/cluster';
import { InvalidArgumentError } from '@cellshape/core';
import type { ResolvedAnalyseOptions } from './analyse-options.js';
import type { AnalyseTable } from './analyse-table.js';

/** The rows the analysis clusters and classifies: aggregated profiles, or the rows themselves. */
export interface Profiles {
  /** Key columns naming each profile: the group columns, or the id column when not aggregated. */
  keyColumns: string[];
  /** Each profile's key values, one per key column. */
  keys: string[][];
  /** Input rows (cells) behind each profile. */
  counts: number[];
  /** Metadata per profile: a column's value when all of the profile's rows share it, else ''. */
  metadata: Record<string, string[]>;
  /** Metadata columns in `metadata`, in table order (key columns left out). */
  metadataColumns: string[];
  /** The class of each profile (`design.by`; the most common value of its rows), when given. */
  classes: string[] | undefined;
  /** Profiles whose rows had more than one class, when aggregated. */
  mixedClasses: number;
  /** The group of each profile, for grouped cross-validation (each profile its own when aggregated). */
  groups: string[];
  /** Normalised (and aggregated) features, `P × F`. */
  features: DenseMatrix<Float64Array>;
  /** Rows fitted on by the normalisation (controls, or all). */
  referenceRows: number;
}

const FN = 'analyseRun';

/** Throws naming the option unless `column` is a metadata column of the table. */
function requireColumn(table: AnalyseTable, column: string, arg: string): string[] {
  const values = table.metadata[column];
  if (values === undefined)
    throw new InvalidArgumentError(
      `${FN}: no column ${JSON.stringify(column)} in the features or metadata CSV (metadata columns: ${table.metadataColumns.join(', ') || 'none'})`,
      { fn: FN, arg },
    );
  return values;
}

/** The most common value (ties: first seen). */
function mode(values: readonly string[]): string {
  const counts = new Map<string, number>();
  let best = values[0]!;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > counts.get(best)!) best = v;
  }
  return best;
}

/** Checks the design columns exist; returns the control mask (all true without controls). */
function referenceMask(table: AnalyseTable, o: ResolvedAnalyseOptions): boolean[] | 'all' {
  for (const g of o.group) requireColumn(table, g, 'design.group');
  if (o.by !== undefined) requireColumn(table, o.by, 'design.by');
  if (o.plate !== undefined) requireColumn(table, o.plate, 'design.plate');
  if (o.control === undefined) return 'all';
  const { column, value } = o.control;
  const mask = requireColumn(table, column, 'design.control').map((v) => v === value);
  if (!mask.includes(true))
    throw new InvalidArgumentError(
      `${FN}: no row has ${column} = ${JSON.stringify(value)} (the control)`,
      { fn: FN, arg: 'design.control' },
    );
  return mask;
}

/**
 * The normalise and aggregate stages: checks the design columns, normalises every row per plate
 * against the controls (or all rows), then aggregates rows per group (median or mean), keeping
 * counts, the class and the metadata shared within each group.
 *
 * @throws InvalidArgumentError naming the option (`design.group`, `design.by`, `design.control`,
 *   `design.plate`) for a column that does not exist or a control value no row has.
 */
export function prepareProfiles(table: AnalyseTable, o: ResolvedAnalyseOptions): Profiles {
  const reference = referenceMask(table, o);
  const n = table.ids.length;
  const features =
    o.normalise === 'none'
      ? { data: Float64Array.from(table.features.data), shape: table.features.shape }
      : normaliseProfiles(table.features, {
          method: o.normalise,
          reference,
          ...(o.plate !== undefined ? { by: table.metadata[o.plate]! } : {}),
        });
  const referenceRows = reference === 'all' ? n : reference.filter(Boolean).length;
  const groupKey = (i: number) => JSON.stringify(o.group.map((g) => table.metadata[g]![i]));
  if (o.aggregate === 'none') {
    return {
      keyColumns: [o.idColumn],
      keys: table.ids.map((id) => [id]),
      counts: table.ids.map(() => 1),
      metadata: table.metadata,
      metadataColumns: table.metadataColumns,
      classes: o.by === undefined ? undefined : table.metadata[o.by],
      mixedClasses: 0,
      groups: o.group.length > 0 ? table.ids.map((_, i) => groupKey(i)) : [...table.ids],
      features,
      referenceRows,
    };
  }
  const agg = aggregateProfiles(
    features,
    Object.fromEntries(o.group.map((g) => [g, table.metadata[g]!])),
    { method: o.aggregate },
  );
  const rowsOf: number[][] = agg.keys.map(() => []);
  agg.groupOf.forEach((g, i) => {
    rowsOf[g]!.push(i);
  });
  const metadataColumns = table.metadataColumns.filter((c) => !o.group.includes(c));
  const metadata: Record<string, string[]> = {};
  for (const c of metadataColumns)
    metadata[c] = rowsOf.map((rows) => {
      const first = table.metadata[c]![rows[0]!]!;
      return rows.every((i) => table.metadata[c]![i] === first) ? first : '';
    });
  let mixedClasses = 0;
  const classes =
    o.by === undefined
      ? undefined
      : rowsOf.map((rows) => {
          const values = rows.map((i) => table.metadata[o.by!]![i]!);
          if (new Set(values).size > 1) mixedClasses++;
          return mode(values);
        });
  if (classes !== undefined && o.by !== undefined) metadata[o.by] = classes;
  return {
    keyColumns: [...o.group],
    keys: agg.keys.map((k) => k.map(String)),
    counts: agg.counts,
    metadata,
    metadataColumns,
    classes,
    mixedClasses,
    groups: agg.keys.map((k) => JSON.stringify(k)),
    features: agg.profiles,
    referenceRows,
  };
}
