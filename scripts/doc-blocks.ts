/**
 * The TypeScript code blocks of the READMEs and docs, for `pnpm check:consumer`, which
 * typechecks each one against the packed packages, as a reader who copies it would run it.
 *
 * Every ```ts (or ```typescript) block of every Markdown file is checked — the root and package
 * READMEs, `docs/**` and `examples/**` — except `docs/api/` (generated from the doc comments,
 * which the packages' own typecheck covers). A block that cannot stand alone (it needs the
 * reader's data or variables of the text around it) says so with a marker on the line before
 * it, with the reason:
 *
 *     <!-- docs-code: skip (needs the reader's trained model) -->
 *
 * A marker without a reason is an error, and every skipped block is listed in the output, so
 * nothing is skipped silently. A block that uses names the text around it introduces (a trained
 * `model`, the reader's `bytes`) is checked with those names declared by a `given` marker, which
 * the reader does not see:
 *
 *     <!-- docs-code: given import type { CloudAutoEncoder } from '@cellshape/cloud'; declare const model: CloudAutoEncoder; -->
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One code block of a Markdown file. */
export interface DocBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The code, with the fence's indentation removed. */
  code: string;
  /** Why the block is not checked (from its skip marker); absent when it is checked. */
  skip?: string;
  /** Declarations put before the code when it is checked (from its `given` marker). */
  given?: string;
}

const FENCE = /^(\s*)```(ts|typescript)\s*$/;
const MARKER = /^\s*<!--\s*docs-code:\s*(skip|given)\b(.*?)-->\s*$/;

/** The Markdown files whose code blocks are checked, relative to `root`, sorted. */
export function markdownFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(dir, name);
      if (name === 'node_modules' || name.startsWith('.') || path === join('docs', 'api')) continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(path);
    }
  };
  for (const dir of ['docs', 'examples']) walk(dir);
  const packages = readdirSync(join(root, 'packages')).sort();
  const readmes = ['README.md', ...packages.map((p) => join('packages', p, 'README.md'))];
  return [...readmes.filter((f) => statSync(join(root, f), { throwIfNoEntry: false })), ...out];
}

/**
 * The ```ts blocks of `markdown` (the text of `file`), each with its skip reason when the line
 * before it is a skip marker.
 *
 * @throws Error for a skip marker without a reason, or a block that is never closed.
 */
export function docBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    if (end < 0) throw new Error(`${file}:${i + 1}: a code block that is never closed`);
    const code = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
    const block: DocBlock = { file, line: i + 1, code };
    const marker = i > 0 ? MARKER.exec(lines[i - 1]!) : null;
    const text = (marker?.[2] ?? '')
      .trim()
      .replace(/^\((.*)\)$/, '$1')
      .trim();
    if (marker?.[1] === 'skip') {
      if (text === '')
        throw new Error(`${file}:${i}: a docs-code skip marker must say why, e.g. (needs …)`);
      block.skip = text;
    } else if (marker?.[1] === 'given') {
      if (text === '') throw new Error(`${file}:${i}: a docs-code given marker declares nothing`);
      block.given = text;
    }
    blocks.push(block);
    i = end;
  }
  return blocks;
}

/** Every block of every file of {@link markdownFiles}. */
export function allDocBlocks(root: string): DocBlock[] {
  return markdownFiles(root).flatMap((file) =>
    docBlocks(readFileSync(join(root, file), 'utf8'), relative(root, join(root, file))),
  );
}
