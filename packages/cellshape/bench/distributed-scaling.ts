/**
 * Throughput of `convert --redis` with one worker and with two, and where the CPU time goes:
 *
 *   node --conditions=@cellshape/source --import tsx packages/cellshape/bench/distributed-scaling.ts [files] [chunk-size] [repeats] [cell-size] [--cold] [--fsync always]
 *
 * Pinning: worker i runs under `taskset -c i` (one core each: worker 0 on core 0, worker 1 on
 * core 1); this process (the client: plan, enqueue, follow, manifest) and `redis-server`
 * (append-only, fsync every second as docs/distributed.md deploys it) are not pinned and share
 * both cores with the workers — and with whatever else runs on the machine. The workers are
 * started and warmed up (a few chunks of other files, not timed) before each timed run: a
 * deployed worker is long-lived, so its start-up and JIT warm-up are not part of a run
 * (`--cold`: no warm-up; `--fsync always`: Redis fsyncs every write, as the tests run it).
 *
 * The input is synthetic label images of five cells each. Prints, per run, cells per second and
 * the CPU seconds of each process (from /proc/<pid>/stat, every thread), of the rest of the
 * machine (/proc/stat busy time minus ours) and the hypervisor's steal, and the share of its core
 * each worker got; then objects per second of the best run with 1 and 2 workers and their
 * ratio, the workers' CPU-ms per cell, and the ratio that CPU per cell allows when each worker
 * has its whole core (the client's and Redis's share and the serial tail not counted).
 * Results: docs/distributed.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertDistributed } from '../src/distributed/convert-distributed.js';
import {
  type CellshapeProcess,
  spawnCellshape,
  startTestRedis,
  waitForOutput,
  writeTestMasks,
} from '../src/distributed/test-redis.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cold: { type: 'boolean', default: false },
    fsync: { type: 'string', default: 'everysec' },
  },
});
const files = Number(positionals[0] ?? 600);
const chunkSize = Number(positionals[1] ?? 10);
const repeats = Number(positionals[2] ?? 2);
const cellSize = Number(positionals[3] ?? 32);
const CELLS_PER_FILE = 5;
const cells = files * CELLS_PER_FILE;
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const HZ = 100;

/** CPU seconds (user + system, every thread) of process `pid` so far. */
function processCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / HZ;
}

/** Context switches of process `pid` (its main thread) so far. */
function switches(pid: number): { voluntary: number; involuntary: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return {
    voluntary: get('voluntary_ctxt_switches'),
    involuntary: get('nonvoluntary_ctxt_switches'),
  };
}

/** Seconds the machine's CPUs were busy, and stolen by the hypervisor, so far (/proc/stat). */
function machineCpu(): { busy: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1);
  const [user, nice, system, , , irq, softirq, steal] = line.map(Number) as number[];
  return { busy: (user! + nice! + system! + irq! + softirq!) / HZ, steal: steal! / HZ };
}

/** Threads of process `pid`. */
function threads(pid: number): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

interface Snapshot {
  workers: number[];
  client: number;
  redis: number;
  machine: { busy: number; steal: number };
}

