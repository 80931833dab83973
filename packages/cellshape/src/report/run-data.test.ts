import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, InvalidArgumentError } from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readRun } from './run-data.js';
import { EVIL_ID, syntheticRun, TREATMENTS } from './test-utils/synthetic-run.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cellshape-run-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('readRun', () => {
  it('reads every file of a run', async () => {
    const dir = syntheticRun();
    dirs.push(dir);
    const run = await readRun(dir);
    expect(run.missing).toEqual([]);
    expect(run.config?.seed).toBe(3);
    expect(run.pretrainLog?.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(Object.keys(run.idecLog![0]!.parts).sort()).toEqual(['kl', 'reconstruction']);
    expect(run.idecLog?.at(-1)?.stopped).toMatch(/label change/);
    const cells = run.cells!;
    expect(cells.ids).toHaveLength(48);
    expect(cells.ids[0]).toBe(EVIL_ID);
    expect(cells.metadataColumns).toEqual(['Treatment', 'Plate', 'Well']);
    expect(new Set(cells.metadata.Treatment)).toEqual(new Set(TREATMENTS));
    expect(cells.features?.shape).toEqual([48, 6]);
    expect(cells.q?.shape).toEqual([48, 3]);
    expect(cells.clusters).toHaveLength(48);
    expect(run.exemplars?.map((c) => c.exemplars.length)).toEqual([2, 2, 2]);
    expect(run.summary?.cells).toBe(48);
  });

  it('joins features to assignments by id, whatever the row order, and accepts a label column', async () => {
    const dir = runWith({
      'features.csv': 'id,f1,f0,Plate\nb,2,20,P2\na,1,10,P1\n',
      'assignments.csv': 'id,Treatment,label,q0,q1\na,x,0,0.9,0.1\nb,y,1,0.2,0.8\n',
    });
    const cells = (await readRun(dir)).cells!;
    expect(cells.ids).toEqual(['a', 'b']);
    // f0 before f1 although the file lists f1 first.
    expect([...cells.features!.data]).toEqual([10, 1, 20, 2]);
    expect(cells.clusters).toEqual([0, 1]);
    expect(cells.metadataColumns).toEqual(['Treatment', 'Plate']);
    expect(cells.metadata.Plate).toEqual(['P1', 'P2']);
  });

  it('lists missing files and keeps the last record of a resumed epoch', async () => {
    const log = [
      { epoch: 0, loss: 3, rec: 3 },
      { epoch: 1, loss: 2, rec: 2 },
      { epoch: 1, loss: 1.5, rec: 1.5 },
    ];
    const dir = runWith({
      'pretrain/log.jsonl': `${log.map((l) => JSON.stringify(l)).join('\n')}\n{"epoch": 2, "lo`,
    });
    const run = await readRun(dir);
    expect(run.pretrainLog?.map((r) => [r.epoch, r.loss, r.parts.rec])).toEqual([
      [0, 3, 3],
      [1, 1.5, 1.5],
    ]);
    expect(run.missing.map((m) => m.file)).toEqual([
      'config.json',
      join('idec', 'log.jsonl'),
      'features.csv',
      'assignments.csv',
      'exemplars.json',
      'summary.json',
      join('pretrain', 'log.jsonl'),
    ]);
    expect(run.missing.at(-1)?.reason).toMatch(/incomplete/);
    expect(run.cells).toBeUndefined();
  });

  it('rejects malformed files with FormatError naming the file', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'config.json': '{ nope' }, /config.json: not valid JSON/],
      [{ 'summary.json': '[1, 2]' }, /summary.json: must hold a JSON object/],
      [{ 'idec/log.jsonl': 'oops\n{"epoch":1,"loss":1}\n' }, /line 1 is not valid JSON/],
      [{ 'idec/log.jsonl': '{"epoch":"1","loss":1}\n' }, /numeric 'epoch' and 'loss'/],
      [{ 'features.csv': 'id,f0\na,1\na,2\n' }, /appears twice/],
      [{ 'features.csv': 'id,f0\na,x\n' }, /column 'f0' must be a finite number, got "x"/],
      [{ 'features.csv': 'name,f0\na,1\n' }, /no 'id' column/],
      [{ 'assignments.csv': 'id,q0\na,1\n' }, /no 'cluster'/],
      [{ 'assignments.csv': 'id,cluster,q0\na,-1,1\n' }, /cluster index ≥ 0/],
      [
        { 'features.csv': 'id,f0\na,1\n', 'assignments.csv': 'id,cluster,q0\nb,0,1\n' },
        /lists other cells than assignments.csv/,
      ],
      [{ 'exemplars.json': '{"clusters":[{"cluster":0}]}' }, /clusters\[0\] must be/],
      [
        {
          'exemplars.json':
            '{"clusters":[{"cluster":0,"size":1,"exemplars":[{"id":"a","points":[[0,1]]}]}]}',
        },
        /points must hold \[x, y, z\] rows/,
      ],
    ];
    for (const [files, message] of cases) {
      const promise = readRun(runWith(files));
      await expect(promise).rejects.toThrow(FormatError);
      await expect(readRun(runWith(files))).rejects.toThrow(message);
    }
  });

  it('rejects a run directory that does not exist', async () => {
    await expect(readRun(join(tmpdir(), 'no-such-cellshape-run'))).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(readRun('')).rejects.toThrow(/'runDir' must be a directory path/);
    await expect(readRun(42 as unknown as string)).rejects.toThrow(InvalidArgumentError);
  });
});
