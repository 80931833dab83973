import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  UnsupportedError,
} from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePointCloud, readPointCloud } from '../points/point-cloud-io.js';
import { meshVolume } from '../surface/index.js';
import type { Mesh } from '../types.js';
import { encodeMesh, type MeshFormat, parseMesh, readMesh, writeMesh } from './mesh-io.js';

const text = (s: string) => new TextEncoder().encode(s);

// A unit cube [0, 1]³ written with quads (outward, counter-clockwise).
const CUBE_VERTICES = [
  [0, 0, 0],
  [1, 0, 0],
  [1, 1, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 0, 1],
  [1, 1, 1],
  [0, 1, 1],
];
const CUBE_QUADS = [
  [0, 3, 2, 1],
  [4, 5, 6, 7],
  [0, 1, 5, 4],
  [2, 3, 7, 6],
  [1, 2, 6, 5],
  [0, 4, 7, 3],
];

function cubeMesh(): Mesh {
  const faces: number[] = [];
  for (const [a, b, c, d] of CUBE_QUADS as [number, number, number, number][])
    faces.push(a, b, c, a, c, d);
  return { positions: new Float32Array(CUBE_VERTICES.flat()), faces: new Uint32Array(faces) };
}

const CUBE_OFF = `COFF
# a cube with colour columns
8 6 12
${CUBE_VERTICES.map((v) => `${v.join(' ')} 255 0 0 255`).join('\n')}
${CUBE_QUADS.map((q) => `4 ${q.join(' ')} 0.5 0.5 0.5`).join('\n')}
`;

describe('OFF', () => {
  it('reads quads with colour columns and comments, fan-triangulated', () => {
    const mesh = parseMesh(text(CUBE_OFF), 'off');
    expect(mesh.positions.length).toBe(24);
    expect(mesh.faces.length).toBe(36);
    expect(meshVolume(mesh)).toBeCloseTo(1, 6);
  });

  it('reads counts on the keyword line, NOFF and pentagons', () => {
    const off =
      'NOFF 5 1 0\n0 0 0 0 0 1\n1 0 0 0 0 1\n1 1 0 0 0 1\n0.5 1.5 0 0 0 1\n0 1 0 0 0 1\n5 0 1 2 3 4\n';
    const mesh = parseMesh(text(off), 'off');
    expect(Array.from(mesh.faces)).toEqual([0, 1, 2, 0, 2, 3, 0, 3, 4]);
  });

  it('ends lines at a lone CR; a keyword line of blanks before a CR is read in linear time', () => {
    const cr = parseMesh(text('OFF\r3 1 0\r0 0 0\r1 0 0\r0 1 0\r3 0 1 2\r'), 'off');
    expect(Array.from(cr.faces)).toEqual([0, 1, 2]);
    // Found by the 30-minute fuzz run: 146 KB of tabs after `OFF` and a CR took 6 s in the
    // keyword's regular expression (it backtracked through every split of the run).
    const blanks = `OFF${'\t'.repeat(150_000)}x\r3 1 0\n`;
    expect(() => parseMesh(text(blanks), 'off')).toThrow(
      /^parseMesh: 'bytes' is not a valid OFF file: bad counts line "x"$/,
    );
  });

  it('rejects truncated files, bad numbers and indices out of range', () => {
    expect(() => parseMesh(text('OFF\n8 6 0\n0 0 0\n'), 'off')).toThrow(/truncated/);
    expect(() => parseMesh(text('OFF\n3 1 0\n0 0 0\n1 x 0\n0 1 0\n3 0 1 2\n'), 'off')).toThrow(
      /parseMesh: 'bytes' is not a valid OFF file: .*non-numeric/,
    );
    expect(() => parseMesh(text('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n'), 'off')).toThrow(
      /vertex index 7, outside \[0, 3\)/,
    );
    expect(() => parseMesh(text('OFF\n3 1 0\n0 0 0\n1e999 0 0\n0 1 0\n3 0 1 2\n'), 'off')).toThrow(
      /non-finite coordinate Infinity at vertex 1/,
    );
    expect(() => parseMesh(text('OFF\n3 1 0\n0 0 0\nnan 0 0\n0 1 0\n3 0 1 2\n'), 'off')).toThrow(
      FormatError,
    );
    expect(() => parseMesh(text('hello'), 'off')).toThrow(FormatError);
  });
});

