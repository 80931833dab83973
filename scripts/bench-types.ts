/**
 * The contract between `pnpm bench` (scripts/bench.ts) and the benchmark files of the
 * packages (`packages/<name>/bench/*.bench.ts`, each default-exporting `BenchCase[]`).
 */
export interface ReferenceRun {
  /**
   * A Python script of ours (repo-relative path) that prints bench.py-style JSON lines, for
   * measurements bench.py lacks; it gets `--reference-dir <dir>` to import `dfn.py` from.
   * Default: the reference harness's own `bench.py`.
   */
  script?: string;
  /** `--only` value, e.g. `'marching_cubes'`. */
  only: string;
  /** Further `bench.py` arguments, e.g. `['--tiff', path, '--spacing', '2.18,1,1']`. */
  args: string[];
  /** Picks this case's row among the JSON lines bench.py prints (default: the first). */
  select?: (row: Record<string, unknown>) => boolean;
}

export interface BenchCase<State = unknown> {
  /** Name with its size, e.g. `'marching_cubes_qcanet16'`, `'forward_B16'`. */
  bench: string;
  /** One line on what is timed. */
  description: string;
  /** Untimed preparation; return undefined (or throw a `BenchSkip`) to skip the case. */
  setup(): Promise<State | undefined> | State | undefined;
  /** The timed work. */
  run(state: State): unknown;
  /** The side-by-side reference measurement, when there is one. */
  reference?: ReferenceRun | ReferenceRun[];
  /** Minimum and maximum timed runs (defaults 3 and 20) and a time budget in seconds (20). */
  runs?: { min?: number; max?: number; budgetSeconds?: number };
  /** Extra facts to print with the result (vertex counts, areas, losses ...). */
  facts?(state: State, result: unknown): Record<string, number | string>;
}

/** Thrown by `setup` to skip a case with a reason (e.g. missing `../shared/data`). */
export class BenchSkip extends Error {}
