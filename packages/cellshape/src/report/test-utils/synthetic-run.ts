import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@cellshape/core';

/** Treatments of the synthetic run; the last one's name tries HTML injection. */
export const TREATMENTS = ['Control', 'Nocodazole', 'Blebbistatin', '<b>Evil</b> & "Co"'];
/** A cell id and a metadata value that try to break out of the page. */
export const EVIL_ID = '<img src=x onerror="alert(1)">';
export const EVIL_WELL = '</script><script>alert("well")</script>';

/** Which files {@link syntheticRun} writes. */
export interface SyntheticRunOptions {
  cellsPerTreatment?: number;
  omit?: readonly string[];
}

function csvField(text: string | number): string {
  const s = String(text);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes a small synthetic `cellshape train` run directory to a new temporary folder: cells of
 * four treatments that favour different clusters of K = 3, F = 6 features, soft labels, two
 * exemplar ellipsoids per cluster, both training logs, config and summary. Returns its path.
 */
export function syntheticRun(options: SyntheticRunOptions = {}): string {
  const perTreatment = options.cellsPerTreatment ?? 12;
  const omit = new Set(options.omit ?? []);
  const dir = mkdtempSync(join(tmpdir(), 'cellshape-report-'));
  const rng = createRng(7);
  const k = 3;
  const f = 6;
  const centres = Array.from({ length: k }, (_, c) =>
    Array.from({ length: f }, (_, j): number => (j % k === c ? 4 : 0)),
  );
  const header = ['id', 'Treatment', 'Plate', 'Well'];
  const featureRows = [[...header, ...Array.from({ length: f }, (_, j) => `f${j}`)].join(',')];
  const assignRows = [
    [...header, 'cluster', ...Array.from({ length: k }, (_, j) => `q${j}`)].join(','),
  ];
  TREATMENTS.forEach((treatment, t) => {
    for (let i = 0; i < perTreatment; i++) {
      // Treatment t favours cluster t mod K (the last one mixes all clusters).
      const c = t < k && rng.next() < 0.75 ? t : rng.int(k);
      const z = centres[c]!.map((v) => v + rng.normal(0, 0.6));
      const weights = centres.map((m) => 1 / (1 + m.reduce((s, v, j) => s + (v - z[j]!) ** 2, 0)));
      const total = weights.reduce((a, b) => a + b, 0);
      const q = weights.map((w) => w / total);
      const cluster = q.indexOf(Math.max(...q));
      const id = t === 0 && i === 0 ? EVIL_ID : `cell-${t}-${i}`;
      const well = t === 1 && i === 0 ? EVIL_WELL : `W${(i % 4) + 1}`;
      const meta = [id, treatment, `P${(i % 2) + 1}`, well].map(csvField);
      featureRows.push([...meta, ...z.map((v) => v.toFixed(5))].join(','));
      assignRows.push([...meta, cluster, ...q.map((v) => v.toPrecision(8))].join(','));
    }
  });
  const files: Record<string, string> = {
    'config.json': JSON.stringify({
      seed: 3,
      backend: 'cpu',
      model: { kind: 'dfn', numFeatures: f, decoder: 'foldingnet' },
      train: { epochs: 5, batchSize: 16, lr: 1e-4 },
      idec: { numClusters: k, gamma: 100, tol: 0.001 },
      inputs: { pointClouds: '/data/<cells>' },
      versions: { cellshape: '0.1.0' },
    }),
    'summary.json': JSON.stringify({
      cells: TREATMENTS.length * perTreatment,
      finalLoss: { pretrain: 0.021, idec: 0.034 },
      seconds: { pretrain: 12.5, idec: 6.25 },
      chooseK: { range: [2, 6], inertia: [900, 420, 300, 260, 240], k: 3 },
      clusterQuality: {
        silhouette: 0.61,
        silhouetteCells: TREATMENTS.length * perTreatment,
        daviesBouldin: 0.55,
        calinskiHarabasz: 120.5,
        against: {
          Treatment: { classes: TREATMENTS.length, vMeasure: 0.8, adjustedRandIndex: 0.75 },
        },
      },
    }),
    'features.csv': `${featureRows.join('\n')}\n`,
    'assignments.csv': `${assignRows.join('\r\n')}\r\n`,
    'exemplars.json': JSON.stringify({
      clusters: Array.from({ length: k }, (_, c) => ({
        cluster: c,
        size: perTreatment,
        exemplars: Array.from({ length: 2 }, (_, e) => ({
          id: c === 0 && e === 0 ? EVIL_ID : `cell-${c}-${e}`,
          // Ellipsoids with axes that depend on the cluster: round, elongated, flat.
          points: Array.from({ length: 300 }, () => {
            const u = rng.normal();
            const v = rng.normal();
            const w = rng.normal();
            const r = Math.hypot(u, v, w);
            const axes = [
              [1, 1, 1],
              [2.5, 0.8, 0.8],
              [1.6, 1.6, 0.5],
            ][c]!;
            return [(u / r) * axes[0]!, (v / r) * axes[1]!, (w / r) * axes[2]!];
          }),
        })),
      })),
    }),
  };
  const log = (epochs: number, parts: string[], stop?: string): string =>
    Array.from({ length: epochs }, (_, e) => {
      const values = Object.fromEntries(parts.map((p, i) => [p, 0.5 / (e + 1) + 0.01 * (i + 1)]));
      const loss = Object.values(values).reduce((a, b) => a + b, 0);
      const line: Record<string, unknown> = {
        ...values,
        epoch: e,
        step: (e + 1) * 3,
        loss,
        lr: 1e-4,
        batches: 3,
        seconds: 2.5,
        time: '2026-01-01T00:00:00.000Z',
        best: true,
      };
      if (stop !== undefined && e === epochs - 1) line.stopped = stop;
      return `${JSON.stringify(line)}\n`;
    }).join('');
  files[join('pretrain', 'log.jsonl')] = log(5, ['reconstruction']);
  files[join('idec', 'log.jsonl')] = log(
    4,
    ['reconstruction', 'kl'],
    'label change 0.0004 < tol 0.001',
  );
  for (const [file, text] of Object.entries(files)) {
    if (omit.has(file)) continue;
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}
