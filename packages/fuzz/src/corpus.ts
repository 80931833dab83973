import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The foreign corpus: small valid files written by other tools (numpy, tifffile, torch, PIL,
 * pandas) or by hand after the formats' specifications, committed under `packages/fuzz/corpus`
 * by `scripts/foreign_corpus.py`. Each line of its MANIFEST.tsv names a file, a target that
 * reads it and what that target must make of it; the files join the target's seeds, so mutants
 * also start from bytes our own writers never produce.
 */

export const CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

export interface CorpusEntry {
  /** Path under the corpus folder. */
  file: string;
  target: string;
  /**
   * `arrays <count> <elements> <sum>`, `rows <n>`, `stl <triangles>`, `pixel <size> <unit>` or
   * `refuse <why>`: see
   * `scripts/foreign_corpus.py`.
   */
  expectation: string;
}

let manifest: CorpusEntry[] | undefined;

export function corpusEntries(): CorpusEntry[] {
  if (manifest) return manifest;
  const path = `${CORPUS_DIR}MANIFEST.tsv`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  manifest = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [file, target, expectation] = line.split('\t') as [string, string, string];
      return { file, target, expectation };
    });
  return manifest;
}

/** The corpus files a target reads, as seeds. */
export function corpusSeeds(target: string): Uint8Array[] {
  return corpusEntries()
    .filter((e) => e.target === target)
    .map((e) => new Uint8Array(readFileSync(`${CORPUS_DIR}${e.file}`)));
}