function plyBinary(littleEndian: boolean): Uint8Array {
  // Vertices with an extra double property, an 'edge' element to skip, then faces as
  // `list ushort uint vertex_index` with one quad.
  const header = text(
    [
      'ply',
      `format binary_${littleEndian ? 'little' : 'big'}_endian 1.0`,
      'comment generated in a test',
      'element vertex 8',
      'property double x',
      'property float y',
      'property short z',
      'property double confidence',
      'element edge 2',
      'property int a',
      'property list uchar int b',
      'element face 6',
      'property list ushort uint vertex_index',
      'end_header\n',
    ].join('\n'),
  );
  const body = new DataView(new ArrayBuffer(8 * 22 + 2 * 4 + (1 + 4) + (1 + 8) + 6 * (2 + 16)));
  let o = 0;
  for (const [x, y, z] of CUBE_VERTICES as [number, number, number][]) {
    body.setFloat64(o, x, littleEndian);
    body.setFloat32(o + 8, y, littleEndian);
    body.setInt16(o + 12, z, littleEndian);
    body.setFloat64(o + 14, 0.5, littleEndian);
    o += 22;
  }
  for (const n of [1, 2]) {
    body.setInt32(o, 9, littleEndian);
    body.setUint8(o + 4, n);
    o += 5 + 4 * n;
  }
  for (const quad of CUBE_QUADS) {
    body.setUint16(o, 4, littleEndian);
    o += 2;
    for (const i of quad) {
      body.setUint32(o, i, littleEndian);
      o += 4;
    }
  }
  const out = new Uint8Array(header.length + o);
  out.set(header);
  out.set(new Uint8Array(body.buffer, 0, o), header.length);
  return out;
}

describe('PLY', () => {
  it('reads binary little- and big-endian with any property types and skipped elements', () => {
    for (const le of [true, false]) {
      const mesh = parseMesh(plyBinary(le), 'ply');
      expect(Array.from(mesh.positions)).toEqual(CUBE_VERTICES.flat());
      expect(mesh.faces.length).toBe(36);
      expect(meshVolume(mesh)).toBeCloseTo(1, 6);
    }
  });

  it('reads ASCII with extra vertex properties and polygon faces', () => {
    const ply = `ply\nformat ascii 1.0\nelement vertex 8\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nelement face 6\nproperty list uchar int vertex_indices\nend_header\n${CUBE_VERTICES.map((v) => `${v.join(' ')} 200`).join('\n')}\n${CUBE_QUADS.map((q) => `4 ${q.join(' ')}`).join('\n')}\n`;
    expect(meshVolume(parseMesh(text(ply), 'ply'))).toBeCloseTo(1, 6);
  });

  it('rejects truncated bodies, non-numeric values and a missing header end', () => {
    const binary = plyBinary(true);
    expect(() => parseMesh(binary.subarray(0, binary.length - 3), 'ply')).toThrow(/truncated/);
    const ascii =
      'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 abc 3\n';
    expect(() => parseMesh(text(ascii), 'ply')).toThrow(/non-numeric value "abc"/);
    expect(() => parseMesh(text('ply\nformat ascii 1.0\n'), 'ply')).toThrow(/end_header/);
    expect(() => parseMesh(text('ply\nformat weird 1.0\nend_header\n'), 'ply')).toThrow(
      /unknown format/,
    );
  });
});

describe('OBJ', () => {
  it('reads v/vt/vn corners, negative indices and ignores other records', () => {
    const obj = `# cube\nmtllib x.mtl\no cube\n${CUBE_VERTICES.map((v) => `v ${v.join(' ')}`).join('\n')}\nvt 0 0\nvn 0 0 1\ns off\n${CUBE_QUADS.slice(
      0,
      3,
    )
      .map((q) => `f ${q.map((i) => `${i + 1}/1/1`).join(' ')}`)
      .join('\n')}\n${CUBE_QUADS.slice(3)
      .map((q) => `f ${q.map((i) => `${i - 8}//1`).join(' ')}`)
      .join('\n')}\n`;
    expect(meshVolume(parseMesh(text(obj), 'obj'))).toBeCloseTo(1, 6);
  });

  it('rejects bad corners and out-of-range indices', () => {
    expect(() => parseMesh(text('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 x\n'), 'obj')).toThrow(
      /line 4 has the bad face corner "x"/,
    );
    expect(() => parseMesh(text('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n'), 'obj')).toThrow(
      /outside \[0, 3\)/,
    );
  });

  it('reads lone-CR line ends like LF ones (issue 17: they read as one vertex, no face)', () => {
    const lf = 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n';
    for (const eol of ['\r', '\r\n']) {
      const mesh = parseMesh(text(lf.replaceAll('\n', eol)), 'obj');
      expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0]);
      expect(Array.from(mesh.faces)).toEqual([0, 1, 2]);
    }
  });

  it('refuses hexadecimal, binary and octal numbers (issue 17 second review)', () => {
    // Number() read "0x10" as 16, "0b1" as 1: no other tool does.
    const cases: [MeshFormat, string][] = [
      ['off', 'OFF\n3 1 0\n0x10 0 0\n1 0 0\n0 1 0\n3 0 1 2\n'],
      ['off', 'OFF\n0x3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n'], // the counts (third review)
      ['obj', 'v 0b1 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n'],
      ['obj', 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 0x3\n'],
      ['ply', 'ply\nformat ascii 1.0\nelement vertex 0x3\nproperty float x\nend_header\n1\n2\n3\n'],
      ['ply', 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n0o7\n'],
      [
        'stl',
        'solid s\nfacet normal 0 0 1\nouter loop\nvertex 0x1 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid s\n',
      ],
    ];
    for (const [format, body] of cases)
      expect(() => parseMesh(text(body), format)).toThrow(/^parseMesh: .*(0x|0b|0o)/);
  });
});

