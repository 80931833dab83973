/**
 * `extractRun` and a training epoch's data loading at paper size, over the point clouds of the
 * helper's scale bench (packages/helper/bench/scale.bench.ts: 6,500 and 65,000 objects; the
 * clouds are converted here when that bench has not run). Each measure runs in a child
 * process whose peak RSS is reported; the larger size prints throughput and peak RSS as ratios
 * to the smaller one (1 = flat per object).
 *
 * * `scale_extract_<n>`: a small cloud model (128 points, k 8, 16 features; initial weights
 *   and k-means centres from 64 clouds) encodes all n clouds — what is measured is the
 *   streaming, chunked extraction around the model, not the model's size.
 * * `scale_worker_chunk_<n>`: a queue worker's share of a distributed extraction — the client
 *   opens the job (validating every file), a worker opens it with the client's list of unusable
 *   files and encodes the last chunk only: neither cost should grow with n but the listing.
 * * `scale_epoch_<n>`: one epoch of data loading (read, normalise, resample to 2048, batch)
 *   against the compute of an epoch of the paper's DFN, timed on 32 clouds and scaled.
 *
 *   pnpm bench --only scale_extract_6500,scale_epoch_6500 --no-reference
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertDirectory } from '@cellshape/helper';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { scaleRoot, scaleSizes, writeScaleFields } from '../../helper/bench/scale-data.js';
import {
  childRun,
  runScaleChild,
  type ScaleMeasure,
  scaleFacts,
} from '../../helper/bench/scale-measure.js';
import { trainRun } from '../src/run/train-run.js';

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));

interface State {
  size: number;
  points: string;
  run: string;
}

/** The converted clouds of `size` objects (converting what is missing) and a small run. */
async function prepare(size: number): Promise<State> {
  const fields = join(scaleRoot(), `fields-${size}`);
  await writeScaleFields(fields, size);
  const converted = join(scaleRoot(), `converted-${size}`);
  await convertDirectory(fields, converted);
  const points = join(converted, 'points');
  const run = join(scaleRoot(), 'extract-run');
  if (!existsSync(join(run, 'idec', 'last.ckpt'))) {
    const train = join(scaleRoot(), 'extract-train');
    const plate = join(points, readdirSync(points).sort()[0]!);
    mkdirSync(train, { recursive: true });
    for (const f of readdirSync(plate).sort().slice(0, 64)) cpSync(join(plate, f), join(train, f));
    await trainRun(train, run, {
      model: { settings: { numPoints: 128, k: 8, features: 16 } },
      data: { batchSize: 16 },
      // Untrained weights and k-means centres: the model's quality does not change its speed.
      pretrain: { epochs: 0 },
      idec: { clusters: 5, epochs: 0 },
      runtime: { backend: 'cpu' },
    });
  }
  return { size, points, run };
}

function extractCase(size: number): BenchCase<State> {
  return {
    bench: `scale_extract_${size}`,
    description: `extractRun over ${size} point clouds (small model), chunked and streamed to CSV, child process`,
    setup: () => prepare(size),
    run: childRun((s: State) =>
      runScaleChild(CHILD, ['extract', s.run, s.points, join(scaleRoot(), `features-${size}.csv`)]),
    ),
    runs: { min: 1, max: 1 },
    facts: (s, result) => scaleFacts('extract', s.size, result as ScaleMeasure),
  };
}

function workerCase(size: number): BenchCase<State> {
  return {
    bench: `scale_worker_chunk_${size}`,
    description: `a queue worker's share of a distributed extract of ${size} clouds: opening the job with the client's validation, then the last chunk, child process`,
    setup: () => prepare(size),
    run: childRun((s: State) =>
      runScaleChild(CHILD, ['worker', s.run, s.points, join(scaleRoot(), `worker-${size}.csv`)]),
    ),
    runs: { min: 1, max: 1 },
    facts: (s, result) => {
      const m = result as ScaleMeasure & {
        clientOpenSeconds: number;
        workerOpenSeconds: number;
        chunkSeconds: number;
      };
      const tenths = (x: number) => Math.round(x * 10) / 10;
      return {
        ...scaleFacts('worker', s.size, m),
        client_open_s: tenths(m.clientOpenSeconds),
        worker_open_s: tenths(m.workerOpenSeconds),
        last_chunk_s: tenths(m.chunkSeconds),
      };
    },
  };
}

function epochCase(size: number): BenchCase<State> {
  return {
    bench: `scale_epoch_${size}`,
    description: `one epoch of data loading over ${size} clouds vs the DFN's compute per epoch, child process`,
    setup: () => prepare(size),
    run: childRun((s: State) => runScaleChild(CHILD, ['epoch', s.points, '32'])),
    runs: { min: 1, max: 1 },
    facts: (s, result) => {
      const m = result as ScaleMeasure & {
        openSeconds: number;
        loadSeconds: number;
        computeSecondsPerEpoch: number;
      };
      return {
        ...scaleFacts('epoch', s.size, m),
        open_s: Math.round(m.openSeconds * 10) / 10,
        load_s_per_epoch: Math.round(m.loadSeconds * 10) / 10,
        compute_s_per_epoch: Math.round(m.computeSecondsPerEpoch),
        load_share_pct:
          Math.round(((100 * m.loadSeconds) / (m.loadSeconds + m.computeSecondsPerEpoch)) * 10) /
          10,
      };
    },
  };
}

export default scaleSizes().flatMap((n) => [
  extractCase(n),
  workerCase(n),
  epochCase(n),
]) satisfies BenchCase<State>[];
