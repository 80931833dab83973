/**
 * A small pool of `node:worker_threads` workers, one task per message: {@link runTasks} runs
 * {@link convertFile}; {@link runInWorkers} runs any worker module that answers
 * `{ index, task }` messages with `{ index, outcome }` (`@cellshape/profile`'s crops use it).
 * The worker script is given as two URLs, usually next to the calling module:
 *
 * * built (`dist/`, ESM or CJS): e.g. `convert-worker.js`, a separate tsup entry;
 * * unbuilt (vitest, tsx): e.g. `convert-worker.ts`, started through a tiny bootstrap that
 *   registers tsx's ESM loader in the worker and resolves workspace packages through the
 *   `@cellshape/source` condition, so no build is needed (tsx is a dev dependency).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { FileSystemError } from '@cellshape/core';
import { type ConvertTask, convertFile, type FileOutcome } from './convert-file.js';

interface WorkerScript {
  script: string | URL;
  options: WorkerOptions;
}

/**
 * The parent's Node flags minus those that only make sense for a main script (`--input-type`,
 * `--eval`, ...): workers inherit `process.execArgv`, and those flags make them exit at once.
 */
function workerExecArgv(): string[] {
  const mainOnly = /^(--input-type|--eval|-e|--print|-p|--test)(=|$)/;
  return process.execArgv.filter((flag) => !mainOnly.test(flag));
}

/** Where a worker module is: its built script and its TypeScript source. */
export interface WorkerModule {
  /** The built script (`new URL('./x-worker.js', import.meta.url)`). */
  built: URL;
  /** The TypeScript source, run through tsx when the package is not built. */
  source: URL;
  /** The public function that starts the workers, named in errors. */
  fn: string;
}

function workerScript({ built, source, fn }: WorkerModule): WorkerScript {
  if (existsSync(fileURLToPath(built)))
    return { script: built, options: { execArgv: workerExecArgv() } };
  if (!existsSync(fileURLToPath(source))) {
    throw new FileSystemError(
      `${fn}: the worker script ${fileURLToPath(built)} is missing; pass workers: 0 to work in the main thread`,
      { fn, arg: 'workers' },
    );
  }
  let tsx: string;
  try {
    // The ESM build of tsx's API: its CJS build cannot register the loader from an ESM import.
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('tsx/package.json');
    const exports = (
      require(manifest) as { exports: Record<string, { import: { default: string } }> }
    ).exports;
    tsx = pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
  } catch (error) {
    throw new FileSystemError(
      `${fn}: running from TypeScript sources needs the tsx package to start workers; install it or pass workers: 0`,
      { fn, arg: 'workers', cause: error },
    );
  }
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`;
  return {
    script: bootstrap,
    options: { eval: true, execArgv: [...workerExecArgv(), '--conditions=@cellshape/source'] },
  };
}

/**
 * Runs `tasks` of {@link convertFile} on `workers` threads (0: one after the other in this
 * thread) and calls `onOutcome(index, outcome)` as each finishes. A worker that dies fails its
 * current file and is replaced; the other files go on.
 */
export function runTasks(
  tasks: readonly ConvertTask[],
  workers: number,
  onOutcome: (index: number, outcome: FileOutcome) => void,
): Promise<void> {
  const module: WorkerModule = {
    built: new URL('./convert-worker.js', import.meta.url),
    source: new URL('./convert-worker.ts', import.meta.url),
    fn: 'convertDirectory',
  };
  const failed = (error: string): FileOutcome => ({
    status: 'failed',
    outputs: [],
    rows: [],
    error,
  });
  return runInWorkers(module, tasks, workers, convertFile, failed, onOutcome);
}

/**
 * Runs `tasks` on `workers` threads of `module` (0: `runHere`, one after the other in this
 * thread) and calls `onOutcome(index, outcome)` as each finishes. The module answers each
 * `{ index, task }` message with `{ index, outcome }`. A worker that dies gives its current
 * task the outcome `failed(reason)` and is replaced; the other tasks go on.
 */
export async function runInWorkers<T, R>(
  module: WorkerModule,
  tasks: readonly T[],
  workers: number,
  runHere: (task: T) => Promise<R>,
  failed: (reason: string) => R,
  onOutcome: (index: number, outcome: R) => void,
): Promise<void> {
  if (workers === 0 || tasks.length === 0) {
    for (let i = 0; i < tasks.length; i++) onOutcome(i, await runHere(tasks[i]!));
    return;
  }
  const { script, options } = workerScript(module);
  let next = 0;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const start = (): void => {
      const worker = new Worker(script, options);
      let current = -1;
      let settled = false;
      const feed = (): void => {
        if (next >= tasks.length) {
          settled = true;
          void worker.terminate();
          return;
        }
        current = next++;
        worker.postMessage({ index: current, task: tasks[current] });
      };
      const done = (index: number, outcome: R): void => {
        onOutcome(index, outcome);
        if (++finished === tasks.length) resolve();
      };
      const crash = (reason: string): void => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        if (current >= 0) done(current, failed(reason));
        if (next < tasks.length) start();
      };
      worker.on('message', (message: { index: number; outcome: R }) => {
        current = -1;
        done(message.index, message.outcome);
        feed();
      });
      worker.on('error', (error) => crash(`worker crashed: ${error.message}`));
      worker.on('exit', (code) => crash(`worker exited with code ${code}`));
      feed();
    };
    for (let i = 0; i < Math.min(workers, tasks.length); i++) start();
  });
}