describe('text past the longest string (issue 17, adversarial review)', () => {
  it('is an UnsupportedError, not an aborted process', () => {
    // Decoding more than 2^29 − 24 latin1 characters was a fatal V8 error (the process aborted),
    // utf-8 a plain Error. The bytes claim a length they do not have (the check comes first).
    const claiming = (s: string): Uint8Array => {
      const bytes = text(s.padEnd(100, ' '));
      Object.defineProperty(bytes, 'length', { value: 2 ** 29 + 1000 });
      return bytes;
    };
    const plyAscii = 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n';
    for (const [format, content] of [
      ['obj', 'v 0 0 0\n'],
      ['off', 'OFF\n0 0 0\n'],
      ['stl', 'solid x\nendsolid x\n'],
      ['ply', plyAscii],
    ] as const) {
      expect(() => parseMesh(claiming(content), format)).toThrow(UnsupportedError);
      expect(() => parseMesh(claiming(content), format)).toThrow(
        /^parseMesh: 'bytes' holds \d+ bytes of text, more than the 536870888 characters a string can hold/,
      );
    }
    expect(() => parsePointCloud(claiming('x,y,z\n1,2,3\n'), 'csv')).toThrow(
      /^parsePointCloud: 'bytes' holds 536871912 bytes of text/,
    );
  });
});

describe('STL', () => {
  it('welds binary STL corners into the indexed cube', () => {
    const stl = encodeMesh(cubeMesh(), 'stl');
    expect(stl.length).toBe(84 + 50 * 12);
    const mesh = parseMesh(stl, 'stl');
    expect(mesh.positions.length).toBe(24);
    expect(meshVolume(mesh)).toBeCloseTo(1, 6);
  });

  it('reads ASCII STL (with -0 welded to 0) and rejects truncated ones', () => {
    const facet = (a: string, b: string, c: string) =>
      `facet normal 0 0 1\nouter loop\nvertex ${a}\nvertex ${b}\nvertex ${c}\nendloop\nendfacet\n`;
    const ascii = `solid t\n${facet('0 0 0', '1 0 0', '0 1 0')}${facet('-0 0 0', '0 1 0', '0 0 1')}endsolid t\n`;
    const mesh = parseMesh(text(ascii), 'stl');
    expect(mesh.positions.length).toBe(12);
    expect(Array.from(mesh.faces)).toEqual([0, 1, 2, 0, 2, 3]);
    expect(() => parseMesh(text(ascii.slice(0, 80)), 'stl')).toThrow(FormatError);
  });
});

