import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import { UsageError } from './errors.js';
import { requireFile, requireFolder, requireRunDir } from './inputs.js';

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

describe('requireFile', () => {
  const dir = tempDir('inputs-file');

  it('accepts a readable file and returns its absolute path', () => {
    writeFileSync(join(dir, 'model.pt'), 'x');
    expect(requireFile(join(dir, 'model.pt'), 'the --init checkpoint')).toBe(join(dir, 'model.pt'));
  });

  it('rejects a missing path and a folder with a usage error', () => {
    expect(() => requireFile(join(dir, 'nope.pt'), 'the --init checkpoint')).toThrow(
      /^the --init checkpoint ".*nope\.pt" does not exist$/,
    );
    expect(() => requireFile(dir, 'the --init checkpoint')).toThrow(UsageError);
    expect(() => requireFile(dir, 'the --init checkpoint')).toThrow(/is not a file/);
  });
});
