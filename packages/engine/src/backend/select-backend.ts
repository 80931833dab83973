import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, invalidArgument, UnsupportedError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmSharedIdentity } from '../kernels/fused/wasm-identity.js';
import { registerGradients } from './gradients.js';
import { keepProcessHandlers } from './process-handlers.js';
import { registerThreadedWasm } from './threaded-wasm.js';
import { registerWasmSlice } from './wasm-slice.js';

/** The tfjs backends cellshape runs on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Every {@link BackendName}, in the order {@link selectBackend} tries them. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** The environment variable that forces a backend (`tensorflow`, `wasm` or `cpu`). */
export const BACKEND_ENV_VAR = 'CELLSHAPE_BACKEND';

// Module names in variables so that bundlers and TypeScript do not try to resolve the
// optional native backend at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';
const TFJS_CPU = '@tensorflow/tfjs-backend-cpu';

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** The package each backend comes from (optional peer dependencies of `@cellshape/engine`). */
const PACKAGE_OF: Readonly<Record<BackendName, string>> = {
  tensorflow: TFJS_NODE,
  wasm: TFJS_WASM,
  cpu: TFJS_CPU,
};

/** Whether an import failed because the package is not installed (Node, vite and bundlers). */
function isModuleNotFound(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  return (
    typeof message === 'string' &&
    /Cannot find (package|module)|Could not resolve|Failed to load url/.test(message)
  );
}

/**
 * Why importing the package of backend `name` failed, for {@link selectBackend}'s message: a
 * package that is not installed is named with the command that installs it.
 */
export function importFailure(name: BackendName, error: unknown): string {
  const pkg = PACKAGE_OF[name];
  if (isModuleNotFound(error))
    return `${pkg} is not installed (an optional peer dependency of @cellshape/engine: npm install ${pkg})`;
  const message = (error as { message?: unknown } | null)?.message;
  return `cannot import ${pkg} (${typeof message === 'string' ? message : String(error)})`;
}

/**
 * Backend packages the caller imported itself, by backend name: `selectBackend` uses them
 * instead of importing the packages by name at run time, which a bundled app cannot do (the
 * bundle has no `node_modules` to look in, and a bundler cannot see a computed import).
 *
 * ```ts
 * import * as wasm from '@tensorflow/tfjs-backend-wasm';
 * await selectBackend({ modules: { wasm } });
 * ```
 */
export interface BackendModules {
  /** `@tensorflow/tfjs-node` (registers `tensorflow` when imported). */
  tensorflow?: object;
  /** `@tensorflow/tfjs-backend-wasm` (its `setWasmPaths` is called in Node when the binaries are found). */
  wasm?: object;
  /** `@tensorflow/tfjs-backend-cpu`. */
  cpu?: object;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** The backend to use; as the `preferred` argument. Default: the environment variable, else the fastest available. */
  backend?: BackendName;
  /** Backend packages already imported (see {@link BackendModules}). Default: imported by name. */
  modules?: BackendModules;
}

/** Imports a module by a computed name (kept out of static analysis on purpose). */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

/**
 * In Node, points the wasm backend at the `.wasm` binaries of the installed
 * `@tensorflow/tfjs-backend-wasm`, found through Node's module resolution, so that it works
 * whether the calling code runs from sources, from a built package or from a bundle.
 */
function configureWasmPaths(wasm: { setWasmPaths?: (prefix: string) => void }): void {
  if (!isNode() || typeof wasm.setWasmPaths !== 'function') return;
  if (tf.engine().registry.wasm !== undefined) return; // already initialised
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(TFJS_WASM);
  } catch {
    return; // not resolvable from here: keep the backend's own default
  }
  const dir = dirname(entry);
  if (existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))) wasm.setWasmPaths(`${dir}/`);
}

/**
 * Loads and initialises backend `name`; returns why it failed, or `undefined`. Leaves the
 * process's error listeners as they were ({@link keepProcessHandlers}).
 */
function tryBackend(name: BackendName, modules: BackendModules): Promise<string | undefined> {
  return keepProcessHandlers(() => loadBackend(name, modules));
}

async function loadBackend(
  name: BackendName,
  modules: BackendModules,
): Promise<string | undefined> {
  // A backend package the caller imported (passed, or imported for its side effect) has
  // registered its backend already; else import the package by name.
  const load = async (pkg: string) =>
    modules[name] ?? (tf.findBackendFactory(name) !== null ? {} : await importOptional(pkg));
  try {
    switch (name) {
      case 'tensorflow':
        // tfjs-node registers 'tensorflow' on import (when it shares our tfjs-core).
        await load(TFJS_NODE);
        break;
      case 'wasm': {
        const wasm = await load(TFJS_WASM);
        configureWasmPaths(wasm as { setWasmPaths?: () => void });
        // In Node, XNNPACK on every core (falls back to tfjs's single-threaded build).
        if (isNode()) await registerThreadedWasm(wasm);
        registerWasmSlice();
        registerWasmSharedIdentity();
        break;
      }
      case 'cpu':
        await load(TFJS_CPU);
        break;
      default: {
        const never: never = name;
        throw new Error(`unknown backend ${String(never)}`);
      }
    }
  } catch (error) {
    return importFailure(name, error);
  }
  if (tf.findBackendFactory(name) === null)
    return `the '${name}' backend did not register with this copy of @tensorflow/tfjs-core (two copies installed?)`;
  try {
    if (!(await tf.setBackend(name))) return `the '${name}' backend failed to initialise`;
    await tf.ready();
  } catch (error) {
    return `the '${name}' backend failed to initialise (${(error as { message?: string }).message ?? String(error)})`;
  }
  return undefined;
}

