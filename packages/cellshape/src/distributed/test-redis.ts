/**
 * Test utilities of the distributed layer: a real `redis-server` (the Debian package; `.ci/run`
 * installs it) on a free localhost port in a temporary folder, and `cellshape worker` child
 * processes run from the sources. Nothing here is mocked: the tests exercise BullMQ on Redis.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `redis-server` executable on PATH, or undefined (tests then skip, saying why). */
export function redisServerPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** Whether Redis tests can run; prints a loud line when they cannot. */
export function redisAvailable(): boolean {
  const path = redisServerPath();
  if (path === undefined)
    console.warn(
      'SKIPPED: redis-server is not installed (apt-get install redis-server); the BullMQ tests need a real Redis',
    );
  return path !== undefined;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Resolves once `redis-server` on `port` answers PING, or rejects after `timeout` ms. */
async function waitForPing(port: number, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise<boolean>((answer) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('error', () => answer(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        answer(data.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A running test Redis. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Its data folder (append-only file, log). */
  readonly dir: string;
  /** The server's process id while it runs (for CPU accounting in benches). */
  pid(): number | undefined;
  /** Stops the server (SIGTERM: it flushes its append-only file) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (its data comes back from the append-only file). */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port in a temporary folder, persistence on (`appendonly yes`,
 * fsync every write unless `fsync: 'everysec'`, the deployment setting of docs/distributed.md)
 * so a restart keeps the queues, RDB snapshots off.
 */
export async function startTestRedis(
  options: { fsync?: 'always' | 'everysec' } = {},
): Promise<TestRedis> {
  const executable = redisServerPath();
  if (executable === undefined) throw new Error('redis-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'cellshape-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(
      executable,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        options.fsync ?? 'always',
        '--save',
        '',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    await waitForPing(port, 10_000);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise<void>((done) => {
      running.once('exit', () => done());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

/** A `cellshape` child process run from the sources, with its output collected. */
export interface CellshapeProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/**
 * Spawns `cellshape <args>` from the TypeScript sources (as `pnpm demo` does), e.g.
 * `['worker', '--redis', url]`; `cpu` pins it to one core with `taskset` when given.
 */
export function spawnCellshape(
  args: readonly string[],
  options: { cpu?: number } = {},
): CellshapeProcess {
  const node = [
    process.execPath,
    '--conditions=@cellshape/source',
    '--import',
    'tsx',
    MAIN,
    ...args,
  ];
  const [command, ...rest] =
    options.cpu === undefined ? node : ['taskset', '-c', String(options.cpu), ...node];
  const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal ?? -1)),
  );
  return { child, output: () => text, exited };
}

/** Resolves when `predicate(output)` holds, or rejects after `timeout` ms with the output. */
export async function waitForOutput(
  process: CellshapeProcess,
  predicate: (output: string) => boolean,
  timeout = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate(process.output())) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${process.output()}`);
    if (process.child.exitCode !== null)
      throw new Error(`process exited (${process.child.exitCode}); output:\n${process.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Writes `files` synthetic label images (`field<i>.tif`, five cells each, one per shape family,
 * `size`³ voxels per cell slot, default 20) under `dir`, and with `corrupt` one more file,
 * `broken.tif`, that is not a TIFF. Returns `dir`.
 */
export async function writeTestMasks(
  dir: string,
  files: number,
  { corrupt = false, size = 20 }: { corrupt?: boolean; size?: number } = {},
): Promise<string> {
  const { syntheticLabelImage, writeVolume } = await import('@cellshape/helper');
  for (let i = 0; i < files; i++) {
    const { labels } = syntheticLabelImage({ count: 1, size, seed: i });
    await writeVolume(join(dir, `field${String(i).padStart(4, '0')}.tif`), labels);
  }
  if (corrupt) writeFileSync(join(dir, 'broken.tif'), 'not a TIFF at all');
  return dir;
}

/** Every file under `dir` (relative path → bytes), for comparing two output folders file for file. */
export function folderContents(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else out.set(rel, readFileSync(join(dir, rel)));
    }
  };
  walk('');
  return out;
}
