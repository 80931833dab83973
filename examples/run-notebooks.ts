/**
 * Runs the example notebooks outside Jupyter so they cannot rot: the code cells of each
 * notebook are joined, in order, into one TypeScript ES module (top-level `await` works there as
 * in tslab) and run with Node on the packages' sources, in `examples/` as working directory (where
 * Jupyter runs them). A notebook fails when its program throws or exits non-zero.
 *
 *   node --conditions=@cellshape/source --import tsx examples/run-notebooks.ts [notebook.ipynb ...]
 *
 * With no arguments every `examples/*.ipynb` runs. `import ... from 'tslab'` gets a stand-in
 * whose `display.*` functions print a one-line summary instead of rendering. `@cellshape/*` and
 * other packages the notebooks import resolve from the `cellshape` package, which depends on all
 * of them, so the examples need no install of their own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXAMPLES, notebooksToRun } from './notebooks.js';

const RESOLVE_FROM = pathToFileURL(resolve(EXAMPLES, '../packages/cellshape/package.json')).href;

/** The stand-in for tslab's `display`: each call prints what it would have shown. */
const TSLAB_STUB = `
const show = (kind) => (content) =>
  console.log('[tslab.display.' + kind + ': ' + String(content).length + ' characters]');
export const display = {
  html: show('html'), markdown: show('markdown'), svg: show('svg'), text: (s) => console.log(s),
  javascript: show('javascript'), png: show('png'), jpeg: show('jpeg'), gif: show('gif'),
  pdf: show('pdf'), raw: (type, content) => show('raw ' + type)(content),
};
export const versions = { tslab: 'stand-in', typescript: 'tsx', node: process.version };
export function isBrowser() { return false; }
export function isNode() { return true; }
export default { display, versions, isBrowser, isNode };
`;

/** Resolve hook: `tslab` → the stand-in; bare names not found from the program → from `cellshape`. */
function hooksSource(stubUrl: string): string {
  return `
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'tslab') return { url: ${JSON.stringify(stubUrl)}, shortCircuit: true };
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const bare = !/^(\\.|\\/|[a-z]+:)/i.test(specifier);
    if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(specifier, { ...context, parentURL: ${JSON.stringify(RESOLVE_FROM)} });
  }
}
`;
}

interface NotebookCell {
  cell_type: string;
  source: string | string[];
}

/** The code cells of a notebook, joined with a comment naming each cell. */
export function notebookProgram(path: string): string {
  const notebook = JSON.parse(readFileSync(path, 'utf8')) as { cells?: NotebookCell[] };
  if (!Array.isArray(notebook.cells)) throw new Error(`${path}: not a Jupyter notebook (no cells)`);
  const parts: string[] = [];
  notebook.cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    parts.push(`// ---- cell ${i + 1}\n${source}\n`);
  });
  // `export {}` keeps the program a module even when no cell imports anything.
  return `${parts.join('\n')}\nexport {};\n`;
}

function main(): number {
  const args = process.argv.slice(2);
  const notebooks = notebooksToRun(args);
  if (notebooks.length === 0) {
    console.error('run-notebooks: no notebooks found');
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'cellshape-notebooks-'));
  const failed: string[] = [];
  try {
    const stub = join(work, 'tslab-stub.mjs');
    writeFileSync(stub, TSLAB_STUB);
    const hooks = join(work, 'hooks.mjs');
    writeFileSync(hooks, hooksSource(pathToFileURL(stub).href));
    const register = join(work, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    for (const notebook of notebooks) {
      const name = basename(notebook);
      // `.mts`: an ES module wherever it is, so top-level await works.
      const program = join(work, `${basename(notebook, '.ipynb')}.mts`);
      writeFileSync(program, notebookProgram(notebook));
      console.log(`\n=== ${name}`);
      const start = Date.now();
      const run = spawnSync(
        process.execPath,
        [
          '--conditions=@cellshape/source',
          '--import',
          'tsx',
          '--import',
          pathToFileURL(register).href,
          program,
        ],
        { cwd: EXAMPLES, stdio: 'inherit', env: process.env },
      );
      const seconds = ((Date.now() - start) / 1000).toFixed(1);
      if (run.status === 0) {
        console.log(`=== ${name}: ok in ${seconds} s`);
      } else {
        console.log(`=== ${name}: FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`);
        failed.push(name);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failed.length > 0) {
    console.error(`\nrun-notebooks: ${failed.length} notebook(s) failed: ${failed.join(', ')}`);
    return 1;
  }
  console.log(`\nrun-notebooks: ${notebooks.length} notebook(s) ran`);
  return 0;
}

process.exitCode = main();
