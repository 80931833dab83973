import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import { UsageError } from './errors.js';
import { requireFolder, requireRunDir } from './inputs.js';

describe('requireFolder and requireRunDir', () => {
  const dir = tempDir('inputs');

  it('accept a folder, and a folder holding config.json as a run directory', () => {
    mkdirSync(join(dir, 'run'), { recursive: true });
    writeFileSync(join(dir, 'run', 'config.json'), '{}');
    expect(requireFolder(join(dir, 'run'), 'the folder')).toBe(join(dir, 'run'));
    expect(requireRunDir(join(dir, 'run'))).toBe(join(dir, 'run'));
  });

  it('reject a missing path, a file and a folder that is not a run', () => {
    writeFileSync(join(dir, 'file.txt'), 'x');
    mkdirSync(join(dir, 'empty'), { recursive: true });
    expect(() => requireFolder(join(dir, 'nope'), 'the masks folder')).toThrow(
      /the masks folder ".*nope" does not exist/,
    );
    expect(() => requireFolder(join(dir, 'file.txt'), 'the masks folder')).toThrow(UsageError);
    expect(() => requireRunDir(join(dir, 'file.txt'))).toThrow(/is not a folder/);
    expect(() => requireRunDir(join(dir, 'empty'))).toThrow(
      /is not a run directory \(no config.json\); make one with `cellshape train/,
    );
  });
});
