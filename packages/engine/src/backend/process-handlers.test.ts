import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { keepProcessHandlers } from './process-handlers.js';
import { BACKEND_ENV_VAR } from './select-backend.js';
import { WASM_THREADS_ENV_VAR } from './threaded-wasm.js';

describe('keepProcessHandlers', () => {
  test('removes the listeners added while loading, keeps the others and the exit code', async () => {
    const own = () => undefined;
    const added = () => undefined;
    const rejected = () => undefined;
    const exitCode = process.exitCode;
    process.on('uncaughtException', own);
    try {
      await keepProcessHandlers(async () => {
        process.on('uncaughtException', added);
        process.on('unhandledRejection', rejected);
        process.exitCode = 7;
      });
      expect(process.listeners('uncaughtException')).toContain(own);
      expect(process.listeners('uncaughtException')).not.toContain(added);
      expect(process.listeners('unhandledRejection')).not.toContain(rejected);
      expect(process.exitCode).toBe(exitCode);
    } finally {
      process.removeListener('uncaughtException', own);
    }
  });

  test('restores them when loading fails, and passes the failure on', async () => {
    const added = () => undefined;
    await expect(
      keepProcessHandlers(async () => {
        process.on('unhandledRejection', added);
        throw new Error('no backend');
      }),
    ).rejects.toThrow('no backend');
    expect(process.listeners('unhandledRejection')).not.toContain(added);
  });
});

const DIR = mkdtempSync(join(tmpdir(), 'cellshape-handlers-'));
let scripts = 0;

/**
 * Runs `code` (a user's ES module) in a fresh Node process on the engine's sources. From a
 * file, not `-e`: the threaded build's pthread workers inherit Node's flags, and
 * `--input-type` is refused outside `-e`.
 */
function runUser(code: string, env: Record<string, string>) {
  const file = join(DIR, `user-${scripts++}.mts`);
  writeFileSync(file, code);
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@cellshape/source', '--import', 'tsx', file],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), env: { ...process.env, ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const SELECT = `import { selectBackend } from '${new URL('../index.ts', import.meta.url).href}';
console.log(await selectBackend());`;

/** Node's report of an uncaught `Error('boom')`: the throw site, the message, the stack. */
function expectOnlyUserError(stderr: string): void {
  expect(stderr).toMatch(/Error: boom/);
  // Emscripten's rethrowing listener makes Node print the minified tfjs-wasm line instead.
  expect(stderr).not.toMatch(/tfjs-backend-wasm|GROWABLE_HEAP/);
  expect(stderr.length).toBeLessThan(2000);
}

// Each case starts a fresh process (~2 s); the wasm builds install their listeners when their
// Emscripten module starts, so only a new process shows what a user's script sees.
describe('an uncaught error in user code after selectBackend (child process)', () => {
  const wasm = { [BACKEND_ENV_VAR]: 'wasm' };

  test('a throw prints only itself and exits 1 (threaded and stock wasm builds)', async () => {
    const code = `${SELECT}\nthrow new Error('boom');`;
    const [threaded, stock] = await Promise.all([
      runUser(code, { ...wasm, [WASM_THREADS_ENV_VAR]: '2' }),
      runUser(code, { ...wasm, [WASM_THREADS_ENV_VAR]: '1' }),
    ]);
    for (const run of [threaded, stock]) {
      expect(run.stdout.trim()).toBe('wasm');
      expectOnlyUserError(run.stderr);
      expect(run.status).toBe(1);
    }
  }, 60_000);

  test('an unhandled rejection prints only itself and exits 1; own listeners still run', async () => {
    const [rejection, own] = await Promise.all([
      runUser(`${SELECT}\nawait Promise.reject(new Error('boom'));`, wasm),
      runUser(
        `process.on('uncaughtException', (e) => { console.error('mine:', e.message); process.exitCode = 3; });
${SELECT}
throw new Error('boom');`,
        wasm,
      ),
    ]);
    expect(rejection.stdout.trim()).toBe('wasm');
    expectOnlyUserError(rejection.stderr);
    expect(rejection.status).toBe(1);
    expect(own.stderr.trim()).toBe('mine: boom');
    expect(own.status).toBe(3);
  }, 60_000);
});
