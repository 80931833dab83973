/**
 * The measured work of the cellshape scale benches, in a process of its own so that its peak
 * memory (`process.resourceUsage().maxRSS`) is the work's alone. Prints one JSON line.
 *
 *   … scale-child.ts extract <run> <points> <out.csv> [chunks]   # { seconds, objects, peakRssMb }
 *
 * `chunks`: encode only the first few chunks of 1024 cells (the peak RSS is reached by then:
 * opening the dataset, then the first chunk), to compare sizes in minutes rather than an hour.
 *   … scale-child.ts epoch <points> <computeClouds>     # + openSeconds, loadSeconds, computeSecondsPerEpoch
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAutoEncoder, PointCloudDataset, trainAutoencoder } from '@cellshape/cloud';
import { selectBackend } from '@cellshape/engine';
import { extractPartsDir } from '../src/run/extract-job.js';
import { extractRun, openExtractJob } from '../src/run/extract-run.js';

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
/** CPU seconds of the process so far: barely moved by other jobs on the machine. */
const cpuSeconds = (): number => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;

/** `.ply` files under `dir`, sorted. */
function plyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ply'))
    .sort()
    .map((f) => join(dir, f));
}

/** The first `chunks` chunks of the extraction only (no assembled CSV). */
async function extractHead(run: string, points: string, out: string, chunks: number) {
  rmSync(extractPartsDir(out), { recursive: true, force: true });
  const started = performance.now();
  const opened = await openExtractJob(run, out, { input: points, batchSize: 32 });
  let objects = 0;
  try {
    await opened.job.prepare();
    for (const chunk of opened.job.chunks.slice(0, chunks)) {
      await opened.job.extractChunk(chunk.index);
      objects += chunk.end - chunk.start;
    }
  } finally {
    opened.dispose();
    rmSync(extractPartsDir(out), { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, objects, peakRssMb: peakRssMb(), cpuSeconds: cpuSeconds() };
}

/**
 * What a queue worker pays for one chunk of a distributed extraction: the client opens the job
 * (listing and validating every file), then a worker opens it with the client's list of
 * unusable files (listing only) and encodes the last chunk (reading only that chunk's files).
 */
async function workerChunk(run: string, points: string, out: string): Promise<object> {
  rmSync(extractPartsDir(out), { recursive: true, force: true });
  const options = { input: points, batchSize: 32 };
  let started = performance.now();
  const client = await openExtractJob(run, out, options);
  const clientOpenSeconds = (performance.now() - started) / 1000;
  await client.job.prepare();
  client.dispose();
  started = performance.now();
  const worker = await openExtractJob(run, out, options, { validated: client.unusable });
  const workerOpenSeconds = (performance.now() - started) / 1000;
  const last = worker.job.chunks.at(-1)!;
  started = performance.now();
  try {
    await worker.job.extractChunk(last.index);
  } finally {
    worker.dispose();
    rmSync(extractPartsDir(out), { recursive: true, force: true });
  }
  const chunkSeconds = (performance.now() - started) / 1000;
  return {
    seconds: workerOpenSeconds + chunkSeconds,
    objects: last.end - last.start,
    clientOpenSeconds,
    workerOpenSeconds,
    chunkSeconds,
    peakRssMb: peakRssMb(),
    cpuSeconds: cpuSeconds(),
  };
}

async function extract(run: string, points: string, out: string): Promise<object> {
  rmSync(extractPartsDir(out), { recursive: true, force: true });
  const started = performance.now();
  // The fastest backend available (wasm here): tfjs's plain-JS cpu backend is ~100× slower.
  const result = await extractRun(run, out, { input: points, batchSize: 32 });
  return {
    seconds: (performance.now() - started) / 1000,
    encodeSeconds: result.seconds,
    objects: result.cells,
    peakRssMb: peakRssMb(),
    cpuSeconds: cpuSeconds(),
  };
}

/**
 * One epoch's data loading over every cloud (read, normalise, resample, batch: the
 * training loop's input) against the compute of a training epoch of the paper's DFN, timed on
 * `computeClouds` clouds and scaled to all of them.
 */
async function epoch(points: string, computeClouds: number): Promise<object> {
  await selectBackend();
  let started = performance.now();
  const dataset = await PointCloudDataset.fromFolder(points, { validate: false });
  const openSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  for await (const batch of dataset.batches({ batchSize: 16, shuffle: true, epoch: 1 }))
    batch.input.dispose();
  const loadSeconds = (performance.now() - started) / 1000;
  const sample = await PointCloudDataset.fromFiles(plyFiles(points).slice(0, computeClouds));
  const model = new CloudAutoEncoder();
  started = performance.now();
  await trainAutoencoder(model, sample, { epochs: 1, batchSize: 16 });
  const computeSeconds = (performance.now() - started) / 1000;
  model.dispose();
  return {
    seconds: loadSeconds,
    objects: dataset.length,
    openSeconds,
    loadSeconds,
    computeSecondsPerEpoch: (computeSeconds / computeClouds) * dataset.length,
    peakRssMb: peakRssMb(),
    cpuSeconds: cpuSeconds(),
  };
}

const [command, ...args] = process.argv.slice(2);
let result: object;
if (command === 'extract' && args.length === 3)
  result = await extract(args[0]!, args[1]!, args[2]!);
else if (command === 'extract' && args.length === 4)
  result = await extractHead(args[0]!, args[1]!, args[2]!, Number(args[3]));
else if (command === 'worker' && args.length === 3)
  result = await workerChunk(args[0]!, args[1]!, args[2]!);
else if (command === 'epoch' && args.length === 2) result = await epoch(args[0]!, Number(args[1]));
else {
  console.error(
    'usage: scale-child.ts extract <run> <points> <out.csv> [chunks] | worker <run> <points> <out.csv> | epoch <points> <computeClouds>',
  );
  process.exit(2);
}
console.log(JSON.stringify(result));