/** `selectBackend`'s argument, validated: the forced backend and the caller's modules. */
function resolveOptions(
  fn: string,
  options: BackendName | SelectBackendOptions | undefined,
): { preferred: BackendName | undefined; modules: BackendModules } {
  const given = typeof options === 'string' ? { backend: options } : (options ?? {});
  if (typeof given !== 'object' || given === null)
    throw invalidArgument(fn, 'options', 'a backend name or an options object', options);
  const { backend, modules = {} } = given;
  if (backend !== undefined && !isBackendName(backend))
    throw invalidArgument(
      fn,
      typeof options === 'string' ? 'preferred' : 'options.backend',
      `one of ${BACKEND_NAMES.join(', ')}`,
      backend,
    );
  if (typeof modules !== 'object' || modules === null)
    throw invalidArgument(fn, 'options.modules', 'an object of imported backend modules', modules);
  for (const [name, module] of Object.entries(modules))
    if (
      !isBackendName(name) ||
      (module !== undefined && (typeof module !== 'object' || module === null))
    )
      throw invalidArgument(
        fn,
        `options.modules.${name}`,
        `an imported module of ${BACKEND_NAMES.join(', ')}`,
        module,
      );
  return { preferred: backend, modules };
}

/**
 * Chooses and initialises the tfjs backend: `preferred` if given, else the
 * `CELLSHAPE_BACKEND` environment variable, else the fastest available of `tensorflow`
 * (`@tensorflow/tfjs-node`, when the user has installed it), `wasm`
 * (`@tensorflow/tfjs-backend-wasm`) and `cpu` (`@tensorflow/tfjs-backend-cpu`). Also registers
 * the gradients cellshape's models need ({@link registerGradients}).
 *
 * The three backend packages are optional peer dependencies: install at least one. A forced
 * backend whose package is missing is refused with the install command; the automatic choice
 * skips it. A backend whose package is already imported (statically, as a bundled app must, or
 * passed in `options.modules`) is used as it is, without importing by name:
 *
 * ```ts
 * import * as wasm from '@tensorflow/tfjs-backend-wasm';
 * await selectBackend({ backend: 'wasm', modules: { wasm } });
 * ```
 *
 * @param options the backend to use (`'wasm'`), or {@link SelectBackendOptions}.
 * @returns the name of the active backend.
 *
 * @throws InvalidArgumentError for an unknown name; UnsupportedError when a forced backend
 *   cannot be loaded or initialised, or when no backend can (the message says why).
 */
export async function selectBackend(
  options?: BackendName | SelectBackendOptions,
): Promise<BackendName> {
  const fn = 'selectBackend';
  const { preferred, modules } = resolveOptions(fn, options);
  const fromEnv = isNode() ? process.env[BACKEND_ENV_VAR]?.trim().toLowerCase() : undefined;
  if (preferred === undefined && fromEnv !== undefined && fromEnv !== '' && !isBackendName(fromEnv))
    throw new InvalidArgumentError(
      `${fn}: environment variable ${BACKEND_ENV_VAR} must be one of ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(fromEnv)}`,
      { fn, arg: BACKEND_ENV_VAR },
    );
  registerGradients();
  const forced =
    preferred ?? (fromEnv !== undefined && fromEnv !== '' ? (fromEnv as BackendName) : undefined);
  if (forced !== undefined) {
    if (tf.getBackend() === forced) return forced;
    const failure = await tryBackend(forced, modules);
    if (failure !== undefined)
      throw new UnsupportedError(`${fn}: backend '${forced}' is not available: ${failure}`, {
        fn,
        arg: preferred === undefined ? BACKEND_ENV_VAR : 'preferred',
      });
    return forced;
  }
  const reasons: string[] = [];
  for (const name of BACKEND_NAMES) {
    const failure = await tryBackend(name, modules);
    if (failure === undefined) return name;
    reasons.push(failure);
  }
  throw new UnsupportedError(
    `${fn}: no tfjs backend could be initialised: ${reasons.join('; ')}. Install ${TFJS_WASM} (portable) or ${TFJS_CPU}, or ${TFJS_NODE} (native)`,
    { fn },
  );
}

/** The name of the active tfjs backend, or `undefined` when none is initialised yet. */
export function currentBackend(): string | undefined {
  const engine = tf.engine();
  // `backendName` is only set once a backend is initialised; tf.getBackend() would
  // initialise one as a side effect.
  return engine.backendName ?? undefined;
}
