import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyTypedArray, type NdArray, parseNpz } from '@cellshape/core';

const here = dirname(fileURLToPath(import.meta.url));
/** The cloud package's root folder. */
export const CLOUD_ROOT = resolve(here, '../..');
/** Where `scripts/make-golden.sh` writes the PyTorch golden cases (git-ignored). */
export const LOCAL_GOLDEN_DIR = resolve(CLOUD_ROOT, '.golden');
/** The shared reference harness's golden folder (`small`, `basic`; absent in CI). */
export const SHARED_GOLDEN_DIR = resolve(
  process.env.CELLSHAPE_SHARED ?? resolve(CLOUD_ROOT, '../../../shared'),
  'reference/golden',
);
/** The committed small fixtures of `scripts/make-fixtures.py`. */
export const FIXTURE_DIR = resolve(CLOUD_ROOT, 'src/golden/fixtures');

/** Arrays of an `.npz` file by key. */
export type NpzArrays = Record<string, NdArray<AnyTypedArray>>;

/** Reads an `.npz` file. */
export function readNpz(path: string): NpzArrays {
  return parseNpz(new Uint8Array(readFileSync(path)));
}

/** Per EdgeConv layer, the query points whose PyTorch neighbour set is fragile (near-ties, float64 mismatches). */
export interface KnnAmbiguity {
  eval: number[];
  train: number[];
}

/** A PyTorch golden case: its arrays (`NAME.npz`), model state (`NAME_state.npz`) and kNN ambiguity (manifest). */
export interface GoldenCase {
  name: string;
  arrays: NpzArrays;
  state: NpzArrays;
  ambiguity: KnnAmbiguity;
  /** Float64 gradients `grad.*` of `scripts/golden-f64.py` (`NAME_f64.npz`), when present. */
  f64: NpzArrays | undefined;
}

type Manifest = {
  cases?: Record<
    string,
    { knn_ambiguity?: Record<string, Record<string, { f64_mismatch: number; near_ties: number }>> }
  >;
};

function readAmbiguity(dir: string, name: string): KnnAmbiguity {
  const path = resolve(dir, 'manifest.json');
  const none = { eval: [0, 0, 0, 0], train: [0, 0, 0, 0] };
  if (!existsSync(path)) return none;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  const table = manifest.cases?.[name]?.knn_ambiguity;
  if (!table) return none;
  const counts = (mode: string): number[] =>
    [1, 2, 3, 4].map((l) => {
      const entry = table[mode]?.[`knn${l}`];
      return entry ? entry.f64_mismatch + entry.near_ties : 0;
    });
  return { eval: counts('eval'), train: counts('train') };
}

/** The paths of golden case `name`, or undefined when its files are absent. */
export function goldenCasePaths(name: string): { arrays: string; state: string } | undefined {
  const state = resolve(LOCAL_GOLDEN_DIR, `${name}_state.npz`);
  const arrays = [
    resolve(LOCAL_GOLDEN_DIR, `${name}.npz`),
    resolve(SHARED_GOLDEN_DIR, `${name}.npz`),
  ].find((p) => existsSync(p));
  return arrays !== undefined && existsSync(state) ? { arrays, state } : undefined;
}

/** Loads golden case `name` (call only when {@link goldenCasePaths} found it). */
export function loadGoldenCase(name: string): GoldenCase {
  const paths = goldenCasePaths(name);
  if (!paths)
    throw new Error(`golden case ${name} is missing: run sh packages/cloud/scripts/make-golden.sh`);
  return {
    name,
    arrays: readNpz(paths.arrays),
    state: readNpz(paths.state),
    ambiguity: readAmbiguity(dirname(paths.arrays), name),
    f64: existsSync(resolve(LOCAL_GOLDEN_DIR, `${name}_f64.npz`))
      ? readNpz(resolve(LOCAL_GOLDEN_DIR, `${name}_f64.npz`))
      : undefined,
  };
}

/** The value of a 0-d (or 1-element) array as a number. */
export function scalarOf(array: NdArray<AnyTypedArray> | undefined): number {
  if (!array) throw new Error('missing array');
  return Number(array.data[0]);
}

/** `array`, which must exist. */
export function need(arrays: NpzArrays, key: string): NdArray<AnyTypedArray> {
  const array = arrays[key];
  if (!array) throw new Error(`missing array '${key}'`);
  return array;
}
