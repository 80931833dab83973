/**
 * `pnpm check:consumer` (run by CI after `pnpm build`): installs the packed tarballs into a fresh
 * consumer project, the way a user's `npm install` lays them out, and checks them from outside:
 *
 * 1. typecheck with `skipLibCheck: false`, by TypeScript 5.9 and by TypeScript 7 — ESM and
 *    CommonJS under `node16` resolution, ESM under `bundler` — so every published declaration must stand on its own (no type from a
 *    devDependency, no `any` where a type was meant: the consumer code below holds
 *    `@ts-expect-error` lines that fail if a type collapses to `any`);
 * 2. import every package from ESM and `require()` it from CommonJS in Node;
 * 3. an app bundled with esbuild (ESM, backends imported statically and passed to
 *    `selectBackend`) runs from a folder away from any `node_modules`, with the wasm binaries
 *    copied beside it, on one copy of tfjs-core; and docs/bundling.md's browser build of the
 *    tfjs-free packages runs in headless Chromium (scripts/check-browser-bundle.ts);
 * 4. every ```ts block of the READMEs and docs typechecks against the packages (see
 *    scripts/doc-blocks.ts for the skip marker of blocks that cannot stand alone);
 * 5. the tarball contents: a LICENSE in each, no source maps, no `src/`-pointing export (the
 *    root `.pnpmfile.cjs` drops the `@cellshape/source` condition when packing).
 *
 * No network: each tarball is unpacked into `node_modules/<name>` (what npm does), and each
 * dependency and peer it declares is linked to the copy this workspace installed (resolved from
 * the package that declares it). Only the tarballs' own `dependencies` and `peerDependencies` are
 * there — a type that needs a devDependency fails here as it fails for a user. The consumer adds
 * `@types/node` itself, as any Node project does.
 *
 *   pnpm build && pnpm check:consumer [--keep]     # --keep: leave the temp project for a look
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { browserBundle } from './check-browser-bundle.js';
import { allDocBlocks, type DocBlock } from './doc-blocks.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: unknown;
  files?: string[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The workspace's publishable packages: name → directory. */
function workspacePackages(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = readJson<Manifest>(file);
    if (!manifest.private) out.set(manifest.name, join(root, 'packages', dir));
  }
  return out;
}

/** `pnpm pack`s every package into `dest` (workspace ranges become versions); name → tarball. */
function pack(packages: Map<string, string>, dest: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, dir] of packages) {
    const before = new Set(readdirSync(dest));
    // The pnpm that runs this script (CI runs it through `npx pnpm@10`, with no `pnpm` on PATH).
    const execpath = process.env.npm_execpath;
    const [command, prefix] =
      execpath !== undefined && /pnpm/.test(execpath)
        ? [process.execPath, [execpath]]
        : ['pnpm', [] as string[]];
    execFileSync(command, [...prefix, 'pack', '--pack-destination', dest], {
      cwd: dir,
      stdio: 'ignore',
    });
    const made = readdirSync(dest).filter((f) => !before.has(f));
    if (made.length !== 1)
      throw new Error(`pnpm pack of ${name} made ${made.join(', ') || 'nothing'}`);
    out.set(name, join(dest, made[0]!));
  }
  return out;
}

/** Unpacks each tarball into `modules/<name>`, as npm does. */
function unpack(tarballs: Map<string, string>, modules: string): void {
  for (const [name, tarball] of tarballs) {
    const target = join(modules, name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  }
}

/** Links `modules/<dep>` to the installed directory `dir` (its real path), once. */
function link(modules: string, dep: string, dir: string): boolean {
  const target = join(modules, dep);
  if (existsSync(target)) return false;
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(dir), target, 'dir');
  return true;
}

/**
 * Links every non-cellshape dependency and peer of the unpacked packages to the copy the
 * workspace installed for the package that declares it (optional peers the workspace lacks,
 * such as `@tensorflow/tfjs-node`, are left out, as a user may), and hoists their `@types/*`
 * dependencies to `node_modules/@types` as npm does (tfjs-core's declarations use `@types/long`
 * as a global).
 */
function linkDependencies(packages: Map<string, string>, modules: string): void {
  for (const [name, dir] of packages) {
    const manifest = readJson<Manifest>(join(modules, name, 'package.json'));
    const wanted = { ...manifest.peerDependencies, ...manifest.dependencies };
    for (const dep of Object.keys(wanted)) {
      if (packages.has(dep)) continue;
      const installed = [join(dir, 'node_modules', dep), join(root, 'node_modules', dep)].find(
        existsSync,
      );
      if (installed === undefined || !link(modules, dep, installed)) continue;
      const own = readJson<Manifest>(join(installed, 'package.json')).dependencies ?? {};
      const require = createRequire(join(realpathSync(installed), 'package.json'));
      for (const types of Object.keys(own).filter((d) => d.startsWith('@types/')))
        link(modules, types, dirname(require.resolve(`${types}/package.json`)));
    }
  }
}

