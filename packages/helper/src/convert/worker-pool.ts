/**
 * A small pool of `node:worker_threads` workers running {@link convertFile}, one file per
 * task. The worker script is found next to this module:
 *
 * * built (`dist/`, ESM or CJS): `convert-worker.js`, a separate tsup entry;
 * * unbuilt (vitest, tsx): `convert-worker.ts`, started through a tiny bootstrap that
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

function workerScript(): WorkerScript {
  const built = new URL('./convert-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built)))
    return { script: built, options: { execArgv: workerExecArgv() } };
  const source = new URL('./convert-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(source))) {
    throw new FileSystemError(
      `convertDirectory: the worker script convert-worker.js is missing next to ${fileURLToPath(import.meta.url)}; pass workers: 0 to convert in the main thread`,
      { fn: 'convertDirectory', arg: 'workers' },
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
      'convertDirectory: running from TypeScript sources needs the tsx package to start workers; install it or pass workers: 0',
      { fn: 'convertDirectory', arg: 'workers', cause: error },
    );
  }
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`;
  return {
    script: bootstrap,
    options: { eval: true, execArgv: [...workerExecArgv(), '--conditions=@cellshape/source'] },
  };
}

/**
 * Runs `tasks` on `workers` threads (0: one after the other in this thread) and calls
 * `onOutcome(index, outcome)` as each finishes; resolves once every call (and the promise it
 * returns) has finished. Each worker holds one file at a time, so memory stays at `workers`
 * files whatever the number of tasks. A worker that dies fails its current file and is
 * replaced; the other files go on.
 */
export async function runTasks(
  tasks: readonly ConvertTask[],
  workers: number,
  onOutcome: (index: number, outcome: FileOutcome) => void | Promise<void>,
): Promise<void> {
  if (workers === 0 || tasks.length === 0) {
    for (let i = 0; i < tasks.length; i++) await onOutcome(i, await convertFile(tasks[i]!));
    return;
  }
  // Calls run as outcomes arrive; the first error is rethrown once the pool has finished.
  const handled: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  await runOnWorkers(tasks, workers, (index, outcome) => {
    handled.push(
      Promise.resolve()
        .then(() => onOutcome(index, outcome))
        .catch((error: unknown) => {
          failure ??= { error };
        }),
    );
  });
  await Promise.all(handled);
  if (failure) throw failure.error;
}

function runOnWorkers(
  tasks: readonly ConvertTask[],
  workers: number,
  onOutcome: (index: number, outcome: FileOutcome) => void,
): Promise<void> {
  const { script, options } = workerScript();
  let next = 0;
  let finished = 0;
  return new Promise<void>((resolve) => {
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
      const done = (index: number, outcome: FileOutcome): void => {
        onOutcome(index, outcome);
        if (++finished === tasks.length) resolve();
      };
      const crash = (reason: string): void => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        if (current >= 0) done(current, { status: 'failed', outputs: [], rows: [], error: reason });
        if (next < tasks.length) start();
      };
      worker.on('message', (message: { index: number; outcome: FileOutcome }) => {
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