describe('encodeMesh / readMesh round trips', () => {
  const formats: [MeshFormat, boolean][] = [
    ['off', false],
    ['ply', false],
    ['ply', true],
    ['obj', false],
    ['stl', false],
  ];
  const mesh: Mesh = {
    positions: new Float32Array([0.1, -2.5, 3e-5, 1, 0.3333333, 0, 0, 1, 7, 1e6, 1, 1]),
    faces: new Uint32Array([0, 1, 2, 0, 2, 3, 1, 3, 2]),
  };
  for (const [format, ascii] of formats) {
    it(`round-trips ${format}${ascii ? ' (ASCII)' : ''} exactly and sniffs the format`, () => {
      const bytes = encodeMesh(mesh, format, { ascii });
      const back = readMesh(bytes);
      expect(Array.from(back.positions)).toEqual(Array.from(mesh.positions));
      expect(Array.from(back.faces)).toEqual(Array.from(mesh.faces));
    });
  }

  it('writes the PLY header the Python tools read', () => {
    const head = new TextDecoder().decode(encodeMesh(mesh, 'ply').subarray(0, 169));
    expect(head).toMatch(
      /^ply\nformat binary_little_endian 1\.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nelement face 3\nproperty list uchar int vertex_indices\nend_header\n/,
    );
  });

  const dir = mkdtempSync(join(tmpdir(), 'cellshape-mesh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically by extension and reads back', async () => {
    for (const ext of ['off', 'ply', 'obj', 'stl']) {
      const path = join(dir, 'nested', `cube.${ext}`);
      await writeMesh(path, cubeMesh());
      expect(meshVolume(readMesh(path))).toBeCloseTo(1, 6);
    }
    await writeMesh(join(dir, 'cube.mesh'), cubeMesh(), { format: 'obj' });
    expect(meshVolume(readMesh(join(dir, 'cube.mesh'), { format: 'obj' }))).toBeCloseTo(1, 6);
    expect(readdirSync(join(dir, 'nested')).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('rejects invalid arguments', async () => {
    expect(() => parseMesh(text('OFF'), 'xyz' as MeshFormat)).toThrow(InvalidArgumentError);
    expect(() => parseMesh('OFF' as unknown as Uint8Array, 'off')).toThrow(
      /parseMesh: 'bytes' must be a Uint8Array/,
    );
    expect(() => readMesh(join(dir, 'missing.ply'))).toThrow(FileSystemError);
    // A null options object was a TypeError (issue 17, adversarial review).
    expect(() => readMesh(text('OFF'), null as never)).toThrow(
      /^readMesh: 'options' must be an object, got null$/,
    );
    expect(() => readPointCloud(text('x,y,z'), null as never)).toThrow(InvalidArgumentError);
    expect(() => parsePointCloud(text('x,y,z'), 'csv', null as never)).toThrow(
      /^parsePointCloud: 'options' must be an object, got null$/,
    );
    // A FIFO blocked the read until a writer came (issue 17): refused like any unreadable path.
    const fifo = join(dir, 'pipe.ply');
    execFileSync('mkfifo', [fifo]);
    expect(() => readMesh(fifo)).toThrow(
      /^readMesh: cannot read ".*pipe.ply" \(not a regular file/,
    );
    expect(() => readPointCloud(fifo)).toThrow(
      /^readPointCloud: cannot read ".*pipe.ply" \(not a regular file/,
    );
    expect(() => readMesh(text('\x00\x01garbage'))).toThrow(
      /readMesh: cannot tell the mesh format/,
    );
    expect(() => readMesh(text('OFF\n1 0 0\n'), { format: 'ply' })).toThrow(
      /readMesh: 'source' is not a valid PLY file/,
    );
    const bad = { positions: new Float32Array(9), faces: new Uint32Array([0, 1, 5]) };
    expect(() => encodeMesh(bad, 'off')).toThrow(InvalidArgumentError);
    expect(() => encodeMesh(cubeMesh(), 'ply', { ascii: 1 as unknown as boolean })).toThrow(
      /encodeMesh: 'options.ascii' must be a boolean/,
    );
    await expect(writeMesh(join(dir, 'cube.xyz'), cubeMesh())).rejects.toThrow(
      /writeMesh: 'options.format' must be given/,
    );
  });
});

const MESHES = fileURLToPath(new URL('../../../../../shared/data/meshes', import.meta.url));
const HAVE_MESHES = existsSync(MESHES);
if (!HAVE_MESHES) console.warn(`SKIPPED: real-mesh tests need ${MESHES} (../shared/data)`);

describe.skipIf(!HAVE_MESHES)('real mesh files in ../shared/data/meshes', () => {
  it('reads the binary little-endian gastruloid (3324 v / 6643 f)', () => {
    const mesh = readMesh(join(MESHES, 'gastruloid.ply'));
    expect(mesh.positions.length / 3).toBe(3324);
    expect(mesh.faces.length / 3).toBe(6643);
  });

  it('reads the ASCII bunny with extra properties (8171 v / 16301 f)', () => {
    const mesh = readMesh(join(MESHES, 'stanford_bunny_8k.ply'));
    expect(mesh.positions.length / 3).toBe(8171);
    expect(mesh.faces.length / 3).toBe(16301);
    expect(mesh.positions.every(Number.isFinite)).toBe(true);
  });

  it('reads the OFF shapes, and a truncated copy fails naming the file', () => {
    for (const name of ['mushroom.off', 'socket.off']) {
      const mesh = readMesh(join(MESHES, name));
      const header = new TextDecoder().decode(readFileSync(join(MESHES, name)).subarray(0, 200));
      const counts = /^OFF\s+(?:#.*\s+)*(\d+)\s+(\d+)/m.exec(header.replace(/#.*/g, ''));
      expect(mesh.positions.length / 3).toBe(Number(counts?.[1]));
      expect(mesh.faces.length / 3).toBeGreaterThanOrEqual(Number(counts?.[2]));
      expect(mesh.faces.length).toBeGreaterThan(0);
    }
    const bytes = readFileSync(join(MESHES, 'socket.off'));
    expect(() => readMesh(bytes.subarray(0, bytes.length >> 1))).toThrow(/truncated/);
  });
});
