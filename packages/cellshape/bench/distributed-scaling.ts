/**
 * Throughput of `convert --redis` with one worker and with two, each worker pinned to its own
 * core (`taskset -c <core>`), on synthetic label images of five cells each:
 *
 *   node --conditions=@cellshape/source --import tsx packages/cellshape/bench/distributed-scaling.ts [files] [chunk-size] [repeats] [cell-size]
 *
 * Starts its own redis-server (append-only) in a temporary folder. Prints cells per second per
 * run and the ratio two workers / one worker of the best runs (results: docs/distributed.md).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertDistributed } from '../src/distributed/convert-distributed.js';
import {
  spawnCellshape,
  startTestRedis,
  waitForOutput,
  writeTestMasks,
} from '../src/distributed/test-redis.js';

const files = Number(process.argv[2] ?? 600);
const chunkSize = Number(process.argv[3] ?? 10);
const repeats = Number(process.argv[4] ?? 2);
const cellSize = Number(process.argv[5] ?? 32);
const cells = files * 5;

const dir = mkdtempSync(join(tmpdir(), 'cellshape-scaling-'));
const redis = await startTestRedis();
try {
  const masks = join(dir, 'masks');
  mkdirSync(masks);
  await writeTestMasks(masks, files, { size: cellSize });
  const best = new Map<number, number>();
  for (let r = 0; r < repeats; r++) {
    for (const count of [1, 2]) {
      const workers = Array.from({ length: count }, (_, core) =>
        spawnCellshape(['worker', '--redis', redis.url], { cpu: core }),
      );
      await Promise.all(workers.map((w) => waitForOutput(w, (o) => o.includes(' ready: '))));
      const out = join(dir, `out-${count}-${r}`);
      const started = performance.now();
      await convertDistributed(redis.url, masks, out, { chunkSize });
      const seconds = (performance.now() - started) / 1000;
      const rate = cells / seconds;
      best.set(count, Math.max(best.get(count) ?? 0, rate));
      const busy = workers.map((w) =>
        [...w.output().matchAll(/ in ([\d.]+) s/g)].reduce((sum, m) => sum + Number(m[1]), 0),
      );
      console.log(`  worker busy seconds: ${busy.map((b) => b.toFixed(1)).join(', ')}`);
      console.log(
        `${count} worker(s): ${cells} cells in ${seconds.toFixed(1)} s = ${rate.toFixed(1)} cells/s`,
      );
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      rmSync(out, { recursive: true, force: true });
    }
  }
  const ratio = (best.get(2) ?? 0) / (best.get(1) ?? 1);
  console.log(
    `best: 1 worker ${best.get(1)?.toFixed(1)} cells/s, 2 workers ${best.get(2)?.toFixed(1)} cells/s, ratio ${ratio.toFixed(2)}`,
  );
} finally {
  await redis.dispose();
  rmSync(dir, { recursive: true, force: true });
}
