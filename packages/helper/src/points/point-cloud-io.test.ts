import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, FileSystemError, FormatError, InvalidArgumentError } from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointCloud } from '../types.js';
import {
  encodePointCloud,
  type PointCloudFormat,
  parsePointCloud,
  readPointCloud,
  writePointCloud,
} from './point-cloud-io.js';

const text = (s: string) => new TextEncoder().encode(s);

const CLOUD: PointCloud = {
  data: new Float32Array([0.1, 2, -3.5, 4e-3, 5, 6, 7, 8.25, 9]),
  shape: [3, 3],
};
const WITH_NORMALS: PointCloud = {
  ...CLOUD,
  normals: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0.6, 0.8]),
};

/** The bytes pyntcloud's `PyntCloud(df).to_file('x.ply')` writes for float32 x, y, z. */
function pyntcloudPly(points: number[][]): Uint8Array {
  const header = text(
    `ply\nformat binary_little_endian 1.0\nelement vertex ${points.length}\nproperty float x\nproperty float y\nproperty float z\nend_header\n`,
  );
  const out = new Uint8Array(header.length + points.length * 12);
  out.set(header);
  out.set(new Uint8Array(new Float32Array(points.flat()).buffer), header.length);
  return out;
}

describe('PLY point clouds', () => {
  it('reads the pyntcloud layout and writes it byte for byte', () => {
    const points = [
      [0.1, 2, -3.5],
      [4e-3, 5, 6],
      [7, 8.25, 9],
    ];
    const bytes = pyntcloudPly(points);
    const cloud = parsePointCloud(bytes, 'ply');
    expect(cloud.shape).toEqual([3, 3]);
    expect(Array.from(cloud.data)).toEqual(Array.from(new Float32Array(points.flat())));
    expect(encodePointCloud(cloud, { format: 'ply' })).toEqual(bytes);
  });

  it('reads double properties, extra properties, faces and big-endian bodies', () => {
    const header = text(
      'ply\nformat binary_big_endian 1.0\nelement vertex 2\nproperty double x\nproperty uchar red\nproperty double y\nproperty double z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n',
    );
    const body = new DataView(new ArrayBuffer(2 * 25 + 13));
    [
      [1.5, 2, 3],
      [-4, 5, 6.25],
    ].forEach(([x, y, z], i) => {
      body.setFloat64(25 * i, x as number);
      body.setUint8(25 * i + 8, 200);
      body.setFloat64(25 * i + 9, y as number);
      body.setFloat64(25 * i + 17, z as number);
    });
    body.setUint8(50, 3);
    const bytes = new Uint8Array(header.length + body.byteLength);
    bytes.set(header);
    bytes.set(new Uint8Array(body.buffer), header.length);
    expect(Array.from(parsePointCloud(bytes, 'ply').data)).toEqual([1.5, 2, 3, -4, 5, 6.25]);
  });

  it('round-trips normals in binary and ASCII PLY', () => {
    for (const ascii of [false, true]) {
      const back = readPointCloud(encodePointCloud(WITH_NORMALS, { format: 'ply', ascii }));
      expect(Array.from(back.data)).toEqual(Array.from(WITH_NORMALS.data));
      expect(Array.from(back.normals ?? [])).toEqual(Array.from(WITH_NORMALS.normals ?? []));
    }
  });

  it('rejects truncated and non-numeric files', () => {
    const bytes = pyntcloudPly([[1, 2, 3]]);
    expect(() => parsePointCloud(bytes.subarray(0, bytes.length - 1), 'ply')).toThrow(/truncated/);
    const ascii = text(
      'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 zz\n',
    );
    expect(() => parsePointCloud(ascii, 'ply')).toThrow(FormatError);
    const noY = text('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n');
    expect(() => parsePointCloud(noY, 'ply')).toThrow(/lack 'x', 'y' or 'z'/);
  });
});

