import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { webAssembly } from '../web-assembly.js';

/**
 * The environment variable that sets how many threads the wasm backend's XNNPACK thread pool
 * uses (default: one per core, at most 8; `1` keeps tfjs's single-threaded wasm build).
 */
export const WASM_THREADS_ENV_VAR = 'CELLSHAPE_WASM_THREADS';

/** XNNPACK's pool is capped at 8 threads in tfjs (it pre-starts 8 pthread workers). */
const MAX_THREADS = 8;

const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

/**
 * The `@tensorflow/tfjs-backend-wasm` release the threaded loader is written against: it reads
 * that release's internal files (the Emscripten factory, the worker source, the `init` exports),
 * which a minor release may change. The package's peer range is this minor (`~4.22.0`).
 */
export const THREADED_WASM_TESTED_VERSION = '4.22.0';
const FACTORY_FILE = 'tfjs-backend-wasm-threaded-simd.js';
const WORKER_FILE = 'tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY_FILE = 'tfjs-backend-wasm-threaded-simd.wasm';

/** The slice of the Emscripten module that tfjs's `BackendWasm` and we use. */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread?: { unusedWorkers: Unref[]; runningWorkers: Unref[] };
  tfjs?: unknown;
}
interface Unref {
  unref?: () => void;
  terminate?: () => void;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
interface WasmPackage {
  version_wasm?: string;
  BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

let threads = 1;
let versionWarned = false;

function isWasmPackage(value: unknown): value is WasmPackage {
  const m = value as Partial<WasmPackage> | undefined;
  return typeof m?.BackendWasm === 'function' && typeof m.setThreadsCount === 'function';
}

/**
 * Whether `installed` (a version string) has the major and minor version of `tested`: patch
 * releases keep the internal files the threaded loader reads, other releases may not.
 */
export function isTestedWasmVersion(
  installed: unknown,
  tested: string = THREADED_WASM_TESTED_VERSION,
): boolean {
  const majorMinor = (v: unknown) =>
    typeof v === 'string' ? /^(\d+)\.(\d+)\.\d+/.exec(v)?.slice(1, 3).join('.') : undefined;
  const wanted = majorMinor(tested);
  return wanted !== undefined && majorMinor(installed) === wanted;
}

/**
 * {@link isTestedWasmVersion}, warning once per process (Node warning `CELLSHAPE_WASM_VERSION`)
 * when the installed release is another one and the stock single-threaded build is kept.
 */
export function acceptWasmVersion(installed: unknown): boolean {
  if (isTestedWasmVersion(installed)) return true;
  if (!versionWarned) {
    versionWarned = true;
    process.emitWarning(
      `${TFJS_WASM} ${String(installed)} is installed; cellshape's threaded wasm loader reads the internal files of ${THREADED_WASM_TESTED_VERSION.replace(/\.\d+$/, '.x')} only, so the stock single-threaded wasm backend runs (install ${TFJS_WASM}@~${THREADED_WASM_TESTED_VERSION} for XNNPACK on every core)`,
      { code: 'CELLSHAPE_WASM_VERSION' },
    );
  }
  return false;
}

/** How many threads the active wasm backend runs (1 for tfjs's own single-threaded build). */
export function wasmThreadCount(): number {
  return tf.engine().backendName === 'wasm' ? threads : 1;
}

/** The thread count asked for by {@link WASM_THREADS_ENV_VAR}, else one per core (≤ 8). */
function requestedThreads(): number {
  const raw = process.env[WASM_THREADS_ENV_VAR]?.trim();
  const parsed = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  const n = Number.isInteger(parsed) && parsed >= 1 ? parsed : availableParallelism();
  return Math.min(n, MAX_THREADS);
}

/**
 * The pthread worker script of the threaded build, written once per content to the temp
 * directory: tfjs ships it only as a string (it starts workers from `blob:` URLs, which Node's
 * `Worker` cannot load — the reason tfjs disables threads in Node).
 */
function workerScript(source: string): string {
  const file = join(
    tmpdir(),
    `cellshape-tfjs-wasm-worker-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.cjs`,
  );
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, source);
    renameSync(partial, file);
  }
  return file;
}

