/**
 * The small-data experiments of docs/small-data.md: which settings make the DFN's features
 * useful on tens of cells within minutes on 2 cores. Each configuration trains a run
 * (pretraining only: IDEC epochs 0, so the features are the pretrained encoder's) and records
 * the run's baseline — leave-one-out 1-NN accuracy of learned features, classical measures and
 * both — and the wall time, one JSON line per run, in `<out>/results.jsonl`.
 *
 *   node --conditions=@cellshape/source --import tsx scripts/experiments/small-data.ts prepare <out>
 *   node --conditions=@cellshape/source --import tsx scripts/experiments/small-data.ts run <out> <data> <config>…
 *
 * `prepare` converts the QCANet nuclei (../shared/data/masks3d, 8-cell and 16-cell embryo, z
 * spacing 2.18 µm vs 1 µm in x, y) and 60 synthetic cells (12 per family, 48³) and writes their
 * metadata (Stage, Family). `<data>` is `qcanet` or `synthetic`; the configurations are the keys
 * of CONFIGS.
 */
import { appendFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunBaseline } from '../../packages/cellshape/src/run/baseline.js';
import { trainRun } from '../../packages/cellshape/src/run/train-run.js';
import type { TrainRunOptions } from '../../packages/cellshape/src/run/train-run-options.js';
import { encodeNpy } from '../../packages/core/src/index.js';
import { convertDirectory, generateSyntheticCells } from '../../packages/helper/src/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MASKS = resolve(ROOT, '../shared/data/masks3d');

/** What every configuration shares: a small DFN, pretraining only. */
const BASE = {
  numPoints: 256,
  k: 16,
  sourcePoints: 256,
  features: 32,
  normalise: 'unitSphere',
  epochs: 20,
  batchSize: 8,
  lr: 1e-3,
} as const;

type Config = Partial<Record<keyof typeof BASE, unknown>> & { init?: string };

/** The configurations tried, each a change of {@link BASE}. */
const CONFIGS: Record<string, Config> = {
  base: {},
  pose: { normalise: 'pcaPoseUnitSphere' },
  poseSize: { normalise: 'pcaPose' },
  poseF8: { normalise: 'pcaPoseUnitSphere', features: 8 },
  poseF64: { normalise: 'pcaPoseUnitSphere', features: 64 },
  pose512: { normalise: 'pcaPoseUnitSphere', numPoints: 512 },
  pose60: { normalise: 'pcaPoseUnitSphere', epochs: 60 },
  poseLr: { normalise: 'pcaPoseUnitSphere', lr: 3e-3 },
  // Warm start: the synthetic families' `pose` run's pretrained model, then a few epochs here.
  warm: { normalise: 'pcaPoseUnitSphere', epochs: 10, init: 'synthetic-pose/pretrain/best.ckpt' },
  warm0: { normalise: 'pcaPoseUnitSphere', epochs: 0, init: 'synthetic-pose/pretrain/best.ckpt' },
};

async function prepare(out: string): Promise<void> {
  const qc = join(out, 'qcanet');
  mkdirSync(join(qc, 'masks'), { recursive: true });
  const ids: string[] = [];
  for (const stage of ['8cell', '16cell']) {
    const name = `qcanet_${stage}_nuclei_binary.tif`;
    const link = join(qc, 'masks', name);
    if (!existsSync(link)) symlinkSync(join(MASKS, name), link);
  }
  const qcResult = await convertDirectory(join(qc, 'masks'), join(qc, 'converted'), {
    spacing: [2.18, 1, 1],
    numPoints: 2048,
    minSize: 20,
    workers: 0,
  });
  for (const f of qcResult.files)
    for (const o of f.outputs.filter((p) => p.endsWith('.ply'))) ids.push(basename(o, '.ply'));
  writeFileSync(
    join(qc, 'cells.csv'),
    `id,Stage\n${ids.map((id) => `${id},${id.includes('16cell') ? '16-cell' : '8-cell'}`).join('\n')}\n`,
  );
  const syn = join(out, 'synthetic');
  mkdirSync(join(syn, 'masks'), { recursive: true });
  const { cells } = generateSyntheticCells({ count: 12, size: 48, seed: 1 });
  for (const c of cells)
    writeFileSync(
      join(syn, 'masks', `${c.id}.npy`),
      encodeNpy({ data: c.mask.data, shape: c.mask.shape }),
    );
  await convertDirectory(join(syn, 'masks'), join(syn, 'converted'), {
    numPoints: 2048,
    workers: 0,
  });
  writeFileSync(
    join(syn, 'cells.csv'),
    `id,Family\n${cells.map((c) => `${c.id}_1,${c.family}`).join('\n')}\n`,
  );
  console.log(`qcanet: ${ids.length} nuclei; synthetic: ${cells.length} cells`);
}

async function runConfig(out: string, data: string, name: string): Promise<void> {
  const c = { ...BASE, ...CONFIGS[name] } as typeof BASE & Config;
  const dir = join(out, data);
  const runDir = join(out, `${data}-${name}`);
  const options: TrainRunOptions = {
    model: {
      settings: {
        numPoints: c.numPoints,
        k: c.k,
        sourcePoints: c.sourcePoints,
        features: c.features,
        normalise: c.normalise,
      },
      ...(c.init ? { init: join(out, c.init) } : {}),
    },
    data: { batchSize: c.batchSize, metadata: join(dir, 'cells.csv'), idColumn: 'id' },
    pretrain: { epochs: c.epochs, lr: c.lr },
    idec: { clusters: 2, epochs: 0, kmeansRestarts: 5 },
    runtime: { seed: 0, overwrite: true },
  };
  const t = performance.now();
  const { summary } = await trainRun(join(dir, 'converted', 'points'), runDir, options);
  const seconds = (performance.now() - t) / 1000;
  const b = summary.baseline as RunBaseline;
  const column = b.columns[0]!;
  const line = {
    data,
    config: name,
    settings: c,
    cells: b.cells,
    seconds: Math.round(seconds),
    pretrainLoss: summary.pretrain.finalLoss,
    majority: column.majority,
    learned: column.scores.learned?.nearestNeighbour,
    classical: column.scores.classical?.nearestNeighbour,
    both: column.scores.both?.nearestNeighbour,
    svm: Object.fromEntries(
      Object.entries(column.scores).map(([s, v]) => [s, v?.classifier?.accuracy ?? null]),
    ),
    winner: column.winner,
    pValue: column.pValue,
  };
  appendFileSync(join(out, 'results.jsonl'), `${JSON.stringify(line)}\n`);
  console.log(JSON.stringify(line));
}

const [what, out, data, ...configs] = process.argv.slice(2);
if (what === 'prepare' && out) await prepare(resolve(out));
else if (what === 'run' && out && data)
  for (const c of configs) await runConfig(resolve(out), data, c);
else console.error('usage: small-data.ts prepare <out> | run <out> <qcanet|synthetic> <config>…');