describe('CSV and .npy point clouds', () => {
  it('reads headers in x,y,z and z,y,x order, and no header', () => {
    const xyz = parsePointCloud(text('x,y,z\n1,2,3\n4,5,6\n'), 'csv');
    const zyx = parsePointCloud(text('z,y,x\n3,2,1\n6,5,4\n'), 'csv');
    const bare = parsePointCloud(text('1 2 3\n4 5 6\n'), 'csv');
    const bareZyx = parsePointCloud(text('3,2,1\n6,5,4\n'), 'csv', { axisOrder: 'zyx' });
    for (const cloud of [xyz, zyx, bare, bareZyx])
      expect(Array.from(cloud.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads normals and extra columns from a CSV header', () => {
    const cloud = parsePointCloud(text('id,x,y,z,nx,ny,nz\n7,1,2,3,0,0,1\n'), 'csv');
    expect(Array.from(cloud.data)).toEqual([1, 2, 3]);
    expect(Array.from(cloud.normals ?? [])).toEqual([0, 0, 1]);
  });

  it('reads float64 and float32 .npy and rejects other shapes', () => {
    const f64 = encodeNpy({ data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] });
    expect(Array.from(parsePointCloud(f64, 'npy').data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(parsePointCloud(f64, 'npy', { axisOrder: 'zyx' }).data)).toEqual([
      3, 2, 1, 6, 5, 4,
    ]);
    const flat = encodeNpy({ data: new Float32Array(6), shape: [6] });
    expect(() => parsePointCloud(flat, 'npy')).toThrow(
      /n × 3 .npy point cloud: its shape is \[6\]/,
    );
    const nan = encodeNpy({ data: new Float32Array([1, Number.NaN, 3]), shape: [1, 3] });
    expect(() => parsePointCloud(nan, 'npy')).toThrow(/non-finite value NaN at point 0/);
  });

  it('rejects bad CSV rows', () => {
    expect(() => parsePointCloud(text('x,y,z\n1,2\n'), 'csv')).toThrow(/row 1 has 2 columns/);
    expect(() => parsePointCloud(text('x,y,z\n1,2,abc\n'), 'csv')).toThrow(FormatError);
    expect(() => parsePointCloud(text('a,b,c\n1,2,3\n'), 'csv')).toThrow(/does not name columns/);
  });

  it('splits lines with other white space in one pass, as before (issue 17, adversarial review)', () => {
    // `\s*[,;\t ]\s*` backtracked over a run of \r (now a line break) or of other white space
    // such as \v from every position: 40 KB took 2 s.
    const runs = `x,y,z\n1${'\v'.repeat(100_000)}2,3,4\n`;
    expect(() => parsePointCloud(text(runs), 'csv')).toThrow(
      /row 1 has the value "1\\u000b\\u000b.*\(not a finite float32 number\)/,
    );
    // Separators with white space around them (non-breaking spaces and form feeds too), empty
    // fields between two commas.
    const odd = 'x ,\fy\u00a0;\u00a0z\n1 ,\f2\u00a0;\u00a03\n4 ;\v5,6\n';
    expect(Array.from(parsePointCloud(text(odd), 'csv').data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => parsePointCloud(text('x,y,z\n1,,2\f\n'), 'csv')).toThrow(/row 1 has the value ""/);
  });

  it('ends lines at a lone CR, as pandas does (independent campaign)', () => {
    // Read as one header line, a CR-only file with normals gave a cloud of zero points.
    const cr = parsePointCloud(text('x,y,z,nx,ny,nz\r1,2,3,0,0,1\r4,5,6,0,1,0\r'), 'csv');
    expect(Array.from(cr.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(cr.normals!)).toEqual([0, 0, 1, 0, 1, 0]);
    expect(Array.from(parsePointCloud(text('x,y,z\r1,2,3\r\n4,5,6'), 'csv').data)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
  });

  it('refuses an empty CSV, reads a header without rows (issue 17, adversarial review)', () => {
    // A 0-byte file (a failed write) came back as a cloud of zero points.
    for (const empty of ['', '\n\n', ' \r\n'])
      expect(() => parsePointCloud(text(empty), 'csv')).toThrow(
        /^parsePointCloud: 'bytes' is not a CSV point cloud: it is empty$/,
      );
    expect(parsePointCloud(text('x,y,z\n'), 'csv').shape).toEqual([0, 3]);
  });

  it('reads quoted fields whole, refuses rows of more fields than the header (issue 17 second review)', () => {
    // A quoted comma shifted the columns after it: x read q's 9 silently.
    expect(Array.from(parsePointCloud(text('name,q,x,y,z\n"a,b",9,1,2,3\n'), 'csv').data)).toEqual([
      1, 2, 3,
    ]);
    // pandas' QUOTE_NONNUMERIC quotes formatted numbers; "" is a quote inside.
    expect(
      Array.from(
        parsePointCloud(text('"x","y","z","n"\n"1.5","2",3,"say ""hi"", x"\n'), 'csv').data,
      ),
    ).toEqual([1.5, 2, 3]);
    // Decimal commas under a header of semicolons read as [1, 5, 2].
    expect(() => parsePointCloud(text('x;y;z\n1,5;2,5;3,5\n'), 'csv')).toThrow(
      /row 1 has 6 fields, the header has 3/,
    );
  });

  it('refuses hexadecimal, binary and octal coordinates (issue 17 second review)', () => {
    // Number() read "0x10" as 16; NumPy and pandas refuse it.
    expect(() => parsePointCloud(text('x,y,z\n1,0x10,3\n'), 'csv')).toThrow(
      /row 1 has the value "0x10"/,
    );
    expect(() => parsePointCloud(text('x y z\n1 2 0b1\n'), 'csv')).toThrow(/"0b1"/);
  });

  it('refuses decimal commas without a header and pandas default column names (issue 17 text review)', () => {
    // Without a header (or under a wider one) every comma split a number: [1, 5, 2].
    for (const rows of ['1,5;2,5;3,5\n', '1,5\t2,5\t3,5\n', '1,5 2,5 3,5\n', 'x;y;z;id\n1,5;2;3\n'])
      expect(() => parsePointCloud(text(rows), 'csv')).toThrow(
        /row 1 has a comma between digits beside other separators/,
      );
    // Commas with spaces after them, and quoted text holding a semicolon, are no decimal commas.
    expect(Array.from(parsePointCloud(text('1, 2, 3, 4\n'), 'csv').data)).toEqual([1, 2, 3]);
    expect(Array.from(parsePointCloud(text('x,y,z,n\n1,2,3,"a;b"\n'), 'csv').data)).toEqual([
      1, 2, 3,
    ]);
    // `pd.DataFrame(points).to_csv(path, index=False)` names the columns 0, 1, 2: read as a
    // point, the header added (0, 1, 2) to the cloud.
    expect(() => parsePointCloud(text('0,1,2\n1.5,2.5,3.5\n'), 'csv')).toThrow(
      /its first line "0,1,2" may be pandas' default column names or a point/,
    );
    expect(Array.from(parsePointCloud(text('0,1,3\n'), 'csv').data)).toEqual([0, 1, 3]);
    // An empty field between two spaces (pandas' sep=' ') would shift the columns after it.
    expect(() => parsePointCloud(text('id note x y z q\n7  1 2 3 9\n'), 'csv')).toThrow(
      /row 1 has 5 fields, the header has 6 \(an empty field between two spaces\?\)/,
    );
    // Columns aligned with runs of spaces are read as before.
    expect(Array.from(parsePointCloud(text('x    y    z\n1.5  2    3\n'), 'csv').data)).toEqual([
      1.5, 2, 3,
    ]);
    // pandas' tab-separated file with its index (`df.to_csv(path, sep='\t')`) starts the header
    // with a tab: trimmed, the names moved one column left (x read the index, y read x, …).
    const indexed = '\tz\ty\tx\tcell type\n0\t1.5\t2.5\t3.5\ta\n1\t4\t5\t6\tT cell\n';
    expect(Array.from(parsePointCloud(text(indexed), 'csv').data)).toEqual([
      3.5, 2.5, 1.5, 6, 5, 4,
    ]);
    expect(Array.from(parsePointCloud(text('\tx\ty\tz\n0\t1\t2\t3\n'), 'csv').data)).toEqual([
      1, 2, 3,
    ]);
    // In a comma-separated file a leading tab is white space, as before.
    expect(Array.from(parsePointCloud(text('x,y,z\n\t1,2,3\n'), 'csv').data)).toEqual([1, 2, 3]);
    // Blank lines before the header are skipped (pandas); the header was refused as a row.
    expect(Array.from(parsePointCloud(text('\n \r\nz,y,x\n1,2,3\n'), 'csv').data)).toEqual([
      3, 2, 1,
    ]);
  });

  it('splits at the separator of the first line, as pandas is told (independent probe, session 10)', () => {
    // One splitter for commas, tabs and spaces read `0.48,0.299    0218` (a comma lost) as three
    // values, 218 among them; and cut an unquoted name or value holding a space in two.
    expect(() => parsePointCloud(text('x,y,z\n0.48,0.299    0218\n'), 'csv')).toThrow(
      /row 1 has 2 columns, expected at least 3$/,
    );
    expect(() => parsePointCloud(text('x,y,z\n0.48,0.299    0218,1\n'), 'csv')).toThrow(
      /row 1 has the value "0\.299 {4}0218" \(not a finite float32 number\)$/,
    );
    expect(() => parsePointCloud(text('x,y,z\n1,2,3\n4 5 6\n'), 'csv')).toThrow(
      /row 2 has 1 columns, expected at least 3$/,
    );
    for (const csv of [
      'Point ID,x,y,z,area\n7,1,2,3,9\n', // sep=','
      'x,y,z,label\n1,2,3,wild type\n',
      'cell type,x,y,z\nT cell,1,2,3\n',
      'cell type\tx\ty\tz\tq\nB\t1\t2\t3\t4\n', // sep='\t'
      'id\tnote\tx\ty\tz\tq\n7\t\t1\t2\t3\t9\n', // two tabs hold an empty field
      'x\t\ty\t\tz\n1\t\t2\t\t3\n', // …under a header of unnamed columns
      'x\ty\tz\n 1 \t 2\t3 \n', // spaces around values are not values
      'x y z\n\t1 2\t 3\n', // delim_whitespace
    ])
      expect(Array.from(parsePointCloud(text(csv), 'csv').data), csv).toEqual([1, 2, 3]);
    // Without a header, the first line sets the width (pandas: "Expected 3 fields in line 2").
    expect(() => parsePointCloud(text('1,2,3\n4,5,6,7\n'), 'csv')).toThrow(
      /row 2 has 4 fields, the first line has 3 \(a decimal comma, or a separator inside an unquoted field\?\)$/,
    );
    // The same with quotes (the one-pass splitter): a quoted separator stays in its field.
    expect(
      Array.from(parsePointCloud(text('"a\tb"\tx\ty\tz\n"1\t2"\t1\t2\t3\n'), 'csv').data),
    ).toEqual([1, 2, 3]);
    expect(
      Array.from(parsePointCloud(text('"n",x,y,z\n"wild, type",1,2,3\n'), 'csv').data),
    ).toEqual([1, 2, 3]);
  });
});

describe('encode / write / read round trips', () => {
  const cases: [PointCloudFormat, 'xyz' | 'zyx'][] = [
    ['ply', 'xyz'],
    ['ply', 'zyx'],
    ['csv', 'xyz'],
    ['csv', 'zyx'],
    ['npy', 'xyz'],
    ['npy', 'zyx'],
  ];
  for (const [format, axisOrder] of cases)
    it(`round-trips ${format} with axisOrder ${axisOrder}`, () => {
      const bytes = encodePointCloud(CLOUD, { format, axisOrder });
      expect(Array.from(readPointCloud(bytes, { format, axisOrder }).data)).toEqual(
        Array.from(CLOUD.data),
      );
    });

  it("writes 'zyx' files with z in the first column", () => {
    const csv = new TextDecoder().decode(
      encodePointCloud(CLOUD, { format: 'csv', axisOrder: 'zyx' }),
    );
    expect(csv.split('\n').slice(0, 2)).toEqual(['z,y,x', '-3.5,2,0.1']);
    const swapped = parsePointCloud(
      encodePointCloud(CLOUD, { format: 'npy', axisOrder: 'zyx' }),
      'npy',
    );
    expect(Array.from(swapped.data.subarray(0, 3))).toEqual([-3.5, 2, Math.fround(0.1)]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'cellshape-points-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically by extension', async () => {
    for (const ext of ['ply', 'csv', 'npy']) {
      const path = join(dir, 'sub', `cloud.${ext}`);
      await writePointCloud(path, CLOUD);
      expect(Array.from(readPointCloud(path).data)).toEqual(Array.from(CLOUD.data));
    }
    expect(readdirSync(join(dir, 'sub')).sort()).toEqual(['cloud.csv', 'cloud.npy', 'cloud.ply']);
  });

  it('rejects invalid arguments', async () => {
    expect(() => parsePointCloud(text('1,2,3'), 'xyz' as PointCloudFormat)).toThrow(
      /parsePointCloud: 'format' must be one of ply, csv, npy/,
    );
    expect(() => parsePointCloud([1] as unknown as Uint8Array, 'csv')).toThrow(
      InvalidArgumentError,
    );
    expect(() => readPointCloud(text('1,2,3'), { axisOrder: 'yxz' as 'xyz' })).toThrow(
      /readPointCloud: 'options.axisOrder' must be 'xyz' or 'zyx'/,
    );
    expect(() => readPointCloud(join(dir, 'missing.ply'))).toThrow(FileSystemError);
    const bad = { data: new Float32Array([1, 2]), shape: [1, 3] } as PointCloud;
    expect(() => encodePointCloud(bad, { format: 'ply' })).toThrow(
      /encodePointCloud: 'cloud.data' must be of length n × 3 = 3, got 2/,
    );
    const nan = { data: new Float32Array([1, Number.NaN, 3]), shape: [1, 3] } as PointCloud;
    expect(() => encodePointCloud(nan, { format: 'csv' })).toThrow(/must be finite/);
    expect(() =>
      encodePointCloud(CLOUD, { format: 'ply', ascii: 'yes' as unknown as boolean }),
    ).toThrow(/'options.ascii' must be a boolean/);
    await expect(writePointCloud(join(dir, 'cloud.txt'), CLOUD)).rejects.toThrow(
      /writePointCloud: 'options.format' must be given/,
    );
  });
});