/** Every package used from a consumer's code: typed results, never `any`. */
function consumerSource(): string {
  return `import * as core from '@cellshape/core';
import * as helper from '@cellshape/helper';
import * as engine from '@cellshape/engine';
import * as cloud from '@cellshape/cloud';
import * as cluster from '@cellshape/cluster';
import * as voxel from '@cellshape/voxel';
import * as profile from '@cellshape/profile';
import * as cellshape from 'cellshape';

export async function main(): Promise<void> {
  const rng: core.Rng = core.createRng(1);
  const x: number = rng.normal();
  // @ts-expect-error a number is not a string (fails if the Rng type is lost)
  const s: string = rng.normal();

  const volume: helper.Volume<Uint8Array> = { data: new Uint8Array(8), shape: [2, 2, 2] };
  const view = helper.toNdarray(volume);
  const data: Uint8Array = view.data;
  const strides: number[] = view.stride;
  // @ts-expect-error the ndarray interop is typed, not \`any\`
  const wrong: string = view.data;
  const back: core.NdArray = helper.fromNdarray(view);

  const backend: engine.BackendName = await engine.selectBackend();
  const names: readonly engine.BackendName[] = engine.BACKEND_NAMES;
  // @ts-expect-error not a backend name
  await engine.selectBackend('webgl');

  const dataset: typeof cloud.PointCloudDataset = cloud.PointCloudDataset;
  const k: cluster.KmeansResult = cluster.kmeans(cluster.denseMatrix([[0], [1]]), 1);
  const run: typeof cellshape.trainRun = cellshape.trainRun;
  const image: profile.Image2D = { data: new Uint8Array(4), shape: [2, 2, 1] };
  // @ts-expect-error an image is [height, width, channels] (fails if Image2D collapses to any)
  const flat: profile.Image2D = { data: new Uint8Array(4), shape: [4] };
  console.log(x, s, data, strides, wrong, back, backend, names, dataset, k, run, image, flat, Object.keys(voxel));
}
`;
}

interface Variant {
  name: string;
  compilerOptions: Record<string, unknown>;
  files: string[];
}

const VARIANTS: Variant[] = [
  {
    name: 'node16 (ESM .ts and CommonJS .cts)',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    files: ['src/esm.ts', 'src/cjs.cts'],
  },
  {
    name: 'bundler',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
    files: ['src/esm.ts'],
  },
];

/**
 * The compilers a consumer may use: the workspace's TypeScript 5.9 and TypeScript 7 (the native
 * compiler, installed as the `typescript-7` alias), each from its `bin/tsc` launcher. TypeScript 7
 * includes no `@types` package unless asked (`types: ['node']`, as its users write), and its DOM
 * lib declares WebGPU: tfjs-core 4.22's own declarations then fail a full check (the global `Long`
 * of `@types/long`; `@webgpu/types` redeclaring the DOM's GPU types). Those errors are tfjs's, so
 * under TypeScript 7 a full check must show no error outside them (`thirdParty`), and a check
 * with `skipLibCheck: true` — what docs/getting-started.md tells TypeScript 7 users — none at all.
 */
interface Compiler {
  name: string;
  tsc: string;
  options?: Record<string, unknown>;
  /** Error lines that are not ours (see above). */
  thirdParty?: RegExp;
}

const COMPILERS: Compiler[] = [
  { name: 'TypeScript 5.9', tsc: join(root, 'node_modules', 'typescript', 'bin', 'tsc') },
  {
    name: 'TypeScript 7',
    tsc: join(root, 'node_modules', 'typescript-7', 'bin', 'tsc'),
    options: { types: ['node'] },
    thirdParty:
      /^\S*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(@tensorflow\/tfjs-core|@webgpu\/types|@typescript\/typescript-[\w-]+\/lib)\//,
  },
];

function typecheck(project: string): void {
  for (const variant of VARIANTS) {
    for (const compiler of COMPILERS) {
      const options = {
        ...variant.compilerOptions,
        ...compiler.options,
      };
      const full = runTsc(project, compiler, variant, { ...options, skipLibCheck: false });
      const foreign = full.errors.filter((line) => !compiler.thirdParty?.test(line));
      if (foreign.length > 0) fail(compiler, variant, 'skipLibCheck false', foreign.join('\n'));
      let note = '';
      if (full.errors.length > 0) {
        const lib = runTsc(project, compiler, variant, { ...options, skipLibCheck: true });
        if (lib.errors.length > 0)
          fail(compiler, variant, 'skipLibCheck true', lib.errors.join('\n'));
        note = ` for ours (tfjs-core 4.22's declarations: ${full.errors.length} errors; all clean with skipLibCheck true)`;
      }
      console.log(
        `check:consumer: ${compiler.name} typecheck ${variant.name}, skipLibCheck false: ok${note}`,
      );
    }
  }
}