function snapshot(workers: CellshapeProcess[], redisPid: number | undefined): Snapshot {
  const own = process.cpuUsage();
  return {
    workers: workers.map((w) => processCpu(w.child.pid)),
    client: (own.user + own.system) / 1e6,
    redis: processCpu(redisPid),
    machine: machineCpu(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'cellshape-scaling-'));
const redis = await startTestRedis({ fsync: flags.fsync === 'always' ? 'always' : 'everysec' });
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `pinning: worker i under \`taskset -c i\`; client and redis-server unpinned; ${cells} cells (${files} files, ${cellSize}³ slots), ${chunkSize} files a job; workers ${flags.cold ? 'cold' : 'warmed up'}; redis appendfsync ${flags.fsync}`,
);
try {
  const masks = join(dir, 'masks');
  const warm = join(dir, 'warm');
  mkdirSync(masks);
  mkdirSync(warm);
  await writeTestMasks(masks, files, { size: cellSize });
  await writeTestMasks(warm, 4 * chunkSize, { size: cellSize });
  const best = new Map<number, number>();
  const cpuPerCell = new Map<number, number>();
  for (let r = 0; r < repeats; r++) {
    for (const count of [1, 2]) {
      const workers = Array.from({ length: count }, (_, core) =>
        spawnCellshape(['worker', '--redis', redis.url], { cpu: core }),
      );
      await Promise.all(workers.map((w) => waitForOutput(w, (o) => o.includes(' ready: '))));
      if (!flags.cold)
        await convertDistributed(redis.url, warm, join(dir, `warm-${count}-${r}`), { chunkSize });
      const out = join(dir, `out-${count}-${r}`);
      const before = snapshot(workers, redis.pid());
      const switchesBefore = workers.map((w) => switches(w.child.pid!));
      const started = performance.now();
      let allDone = 0;
      await convertDistributed(redis.url, masks, out, {
        chunkSize,
        onProgress: (e) => {
          if (e.done === e.total && allDone === 0) allDone = performance.now();
        },
      });
      const ended = performance.now();
      const seconds = (ended - started) / 1000;
      const after = snapshot(workers, redis.pid());
      const rate = cells / seconds;
      best.set(count, Math.max(best.get(count) ?? 0, rate));
      const workerCpu = after.workers.map((c, i) => c - before.workers[i]!);
      const ours =
        workerCpu.reduce((a, b) => a + b, 0) +
        (after.client - before.client) +
        (after.redis - before.redis);
      const busy = after.machine.busy - before.machine.busy;
      const perCell = (1000 * workerCpu.reduce((a, b) => a + b, 0)) / cells;
      cpuPerCell.set(count, Math.min(cpuPerCell.get(count) ?? Infinity, perCell));
      console.log(
        `${count} worker(s): ${cells} cells in ${seconds.toFixed(1)} s = ${rate.toFixed(1)} cells/s (of which ${((ended - allDone) / 1000).toFixed(2)} s after the last chunk: sweep and manifest)`,
      );
      const share = workerCpu.map((c) => `${Math.round((100 * c) / seconds)} %`).join(', ');
      console.log(`  share of its core each worker got: ${share}`);
      console.log(
        `  CPU s: workers ${workerCpu.map((c) => c.toFixed(1)).join(' + ')} (${perCell.toFixed(2)} ms/cell), client ${(after.client - before.client).toFixed(2)}, redis ${(after.redis - before.redis).toFixed(2)}, rest of the machine ${(busy - ours).toFixed(1)}, steal ${(after.machine.steal - before.machine.steal).toFixed(1)} (of ${(2 * seconds).toFixed(1)} core-s)`,
      );
      console.log(
        `  workers: threads ${workers.map((w) => threads(w.child.pid!)).join(', ')}; context switches (voluntary/involuntary) ${workers
          .map((w, i) => {
            const s = switches(w.child.pid!);
            const b = switchesBefore[i]!;
            return `${s.voluntary - b.voluntary}/${s.involuntary - b.involuntary}`;
          })
          .join(', ')}`,
      );
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      rmSync(out, { recursive: true, force: true });
    }
  }
  const one = best.get(1) ?? 0;
  const two = best.get(2) ?? 0;
  // The ratio the workers' CPU per cell allows when each has its whole core: on a shared
  // machine the wall-clock ratio mostly says how much of its core each worker got.
  const cpuRatio = (2 * (cpuPerCell.get(1) ?? 0)) / (cpuPerCell.get(2) ?? 1);
  console.log(
    `best: 1 worker ${one.toFixed(1)} cells/s, 2 workers ${two.toFixed(1)} cells/s, ratio ${(two / one).toFixed(2)}; worker CPU ${cpuPerCell.get(1)?.toFixed(2)} → ${cpuPerCell.get(2)?.toFixed(2)} ms/cell (ratio with whole cores ${cpuRatio.toFixed(2)}); load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await redis.dispose();
  rmSync(dir, { recursive: true, force: true });
}
