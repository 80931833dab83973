import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeVolume } from '@cellshape/helper';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../test-utils/fixtures.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODES } from './errors.js';
import { interruptedLine } from './run.js';

describe('cellshape --help and --version', () => {
  it('prints the program help with every command and examples on stdout, exit 0', async () => {
    const { code, out, err } = await cli(['--help']);
    expect(code).toBe(0);
    expect(err).toBe('');
    // A command with subcommands (profile) is listed without [options].
    for (const c of COMMANDS)
      expect(out).toMatch(new RegExp(`^  ${c.name}( \\[options\\]| {2,})`, 'm'));
    expect(out).toContain('Examples:');
    expect(out).toContain('Exit codes: 0 success, 1 runtime failure, 2 usage error.');
  });

  it.each(COMMANDS.map((c) => c.name))(
    'prints the help of %s with examples, exit 0',
    async (name) => {
      const { code, out } = await cli([name, '--help']);
      expect(code).toBe(0);
      expect(out).toContain(`Usage: cellshape ${name}`);
      expect(out).toContain('Examples:');
      expect(out).toContain(`$ cellshape ${name}`);
    },
  );

  it('lists every hyper-parameter of train with the paper defaults', async () => {
    const { out } = await cli(['train', '--help']);
    for (const flag of [
      '--epochs',
      '--batch-size <n>',
      '--lr <x>',
      '--weight-decay',
      '--lr-decay',
      '--features',
      '--k <n>',
      '--encoder',
      '--decoder',
      '--source-shape',
      '--num-points',
      '--normalise',
      '--clusters',
      '--gamma',
      '--update-interval',
      '--tolerance',
      '--idec-epochs',
      '--metadata',
      '--id-column',
      '--model',
      '--resume',
      '--backend',
    ])
      expect(out).toContain(flag);
    expect(out).toMatch(/--batch-size <n>\s+cells per batch \(default: 16\)/);
    expect(out).toMatch(/--gamma <x>[^\n]*\(default: 100\)/);
    expect(out).toMatch(/--tolerance <x>[\s\S]*?\(default: 0\.001\)/);
    expect(out).toMatch(/--k-range <lo:hi>[^\n]*\(default: 2:15\)/);
  });

  it('prints the version', async () => {
    const { code, out } = await cli(['--version']);
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('usage errors: one line on stderr, exit code 2, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['trian'], /unknown command 'trian'.*Did you mean train\?/],
    ['unknown flag', ['convert', 'a', 'b', '--nope'], /unknown option '--nope'/],
    [
      'wrong flag type',
      ['train', 'pts', '--out', 'run', '--epochs', 'abc'],
      /'--epochs <n>' argument 'abc' is invalid\. expected a non-negative integer/,
    ],
    [
      'negative learning rate',
      ['train', 'pts', '--out', 'run', '--lr', '-1'],
      /'--lr <x>' argument '-1' is invalid/,
    ],
    [
      'bad choice',
      ['train', 'pts', '--out', 'run', '--decoder', 'mlp'],
      /expected one of foldingnet, foldingnetbasic/,
    ],
    ['missing argument', ['convert', 'masks'], /missing required argument 'out'/],
    ['missing required flag', ['train', 'pts'], /required option '--out <run-dir>' not specified/],
    [
      'missing folder',
      ['convert', '/no/such/folder', '/tmp/x'],
      /the masks "\/no\/such\/folder" does not exist/,
    ],
    [
      'unregistered model',
      ['train', 'pts', '--out', 'run', '--model', 'resnet2d'],
      /option '--model <name>' argument 'resnet2d' is invalid. Allowed choices are cloud, voxel, siamese, ae2d, classifier/,
    ],
    [
      "a value the model family's settings refuse",
      ['train', tmpdir(), '--out', join(tmpdir(), 'cellshape-no-run'), '--features', '5000'],
      /cloudModel\.resolveSettings: 'features' must be an integer in \[2, 1024\], got 5000/,
    ],
    ['no command', [], /a command is required/],
    [
      'report of a folder that is not a run',
      ['report', tmpdir()],
      /is not a run directory \(no config\.json\); make one with `cellshape train/,
    ],
    [
      'extract from a folder that is not a run',
      ['extract', tmpdir(), '--out', 'x.csv'],
      /is not a run directory \(no config\.json\)/,
    ],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const { code, out, err } = await cli(argv);
    expect(code).toBe(EXIT_CODES.usage);
    const lines = err.trim().split('\n');
    const errorLine = lines.at(-1)!;
    expect(errorLine).toMatch(/^cellshape( \w+)?: error: /);
    expect(errorLine).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    if (argv.length > 0) {
      expect(lines).toHaveLength(1);
      expect(out).toBe('');
    }
  });

  it('prints the stack trace with --verbose', async () => {
    const { code, err } = await cli(['convert', '/no/such/folder', '/tmp/x', '--verbose']);
    expect(code).toBe(2);
    expect(err).toMatch(/\n\s+at /);
  });

  it('--json keeps stdout machine-readable on errors', async () => {
    const { code, out, err } = await cli(['--json', 'convert', '/no/such/folder', '/tmp/x']);
    expect(code).toBe(2);
    expect(JSON.parse(out)).toEqual({
      ok: false,
      exitCode: 2,
      error: { code: 'USAGE', message: 'the masks "/no/such/folder" does not exist' },
    });
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});

describe('cellshape convert', () => {
  const dir = tempDir('convert');

  async function masks(): Promise<string> {
    const root = join(dir, 'masks');
    await mkdir(join(root, 'plate1'), { recursive: true });
    const n = 16;
    const data = new Uint8Array(n * n * n);
    for (let z = 4; z < 12; z++)
      for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) data[(z * n + y) * n + x] = 1;
    await writeVolume(join(root, 'plate1', 'cube.tif'), { data, shape: [n, n, n] });
    writeFileSync(join(root, 'plate1', 'corrupt.tif'), 'this is not a TIFF');
    return root;
  }

  it('converts good files, reports the corrupt one and exits with 1; --json output is pure', async () => {
    const input = await masks();
    const out = join(dir, 'out');
    const {
      code,
      out: stdout,
      err,
    } = await cli(['--json', 'convert', input, out, '--workers', '0', '--num-points', '64']);
    expect(code).toBe(EXIT_CODES.failure);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      ok: false,
      command: 'convert',
      converted: 1,
      failed: 1,
      objects: 1,
    });
    const failed = result.files.find((f: { status: string }) => f.status === 'failed');
    expect(failed.input).toMatch(/corrupt\.tif$/);
    expect(failed.error).toEqual(expect.any(String));
    expect(stdout.trim().split('\n')).toHaveLength(1);
    // Progress lines went to stderr (not a terminal: plain lines, no bar).
    expect(err).toContain('convert 2/2');
    expect(err).not.toContain('\r');
  });

  it('resumes: a second run skips finished files; text output names the failures', async () => {
    const input = join(dir, 'masks');
    const { code, out } = await cli([
      '--quiet',
      'convert',
      input,
      join(dir, 'out'),
      '--workers',
      '0',
      '--num-points',
      '64',
    ]);
    expect(code).toBe(1);
    expect(out).toMatch(/converted 0, already done 1, failed 1 file\(s\); 1 object\(s\)/);
    expect(out).toMatch(/failed: .*corrupt\.tif: /);
  });
});

describe('interruptedLine', () => {
  it('names the command and how to continue', () => {
    expect(interruptedLine(['train', 'pts', '--out', 'run'], 'SIGINT')).toBe(
      'cellshape train: interrupted (SIGINT); run the same command with --resume to continue from the last finished epoch',
    );
    expect(interruptedLine(['--quiet', 'convert', 'a', 'b'], 'SIGTERM')).toBe(
      'cellshape convert: interrupted (SIGTERM); run the same command again: finished files are skipped',
    );
    expect(interruptedLine([], 'SIGINT')).toBe('cellshape: interrupted (SIGINT); run it again');
  });
});