/** Runs one compiler on the variant's files with these options; the error lines it printed. */
function runTsc(
  project: string,
  compiler: Compiler,
  variant: Variant,
  options: Record<string, unknown>,
): { errors: string[] } {
  const config = `tsconfig.${variant.name.split(' ')[0]}.json`;
  const compilerOptions = { target: 'es2022', strict: true, noEmit: true, ...options };
  writeFileSync(join(project, config), JSON.stringify({ compilerOptions, files: variant.files }));
  try {
    execFileSync(process.execPath, [compiler.tsc, '-p', config], {
      cwd: project,
      encoding: 'utf8',
    });
    return { errors: [] };
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? error);
    const errors = out.split('\n').filter((line) => /error TS\d+/.test(line));
    if (errors.length === 0) fail(compiler, variant, JSON.stringify(options), out);
    return { errors };
  }
}

function fail(compiler: Compiler, variant: Variant, what: string, detail: string): never {
  throw new Error(
    `consumer typecheck (${compiler.name}, ${variant.name}, ${what}) failed:\n${detail}`,
  );
}

/** Imports every package from ESM and requires it from CommonJS, in a fresh Node. */
function runtimeImports(project: string, names: string[]): void {
  const esm = names.map((n) => `Object.keys(await import(${JSON.stringify(n)})).length`);
  const cjs = names.map((n) => `Object.keys(require(${JSON.stringify(n)})).length`);
  writeFileSync(
    join(project, 'imports.mjs'),
    `console.log(JSON.stringify([${esm.join(', ')}]));\n`,
  );
  writeFileSync(
    join(project, 'requires.cjs'),
    `console.log(JSON.stringify([${cjs.join(', ')}]));\n`,
  );
  for (const file of ['imports.mjs', 'requires.cjs']) {
    const counts = JSON.parse(
      execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }),
    ) as number[];
    const empty = names.filter((_, i) => !(counts[i]! > 0));
    if (empty.length > 0) throw new Error(`${file}: no exports from ${empty.join(', ')}`);
    console.log(`check:consumer: ${file} loads ${names.length} packages: ok`);
  }
}

/**
 * Typechecks every ```ts block of the READMEs and docs as a module of the consumer project
 * (strict, bundler resolution), reporting errors at their Markdown file and line.
 */
function docsCode(project: string): void {
  const blocks = allDocBlocks(root);
  const checked = blocks.filter((b) => b.skip === undefined);
  const dir = join(project, 'src', 'docs');
  mkdirSync(dir, { recursive: true });
  const byFile = new Map<string, DocBlock>();
  checked.forEach((block, i) => {
    const name = `block-${i}.ts`;
    byFile.set(`src/docs/${name}`, block);
    // `export {}`: a module of its own (top-level await, no shared names). The `given`
    // declarations go on the first line, so the code's lines match the Markdown's.
    writeFileSync(join(dir, name), `${block.given ?? ''}\n${block.code}\nexport {};\n`);
  });
  writeFileSync(
    join(project, 'tsconfig.docs.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      files: [...byFile.keys()],
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.docs.json'], {
      cwd: project,
      encoding: 'utf8',
    });
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? error);
    // `src/docs/block-3.ts(2,7): error …` → `docs/x.md:41: error …` (line of the block's code).
    const located = out.replace(/^(src\/docs\/block-\d+\.ts)\((\d+),\d+\)/gm, (m, f, l) => {
      const block = byFile.get(f);
      return block === undefined ? m : `${block.file}:${block.line + Number(l) - 1}`;
    });
    throw new Error(`README/docs code blocks do not typecheck:\n${located}`);
  }
  for (const b of blocks.filter((x) => x.skip !== undefined))
    console.log(`check:consumer: docs code ${b.file}:${b.line} skipped: ${b.skip}`);
  console.log(
    `check:consumer: ${checked.length} README/docs code blocks typecheck (${blocks.length - checked.length} skipped, listed above)`,
  );
}

/** The bundled app: wasm backend from the module it imported, a mask → points → features pipeline. */
const BUNDLED_APP = `import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '@cellshape/engine';
import { maskToPointCloud, syntheticCell } from '@cellshape/helper';
import { CloudAutoEncoder } from '@cellshape/cloud';

wasm.setWasmPaths(dirname(fileURLToPath(import.meta.url)) + '/');
const backend = await selectBackend({ backend: 'wasm', modules: { wasm } });
const cloud = maskToPointCloud(syntheticCell('round', { size: 24, seed: 1 }), { numPoints: 256, seed: 0 });
const model = new CloudAutoEncoder({ numFeatures: 8, k: 8, numSourcePoints: 256, seed: 0 }).eval();
const { features } = model.forward(tf.tensor3d(cloud.data, [1, 256, 3]));
console.log(JSON.stringify({ backend, features: features.shape, finite: features.dataSync().every(Number.isFinite) }));
`;