/**
 * Starts tfjs's threaded SIMD wasm build in Node and registers it as the `wasm` backend, so
 * that XNNPACK (matrix products, convolutions, …) runs on `threadCount` threads. tfjs itself
 * refuses threads in Node; this loads the same build with a file-based pthread worker and
 * tells the module how many cores to use (tfjs halves the logical core count, assuming
 * hyper-threads). The kernels and their numbers are tfjs's own.
 *
 * @param wasm the imported `@tensorflow/tfjs-backend-wasm` (default: required by name); its
 *   internal files are read from the installed package either way.
 * @returns the thread count in use, or `undefined` (stock backend kept) when threads are not
 *   wanted (one core, `CELLSHAPE_WASM_THREADS=1`), the installed tfjs-backend-wasm is not the
 *   tested minor release ({@link THREADED_WASM_TESTED_VERSION}) or this build cannot start here.
 */
export async function registerThreadedWasm(wasm?: unknown): Promise<number | undefined> {
  const wanted = requestedThreads();
  if (wanted < 2 || typeof SharedArrayBuffer === 'undefined') return undefined;
  if (tf.engine().registry.wasm !== undefined) return threads > 1 ? threads : undefined;
  let stock: Parameters<typeof tf.registerBackend>[1] | undefined;
  try {
    const require = createRequire(import.meta.url);
    // The package the caller loaded (the one registered with our tfjs-core): requiring it here
    // could load a second copy with its own tfjs-core (a bundled app beside node_modules).
    const wasmPackage = (isWasmPackage(wasm) ? wasm : require(TFJS_WASM)) as WasmPackage;
    if (!acceptWasmVersion(wasmPackage.version_wasm)) {
      threads = 1;
      return undefined;
    }
    const outDir = join(dirname(require.resolve(TFJS_WASM)), '..', 'wasm-out');
    const factoryPath = join(outDir, FACTORY_FILE);
    const factory = require(factoryPath) as Factory;
    const { wasmWorkerContents } = require(join(outDir, WORKER_FILE)) as {
      wasmWorkerContents: string;
    };
    // The string holds `\n` escapes that a file must keep escaped (tfjs does the same).
    const workerPath = workerScript(wasmWorkerContents.replace(/\n/g, '\\n'));
    const binary = readFileSync(join(dirname(require.resolve(TFJS_WASM)), BINARY_FILE));
    const module = await factory({
      locateFile: (path: string, prefix: string) =>
        path.endsWith('.worker.js') ? workerPath : path.endsWith('.wasm') ? '' : prefix + path,
      mainScriptUrlOrBlob: factoryPath,
      instantiateWasm(
        imports: { env: Record<string, unknown> },
        receive: (instance: unknown, module: unknown) => void,
      ) {
        // tfjs sizes its pool from half the logical cores; report twice what we want.
        imports.env.emscripten_num_logical_cores = () => 2 * wanted;
        void webAssembly()
          .instantiate(binary, imports)
          .then((r) => receive(r.instance, r.module));
        return {};
      },
    });
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    wasmPackage.setThreadsCount(wanted);
    stock = tf.findBackendFactory('wasm') ?? undefined;
    if (stock !== undefined) tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => new wasmPackage.BackendWasm(module), 2);
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not start');
    // Emscripten starts 8 pthread workers; XNNPACK's pool keeps `wanted − 1` of them running.
    // The idle rest would only hold memory (a V8 isolate each); a later thread would start a
    // fresh one. None may keep Node alive.
    const pool = module.PThread;
    for (const w of pool?.unusedWorkers ?? []) w.terminate?.();
    if (pool !== undefined) pool.unusedWorkers = [];
    for (const w of pool?.runningWorkers ?? []) w.unref?.();
    threads = wasmPackage.getThreadsCount();
    return threads;
  } catch {
    // Put tfjs's own single-threaded build back.
    if (stock !== undefined) {
      if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
      tf.registerBackend('wasm', stock, 2);
    }
    threads = 1;
    return undefined;
  }
}
