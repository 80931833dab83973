import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeVolume } from '@cellshape/helper';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs the real executable from the sources, as the root `pnpm demo` script does. */
function cellshape(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=@cellshape/source', '--import', 'tsx', MAIN, ...args],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe('the cellshape executable (spawned process)', () => {
  const dir = tempDir('main');

  it('converts with pure JSON on stdout, then exits 2 on a usage error', async () => {
    const n = 12;
    const data = new Uint8Array(n * n * n);
    for (let z = 3; z < 9; z++)
      for (let y = 3; y < 9; y++) for (let x = 3; x < 9; x++) data[(z * n + y) * n + x] = 1;
    await writeVolume(join(dir, 'masks', 'cube.tif'), { data, shape: [n, n, n] });
    const ok = cellshape([
      '--json',
      'convert',
      join(dir, 'masks'),
      join(dir, 'out'),
      '--workers',
      '0',
      '--num-points',
      '32',
    ]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      command: 'convert',
      converted: 1,
      failed: 0,
    });

    const bad = cellshape([
      'train',
      join(dir, 'out', 'points'),
      '--out',
      join(dir, 'run'),
      '--epochs',
      'abc',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([
      "cellshape train: error: option '--epochs <n>' argument 'abc' is invalid. expected a non-negative integer. (see 'cellshape train --help')",
    ]);
  });
});