/** The banner of docs/bundling.md for an ES module bundle. */
const ESM_BANNER = [
  "import { createRequire as topLevelCreateRequire } from 'node:module';",
  "import { fileURLToPath as topLevelFileURLToPath } from 'node:url';",
  'const require = topLevelCreateRequire(import.meta.url);',
  'const __filename = topLevelFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ');

/** Bundles {@link BUNDLED_APP} with esbuild and runs it from a folder without node_modules. */
async function bundledApp(project: string, work: string): Promise<void> {
  // esbuild as tsup (a devDependency) has it.
  const tsup = createRequire(realpathSync(join(root, 'node_modules', 'tsup', 'package.json')));
  const esbuild = (await import(pathToFileURL(tsup.resolve('esbuild')).href)) as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  const away = join(work, 'away');
  mkdirSync(away);
  writeFileSync(join(project, 'src', 'app.mjs'), BUNDLED_APP);
  await esbuild.build({
    entryPoints: [join(project, 'src', 'app.mjs')],
    outfile: join(away, 'app.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'error',
    // CommonJS dependencies bundled into an ES module need `require`, `__dirname` (tfjs-wasm).
    banner: { js: ESM_BANNER },
  });
  const wasmDir = join(project, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
    copyFileSync(join(wasmDir, file), join(away, file));
  const bundle = readFileSync(join(away, 'app.mjs'), 'utf8');
  const cores = bundle.match(/^\/\/ .*\/tfjs-core\/dist\/(tf-core\.node|index)\.js$/gm) ?? [];
  if (cores.length !== 1) throw new Error(`bundled app: ${cores.length} copies of tfjs-core`);
  const output = execFileSync(process.execPath, ['app.mjs'], { cwd: away, encoding: 'utf8' });
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, unknown>;
  if (result.backend !== 'wasm' || JSON.stringify(result.features) !== '[1,8]' || !result.finite)
    throw new Error(`bundled app: unexpected output ${output}`);
  console.log(`check:consumer: esbuild bundle runs away from node_modules: ${output.trim()}`);
}

/** What each tarball must (LICENSE) and must not (source maps, exports into `src/`) hold. */
function checkContents(tarballs: Map<string, string>, modules: string): void {
  const problems: string[] = [];
  for (const [name, tarball] of tarballs) {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    if (!files.includes('package/LICENSE')) problems.push(`${name}: no LICENSE`);
    const maps = files.filter((f) => f.endsWith('.map'));
    if (maps.length > 0) problems.push(`${name}: source maps ${maps.join(', ')}`);
    const exportsText = JSON.stringify(
      readJson<Manifest>(join(modules, name, 'package.json')).exports,
    );
    if (exportsText.includes('./src/')) problems.push(`${name}: an export points into src/`);
  }
  if (problems.length > 0) throw new Error(`tarball contents:\n  ${problems.join('\n  ')}`);
  const sizes = [...tarballs].map(
    ([name, t]) => `${name} ${(statSync(t).size / 1024).toFixed(0)} KB`,
  );
  console.log(`check:consumer: tarballs (LICENSE, no source maps: ok): ${sizes.join(', ')}`);
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const packages = workspacePackages();
  for (const [name, dir] of packages)
    if (!existsSync(join(dir, 'dist')))
      throw new Error(`${name} is not built: run \`pnpm build\` first`);
  const work = mkdtempSync(join(tmpdir(), 'cellshape-consumer-'));
  try {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    const tarballs = pack(packages, packs);
    const project = join(work, 'app');
    const modules = join(project, 'node_modules');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      '{ "name": "app", "private": true, "type": "module" }\n',
    );
    unpack(tarballs, modules);
    linkDependencies(packages, modules);
    mkdirSync(join(modules, '@types'), { recursive: true });
    symlinkSync(
      realpathSync(join(root, 'node_modules', '@types', 'node')),
      join(modules, '@types', 'node'),
    );
    writeFileSync(join(project, 'src', 'esm.ts'), consumerSource());
    writeFileSync(join(project, 'src', 'cjs.cts'), consumerSource());
    typecheck(project);
    runtimeImports(project, [...packages.keys()]);
    await bundledApp(project, work);
    await browserBundle(root, project);
    docsCode(project);
    checkContents(tarballs, modules);
  } finally {
    if (keep) console.log(`check:consumer: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
