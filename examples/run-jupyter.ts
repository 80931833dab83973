/**
 * Executes the example notebooks in real Jupyter: `jupyter nbconvert --execute` with the tslab
 * TypeScript kernel, exactly as a user's Jupyter runs them. A notebook fails when a cell throws.
 *
 *   npx -y pnpm@10 build                                   # tslab loads the packages' CJS builds
 *   node --import tsx examples/run-jupyter.ts [notebook.ipynb ...]
 *
 * Needs `jupyter nbconvert` (Debian: `apt-get install jupyter-nbconvert`) and the `tslab`
 * devDependency of `examples/`. The kernel is registered in a temporary JUPYTER_PATH, never in
 * the user's Jupyter folders; executed copies go to `<tmp>/cellshape-jupyter/` (or
 * `--output-dir <dir>`), the committed notebooks stay without outputs. Exits 1 when a notebook
 * fails or something needed is missing, and warns when a build is older than its sources.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { EXAMPLES, notebooksToRun } from './notebooks.js';

const PACKAGES = resolve(EXAMPLES, '../packages');
/** The packages the notebooks import; tslab `require()`s their `dist/index.cjs`. */
const NOTEBOOK_PACKAGES = ['core', 'engine', 'helper', 'cloud', 'cluster'];
const KERNEL = 'cellshape-tslab';
/** Seconds one cell may run (notebook 2 trains for about two minutes on two cores). */
const CELL_TIMEOUT = 900;

/** Newest modification time (ms) of the non-test `.ts` files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, name)).mtimeMs);
  }
  return newest;
}

/** The packages whose CJS build is missing, and those whose build is older than their sources. */
function buildState(): { missing: string[]; stale: string[] } {
  const missing: string[] = [];
  const stale: string[] = [];
  for (const name of NOTEBOOK_PACKAGES) {
    const built = join(PACKAGES, name, 'dist', 'index.cjs');
    if (!existsSync(built)) missing.push(name);
    else if (statSync(built).mtimeMs < newestSource(join(PACKAGES, name, 'src'))) stale.push(name);
  }
  return { missing, stale };
}

/** The tslab executable script installed for `examples/`, or undefined. */
function tslabScript(): string | undefined {
  try {
    const manifest = createRequire(join(EXAMPLES, 'package.json')).resolve('tslab/package.json');
    return join(dirname(manifest), 'bin', 'tslab');
  } catch {
    return undefined;
  }
}

function fail(message: string): number {
  console.error(`run-jupyter: ${message}`);
  return 1;
}

function main(): number {
  const args = process.argv.slice(2);
  const at = args.indexOf('--output-dir');
  const outputDir = at >= 0 ? resolve(args[at + 1] ?? '') : join(tmpdir(), 'cellshape-jupyter');
  const named = args.filter((_, i) => i !== at && i !== at + 1);
  const notebooks = notebooksToRun(named);
  if (notebooks.length === 0) return fail('no notebooks found');

  const nbconvert = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  if (nbconvert.status !== 0)
    return fail(
      'jupyter nbconvert is not installed (Debian: apt-get install jupyter-nbconvert); ' +
        'examples/run-notebooks.ts runs the notebooks without Jupyter',
    );
  const tslab = tslabScript();
  if (tslab === undefined)
    return fail('tslab is not installed in examples/ (run `npx -y pnpm@10 install`)');
  const { missing, stale } = buildState();
  if (missing.length > 0)
    return fail(
      `${missing.join(', ')} not built; run \`npx -y pnpm@10 build\` first (tslab loads the CJS builds)`,
    );
  if (stale.length > 0)
    console.warn(
      `run-jupyter: WARNING: the builds of ${stale.join(', ')} are older than their sources; ` +
        'the notebooks run the builds (run `npx -y pnpm@10 build` to test the sources)',
    );

  // A kernel spec of our own, in a folder of our own: the user's Jupyter setup is not touched.
  const jupyterPath = mkdtempSync(join(tmpdir(), 'cellshape-kernel-'));
  const failed: string[] = [];
  try {
    const spec = join(jupyterPath, 'kernels', KERNEL);
    mkdirSync(spec, { recursive: true });
    writeFileSync(
      join(spec, 'kernel.json'),
      JSON.stringify({
        argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'],
        display_name: 'TypeScript (tslab, cellshape)',
        language: 'typescript',
      }),
    );
    mkdirSync(outputDir, { recursive: true });
    const env = {
      ...process.env,
      JUPYTER_PATH: jupyterPath,
      JUPYTER_RUNTIME_DIR: join(jupyterPath, 'runtime'),
    };
    console.log(`jupyter nbconvert ${nbconvert.stdout.trim()}, tslab kernel ${tslab}`);
    for (const notebook of notebooks) {
      const name = basename(notebook);
      console.log(`\n=== ${name}`);
      const start = Date.now();
      const run = spawnSync(
        'jupyter',
        [
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          `--ExecutePreprocessor.kernel_name=${KERNEL}`,
          `--ExecutePreprocessor.timeout=${CELL_TIMEOUT}`,
          '--output-dir',
          outputDir,
          notebook,
        ],
        { cwd: EXAMPLES, stdio: 'inherit', env },
      );
      const seconds = ((Date.now() - start) / 1000).toFixed(1);
      if (run.status === 0) console.log(`=== ${name}: ok in ${seconds} s`);
      else {
        console.log(`=== ${name}: FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`);
        failed.push(name);
      }
    }
  } finally {
    rmSync(jupyterPath, { recursive: true, force: true });
  }
  if (failed.length > 0) return fail(`${failed.length} notebook(s) failed: ${failed.join(', ')}`);
  console.log(
    `\nrun-jupyter: ${notebooks.length} notebook(s) ran in Jupyter; executed copies in ${outputDir}`,
  );
  return 0;
}

process.exitCode = main();
