import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, type CorpusEntry, corpusEntries } from './corpus.js';
import { runCase } from './oracle.js';
import { TARGETS, targetNamed } from './targets/index.js';

// Our readers against other tools on the files those tools wrote (the foreign corpus, issue 17):
// the same arrays as numpy / tifffile / torch / PIL read, the same rows as pandas wrote, and a
// typed refusal for the valid files that use a feature we do not read.

/** Every typed array in a result, each once, in the order a walk of the plain data meets them. */
function typedArrays(root: unknown): ArrayLike<number | bigint>[] {
  const seen = new Set<unknown>();
  const out: ArrayLike<number | bigint>[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      if (!(value instanceof DataView)) out.push(value as unknown as ArrayLike<number | bigint>);
      return;
    }
    const children = value instanceof Map ? [...value.values()] : Object.values(value);
    for (const child of children) visit(child);
  };
  visit(root);
  return out;
}

/** What the target's result holds: a state-dict file's weights, a mesh's two arrays, … */
function arraysOf(target: string, result: unknown): ArrayLike<number | bigint>[] {
  if (target === 'state-dict') return typedArrays((result as { state: unknown }).state);
  return typedArrays(result);
}

function summary(arrays: ArrayLike<number | bigint>[]): [number, number, number] {
  let elements = 0;
  let sum = 0;
  for (const a of arrays) {
    elements += a.length;
    for (let i = 0; i < a.length; i++) sum += Number(a[i]);
  }
  return [arrays.length, elements, sum];
}

async function check(entry: CorpusEntry): Promise<void> {
  const target = targetNamed(entry.target);
  const bytes = new Uint8Array(readFileSync(`${CORPUS_DIR}${entry.file}`));
  const verdict = await runCase(target, bytes);
  const [kind, ...args] = entry.expectation.split(' ');
  if (kind === 'refuse') {
    expect(verdict, args.join(' ')).toEqual({ outcome: 'rejected' });
    return;
  }
  expect(verdict).toEqual({ outcome: 'accepted' });
  const result = await target.run(bytes);
  try {
    if (kind === 'rows') expect((result as { rows: unknown[] }).rows).toHaveLength(Number(args[0]));
    else if (kind === 'pixel')
      expect(result).toMatchObject({ pixelSize: Number(args[0]), unit: args[1] });
    else if (kind === 'stl')
      expect((result as { faces: Uint32Array }).faces).toHaveLength(3 * Number(args[0]));
    else {
      const [count, elements, sum] = summary(arraysOf(entry.target, result));
      expect([count, elements]).toEqual([Number(args[0]), Number(args[1])]);
      expect(sum).toBeCloseTo(Number(args[2]), 3);
    }
  } finally {
    target.dispose?.(result);
  }
}

describe(`the foreign corpus (${CORPUS_DIR})`, () => {
  const entries = corpusEntries();
  it('holds files for every reader but our own checkpoint formats', () => {
    const read = new Set(entries.map((e) => e.target));
    const without = TARGETS.map((t) => t.name).filter((name) => !read.has(name));
    expect(without).toEqual(['checkpoint', 'cloud']);
  });
  it.each(entries.map((e) => [`${e.target} reads ${e.file}: ${e.expectation}`, e] as const))(
    '%s',
    async (_name, entry) => check(entry),
  );
});
