import { FormatError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { parsePointCloud } from '../points/point-cloud-io.js';
import { encodeMesh, parseMesh } from './mesh-io.js';
import { encodePly, parsePly } from './ply.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

// A one-triangle mesh, written by our own writer, then its header edited.
const TRIANGLE = {
  positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
  faces: new Uint32Array([0, 1, 2]),
};

/** Appends an element line (with no properties) just before `end_header`. */
function withEmptyElement(bytes: Uint8Array, line: string): Uint8Array {
  const s = decode(bytes);
  const at = s.indexOf('end_header');
  return Uint8Array.from(`${s.slice(0, at)}${line}\n${s.slice(at)}`, (c) => c.charCodeAt(0));
}

describe('parsePly on hostile element counts', () => {
  it('refuses an element with no properties and a huge count instead of looping (binary)', () => {
    const bytes = withEmptyElement(encodeMesh(TRIANGLE, 'ply'), 'element face2 4294967295');
    const started = Date.now();
    expect(() => parseMesh(bytes, 'ply')).toThrow(FormatError);
    expect(() => parseMesh(bytes, 'ply')).toThrow(
      /parseMesh: 'bytes' is not a valid PLY file: element 'face2' declares 4294967295 rows but no properties/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses an element with no properties and a huge count (ASCII)', () => {
    const bytes = withEmptyElement(
      encodeMesh(TRIANGLE, 'ply', { ascii: true }),
      'element junk 4294967295',
    );
    expect(() => parseMesh(bytes, 'ply')).toThrow(/element 'junk' declares 4294967295 rows/);
  });

  it('refuses the same in a point cloud', () => {
    const cloud = { data: new Float32Array([1, 2, 3]), shape: [1, 3] as [number, number] };
    const ply = encodePly(
      [
        {
          name: 'vertex',
          count: 1,
          columns: ['x', 'y', 'z'].map((name, k) => ({
            name,
            type: 'float' as const,
            values: [cloud.data[k] as number],
          })),
        },
      ],
      false,
    );
    const bytes = withEmptyElement(ply, 'element face 4294967295');
    expect(() => parsePointCloud(bytes, 'ply')).toThrow(FormatError);
    expect(() => parsePointCloud(bytes, 'ply')).toThrow(
      /parsePointCloud: 'bytes' is not a valid PLY file: element 'face' declares 4294967295 rows but no properties/,
    );
  });

  it('refuses counts that are not safe integers', () => {
    for (const count of ['9007199254740993', '1e300', '4.5', '-1']) {
      const ply = text(
        `ply\nformat ascii 1.0\nelement vertex ${count}\nproperty float x\nend_header\n1\n`,
      );
      expect(() => parsePly(ply, ['vertex'], 'parseMesh', 'f.ply')).toThrow(FormatError);
      expect(() => parsePly(ply, ['vertex'], 'parseMesh', 'f.ply')).toThrow(
        new RegExp(
          `parseMesh: f.ply is not a valid PLY file: bad element line "element vertex ${count.replace('.', '\\.')}"`,
        ),
      );
    }
  });

  it('bounds a list-only element by the bytes present', () => {
    const ply = text(
      'ply\nformat binary_little_endian 1.0\nelement vertex 0\nproperty float x\nelement face 4294967295\nproperty list uchar int vertex_indices\nend_header\n\x00',
    );
    expect(() => parsePly(ply, ['face'], 'parseMesh', 'f.ply')).toThrow(/truncated file/);
  });

  it('still reads empty elements with no properties and valid files identically', () => {
    for (const ascii of [false, true]) {
      const bytes = withEmptyElement(encodeMesh(TRIANGLE, 'ply', { ascii }), 'element extra 0');
      const mesh = parseMesh(bytes, 'ply');
      expect(Array.from(mesh.positions)).toEqual(Array.from(TRIANGLE.positions));
      expect(Array.from(mesh.faces)).toEqual([0, 1, 2]);
    }
  });
});

describe('parsePly on headers that only look like others (issue 17)', () => {
  /** `ply` with `line` inserted just before its `end_header` line. */
  function withHeaderLine(bytes: Uint8Array, line: string): Uint8Array {
    const s = decode(bytes);
    const at = s.indexOf('end_header');
    return Uint8Array.from(`${s.slice(0, at)}${line}\n${s.slice(at)}`, (c) => c.charCodeAt(0));
  }

  it('ends the header only at an end_header line of its own, not inside a comment', () => {
    // The body started right after `comment … end_header`: 11 bytes early, silently wrong points.
    for (const line of [
      'comment written before end_header',
      'obj_info end_header',
      '  comment end_header',
    ]) {
      const mesh = parseMesh(withHeaderLine(encodeMesh(TRIANGLE, 'ply'), line), 'ply');
      expect(Array.from(mesh.positions)).toEqual(Array.from(TRIANGLE.positions));
      expect(Array.from(mesh.faces)).toEqual([0, 1, 2]);
    }
    const indented = decode(encodeMesh(TRIANGLE, 'ply')).replace('end_header', ' \tend_header');
    const mesh = parseMesh(
      Uint8Array.from(indented, (c) => c.charCodeAt(0)),
      'ply',
    );
    expect(Array.from(mesh.positions)).toEqual(Array.from(TRIANGLE.positions));
  });

  it('refuses a property or an element declared twice (independent campaign)', () => {
    // The last `x` replaced the first (positions read from the fourth column), and a second
    // `vertex` element the first; plyfile refuses a repeated property.
    const ascii = encodeMesh(TRIANGLE, 'ply', { ascii: true });
    const twiceX = decode(ascii).replace(
      'property float z\n',
      'property float z\nproperty float x\n',
    );
    const rows = twiceX.replace(/^(0 0 0|1 0 0|0 1 0)$/gm, '$1 5');
    expect(() => parseMesh(text(rows), 'ply')).toThrow(
      /^parseMesh: 'bytes' is not a valid PLY file: element 'vertex' declares property 'x' twice$/,
    );
    expect(() => parsePointCloud(text(rows), 'ply')).toThrow(/declares property 'x' twice/);
    const twiceVertex = withHeaderLine(ascii, 'element vertex 0');
    expect(() => parseMesh(twiceVertex, 'ply')).toThrow(
      /^parseMesh: 'bytes' is not a valid PLY file: element 'vertex' is declared twice$/,
    );
    // The same property name in two elements is fine.
    const mesh = parseMesh(withHeaderLine(ascii, 'element extra 0\nproperty float x'), 'ply');
    expect(Array.from(mesh.positions)).toEqual(Array.from(TRIANGLE.positions));
  });

  it('refuses property types named like members of Object.prototype', () => {
    // `TYPE_SIZES[type]` found inherited functions: `hasOwnProperty` read as a type silently
    // garbled every later value.
    for (const type of ['hasOwnProperty', 'valueOf', 'toString', 'constructor', '__proto__']) {
      const ply = decode(encodeMesh(TRIANGLE, 'ply')).replace(
        'property float x',
        `property ${type} x`,
      );
      const bytes = Uint8Array.from(ply, (c) => c.charCodeAt(0));
      expect(() => parseMesh(bytes, 'ply')).toThrow(FormatError);
      expect(() => parseMesh(bytes, 'ply')).toThrow(
        `parseMesh: 'bytes' is not a valid PLY file: bad property line "property ${type} x"`,
      );
      const list = decode(encodeMesh(TRIANGLE, 'ply')).replace(
        'list uchar int',
        `list ${type} int`,
      );
      expect(() =>
        parseMesh(
          Uint8Array.from(list, (c) => c.charCodeAt(0)),
          'ply',
        ),
      ).toThrow(/bad property line "property list/);
    }
  });
});

describe('ASCII PLY rows, one per line (issue 17 second review)', () => {
  const head =
    'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\n';
  const text = (s: string) => new TextEncoder().encode(s);

  it('refuses a line of more or fewer values than its row takes', () => {
    // Read as one stream of numbers, an undeclared 4th value shifted the rows after it:
    // "1 2 3 9 / 4 5 6 9" gave the vertices (1, 2, 3) and (9, 4, 5).
    expect(() => parsePointCloud(text(`${head}end_header\n1 2 3 9\n4 5 6 9\n`), 'ply')).toThrow(
      /body line 1 has 4 values, more than its row takes \(3\)/,
    );
    expect(() => parseMesh(text(`${head}end_header\n1 2\n3 4 5 6\n`), 'ply')).toThrow(
      /body line 1 has 2 values, fewer than its row takes/,
    );
  });

  it('reads rows with lists, blank lines and CR line ends as before', () => {
    const faces = `${head}element face 1\nproperty list uchar int vertex_indices\nend_header\n`;
    const mesh = parseMesh(text(`${faces}0 0 0\r\n\n1 0 0\r3 0 1 1\n`), 'ply');
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(Array.from(mesh.faces)).toEqual([0, 1, 1]);
  });
});

describe('mesh text writers keep the sign of -0', () => {
  it('writes -0 as -0 in ASCII PLY, OFF and OBJ (it was written 0)', () => {
    const mesh = {
      positions: new Float32Array([-0, 0, 0, 1, -0, 0, 0, 1, 0]),
      faces: new Uint32Array([0, 1, 2]),
    };
    expect(
      decode(
        encodePly(
          [{ name: 'v', count: 1, columns: [{ name: 'x', type: 'float', values: [-0] }] }],
          true,
        ),
      ),
    ).toMatch(/end_header\n-0\n$/);
    for (const format of ['off', 'obj'] as const) {
      const back = parseMesh(encodeMesh(mesh, format), format);
      expect(Object.is(back.positions[0], -0) && Object.is(back.positions[4], -0)).toBe(true);
    }
    const ply = parseMesh(encodeMesh(mesh, 'ply', { ascii: true }), 'ply');
    expect(Object.is(ply.positions[0], -0)).toBe(true);
  });
});
