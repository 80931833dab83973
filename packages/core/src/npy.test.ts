import { zipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FormatError, UnsupportedError } from './errors.js';
import { encodeNpy, encodeNpz, parseNpy, parseNpz, readNpzComment } from './npy.js';

/** Builds a `.npy` file by hand, as NumPy would write it. */
function npyBytes(descr: string, shape: string, payload: Uint8Array, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(payload, 10 + header.length);
  return out;
}

describe('npy', () => {
  it('round-trips every numeric typed array', () => {
    const arrays = [
      new Float32Array([1.5, -2, 3e-8]),
      new Float64Array([Math.PI, -1e300, 0]),
      new Int8Array([-128, 0, 127]),
      new Uint8Array([0, 1, 255]),
      new Int16Array([-32768, 1, 32767]),
      new Uint16Array([0, 65535, 7]),
      new Int32Array([-(2 ** 31), 5, 2 ** 31 - 1]),
      new Uint32Array([0, 2 ** 32 - 1, 9]),
      new BigInt64Array([-(2n ** 63n), 0n, 2n ** 63n - 1n]),
    ];
    for (const data of arrays) {
      const back = parseNpy(encodeNpy({ data, shape: [3] }));
      expect(back.shape).toEqual([3]);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(
        Array.from(data as ArrayLike<number>),
      );
    }
  });

  it('keeps a 64-byte aligned header and scalar shapes', () => {
    const bytes = encodeNpy({ data: new Float32Array([7]), shape: [] });
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(parseNpy(bytes)).toEqual({ data: new Float32Array([7]), shape: [] });
  });

  it('reads big-endian, float16, bool and Fortran-ordered files', () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.25, false);
    new DataView(be.buffer).setFloat32(4, -3, false);
    expect(Array.from(parseNpy(npyBytes('>f4', '(2,)', be)).data as Float32Array)).toEqual([
      1.25, -3,
    ]);

    const half = new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c]); // 1, -2, +inf
    expect(Array.from(parseNpy(npyBytes('<f2', '(3,)', half)).data as Float32Array)).toEqual([
      1,
      -2,
      Number.POSITIVE_INFINITY,
    ]);

    expect(
      Array.from(parseNpy(npyBytes('|b1', '(3,)', new Uint8Array([0, 1, 2]))).data as Uint8Array),
    ).toEqual([0, 1, 1]);

    // 2x3 matrix [[0,1,2],[3,4,5]] stored column-major.
    const fortran = new Uint8Array(new Int32Array([0, 3, 1, 4, 2, 5]).buffer);
    const c = parseNpy(npyBytes('<i4', '(2, 3)', fortran, true));
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects corrupt input with a FormatError naming the function', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3]))).toThrow(FormatError);
    expect(() => parseNpy(new Uint8Array([1, 2, 3]))).toThrow(/parseNpy/);
    const truncated = encodeNpy({ data: new Float64Array(100), shape: [10, 10] }).subarray(0, 200);
    expect(() => parseNpy(truncated)).toThrow(/truncated/);
    expect(() => parseNpy(npyBytes('<c8', '(1,)', new Uint8Array(8)))).toThrow(/not supported/);
  });

  it('round-trips .npz archives, compressed or not', () => {
    const arrays = {
      a: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] },
      'grad.encoder.bn1.weight': { data: new Int32Array([5]), shape: [1] },
    };
    for (const compress of [false, true]) {
      const back = parseNpz(encodeNpz(arrays, { compress }));
      expect(Object.keys(back).sort()).toEqual(['a', 'grad.encoder.bn1.weight']);
      expect(back.a).toEqual(arrays.a);
    }
    expect(() => parseNpz(new Uint8Array([1, 2, 3, 4]))).toThrow(FormatError);
  });

  it('refuses keys NumPy reads as one array, and shapes NumPy refuses', () => {
    // numpy 1.24.2 np.load of {x, 'x.npy'} gave npz['x.npy'] the array x ([1.] for both keys).
    const one = { data: new Float32Array([1]), shape: [1] };
    const two = { data: new Float32Array([2]), shape: [1] };
    for (const arrays of [
      { x: one, 'x.npy': two },
      { 'x.npy': two, x: one },
    ])
      expect(() => encodeNpz(arrays)).toThrow(
        /encodeNpz: 'arrays' must be keys that NumPy tells apart/,
      );
    expect(Object.keys(parseNpz(encodeNpz({ 'x.npy': two, y: one })))).toEqual(['x.npy', 'y']);
    expect(() => encodeNpz(null as never)).toThrow(/encodeNpz: 'arrays' must be an object/);
    // numpy 1.24.2 np.load: "can only specify one unknown dimension" and "shape is not valid: (2.5, 2)".
    expect(() => encodeNpy({ data: new Float32Array(6), shape: [-2, -3] })).toThrow(
      /encodeNpy: 'array.shape' must be an array of non-negative integers/,
    );
    expect(() => encodeNpy({ data: new Float32Array(5), shape: [2.5, 2] })).toThrow(
      /encodeNpy: 'array.shape' must be an array of non-negative integers/,
    );
    expect(parseNpy(encodeNpy({ data: new Float32Array(0), shape: [0, 3] })).shape).toEqual([0, 3]);
    // A view of no NumPy type was written as '<u8' (a DataView, or a Float16Array on Node ≥ 24).
    expect(() =>
      encodeNpy({ data: new DataView(new ArrayBuffer(8)) as never, shape: [1] }),
    ).toThrow(/encodeNpy: 'array.data' must be a typed array of a type NumPy reads/);
    const u64 = parseNpy(encodeNpy({ data: BigUint64Array.of(2n ** 64n - 1n), shape: [1] }));
    expect(u64.data).toEqual(BigUint64Array.of(2n ** 64n - 1n));
  });

  it('carries an archive comment that the arrays do not see', () => {
    const arrays = { a: { data: new Float64Array([1.5, -2]), shape: [2] } };
    const comment = '{"cellshape_config":{"k":20,"name":"µ-scale"}}';
    for (const compress of [false, true]) {
      const bytes = encodeNpz(arrays, { compress, comment });
      expect(readNpzComment(bytes)).toBe(comment);
      expect(parseNpz(bytes)).toEqual(parseNpz(encodeNpz(arrays, { compress })));
    }
    expect(readNpzComment(encodeNpz(arrays))).toBe('');
    expect(() => encodeNpz(arrays, { comment: 'x'.repeat(65_536) })).toThrow(
      /encodeNpz: an archive comment holds at most 65,535 bytes/,
    );
  });

  it('writes the same bytes for the same arrays whatever the clock (a fixed entry time)', () => {
    const arrays = { a: { data: new Float32Array([1, 2]), shape: [2] } };
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const before = encodeNpz(arrays, { compress: true });
    vi.setSystemTime(new Date('2031-07-15T17:33:21Z'));
    expect(encodeNpz(arrays, { compress: true })).toEqual(before);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses entries x and x.npy, which NumPy reads as another array (independent campaign)', () => {
    // np.load gives npz['a.npy'] from the entry "a.npy" (the array "a" here); we gave the entry
    // "a.npy.npy". np.savez writes such a pair for the keys "a" and "a.npy" (encodeNpz refuses).
    const bytes = zipSync({
      'a.npy': encodeNpy({ data: Float32Array.from([1]), shape: [1] }),
      'a.npy.npy': encodeNpy({ data: Float32Array.from([2]), shape: [1] }),
    });
    expect(() => parseNpz(bytes)).toThrow(FormatError);
    expect(() => parseNpz(bytes)).toThrow(
      'parseNpz: entries "a.npy" and "a.npy.npy" both name the array "a.npy" (NumPy reads "a.npy")',
    );
  });

  it('refuses an archive comment that runs past the end', () => {
    const bytes = encodeNpz({ a: { data: new Int8Array([1]), shape: [1] } }, { comment: 'abc' });
    const cut = bytes.subarray(0, bytes.length - 1); // the record still claims 3 bytes
    expect(() => readNpzComment(cut)).toThrow(/readNpzComment: .*3-byte archive comment runs past/);
    expect(() => readNpzComment(new Uint8Array(10))).toThrow(FormatError);
  });
});

describe('parseNpy on hostile headers (found by the fuzz suite)', () => {
  const valid = encodeNpy({ data: new Float32Array([1, 2]), shape: [2] });

  it('refuses a version-2 or -3 file too short for its 4-byte header length', () => {
    for (const major of [2, 3]) {
      const bytes = valid.slice(0, 11);
      bytes[6] = major;
      expect(() => parseNpy(bytes)).toThrow(
        /^parseNpy: the \.npy file is truncated inside its header$/,
      );
    }
  });

  it('refuses unknown format versions', () => {
    for (const major of [0, 4, 255]) {
      const bytes = valid.slice();
      bytes[6] = major;
      expect(() => parseNpy(bytes)).toThrow(
        new RegExp(`^parseNpy: \\.npy format version ${major}\\.0 is not 1\\.0, 2\\.0 or 3\\.0$`),
      );
    }
  });

  it('refuses sizes that are not safe integers, even in an empty array', () => {
    for (const size of ['1e+23', '9007199254740992']) {
      const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (0, ${size}), }`;
      const text = `${header}${' '.repeat(64 - ((10 + header.length + 1) % 64))}\n`;
      const bytes = new Uint8Array(10 + text.length);
      bytes.set(valid.subarray(0, 8));
      new DataView(bytes.buffer).setUint16(8, text.length, true);
      bytes.set(new TextEncoder().encode(text), 10);
      expect(() => parseNpy(bytes)).toThrow(/^parseNpy: the \.npy header is malformed/);
    }
  });
});

describe('parseNpy reads headers as NumPy does (issue 17, adversarial review)', () => {
  /** A version-1 `.npy` with `header` (a dict literal) and `payload`. */
  function withHeader(header: string, payload: Uint8Array): Uint8Array {
    const text = `${header}${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
    const bytes = new Uint8Array(10 + text.length + payload.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, text.length, true);
    bytes.set(new TextEncoder().encode(text), 10);
    bytes.set(payload, 10 + text.length);
    return bytes;
  }
  const payload = new Uint8Array(Float32Array.of(1.5, 2.5).buffer);

  it('takes the last of a repeated key, as ast.literal_eval does', () => {
    // np.load reads (2,) [1.5, 2.5]; the first key gave [1] [1.5] (expected from NumPy 1.24).
    const twice = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (2,)}";
    const array = parseNpy(withHeader(twice, payload));
    expect(array.shape).toEqual([2]);
    expect(Array.from(array.data as Float32Array)).toEqual([1.5, 2.5]);
    const descr = "{'descr': '<u1', 'fortran_order': False, 'shape': (2,), 'descr': '<f4'}";
    expect(parseNpy(withHeader(descr, payload)).data).toBeInstanceOf(Float32Array);
  });

  it('refuses what NumPy cannot parse (independent probe, session 10)', () => {
    // Expected from NumPy 1.24's np.load of the same bytes: each is a ValueError there. The keys
    // were picked out of the text: `(5, 0.0)` read as an empty array, a NUL went unnoticed.
    const bad = {
      'a float in the shape': "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1.0), }",
      'an integer for a shape': "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }",
      'a NUL in the padding': "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\0",
      'another key': "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
      'a missing key': "{'descr': '<f4', 'shape': (2,)}",
      'a damaged key': "{'descr': '<f4', 'fortraf4', 'fortran_order': False, 'shape': (2,)}",
      'text after the dict': "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x",
      'an integer for a bool': "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
      'a leading zero': "{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}",
      'a hole in the tuple': "{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}",
      'a negative size': "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
    };
    for (const [what, header] of Object.entries(bad)) {
      expect(() => parseNpy(withHeader(header, payload)), what).toThrow(FormatError);
      expect(() => parseNpy(withHeader(header, payload)), what).toThrow(
        /^parseNpy: the \.npy header is malformed \(/,
      );
    }
  });

  it('reads what NumPy reads: line breaks, no trailing comma, Python 2 longs (versions 1, 2)', () => {
    const good = [
      "{'descr':'<f4','fortran_order':False,'shape':(2,)}",
      "{\n  'descr': '<f4',\n  'fortran_order': False,\n  'shape': (\n 2 ,\n ) ,\n}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1_0), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (+2, -0), }",
    ];
    const shapes = good.map((header) => {
      const bytes = withHeader(header, new Uint8Array(80));
      return parseNpy(bytes).shape;
    });
    expect(shapes).toEqual([[2], [2], [2], [1, 2], [2, 10], [2, 0]]);
    // Version 3 headers are not filtered for Python 2 (NumPy refuses `2L` there too).
    const v3 = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", payload);
    const text = v3.subarray(10);
    const three = new Uint8Array(12 + text.length);
    three.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 3, 0]);
    new DataView(three.buffer).setUint32(8, text.length - payload.length, true);
    three.set(text, 12);
    expect(() => parseNpy(three)).toThrow(/^parseNpy: the \.npy header is malformed/);
    // NumPy knows versions 1.0, 2.0 and 3.0 only.
    const minor = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", payload);
    minor[7] = 255;
    expect(() => parseNpy(minor)).toThrow(
      /^parseNpy: \.npy format version 1\.255 is not 1\.0, 2\.0 or 3\.0$/,
    );
  });

  it('reads double-quoted keys and strings', () => {
    const quoted = '{"descr": "<f4", "fortran_order": False, "shape": (2,)}';
    expect(Array.from(parseNpy(withHeader(quoted, payload)).data as Float32Array)).toEqual([
      1.5, 2.5,
    ]);
  });
});

describe('parseNpy on a huge header (issue 17, adversarial review)', () => {
  it('refuses a header of more than 64 KiB before decoding it', () => {
    // A header of ~600 MB threw a plain RangeError ("Invalid string length") while decoded.
    const length = 2 ** 16 + 64;
    const bytes = new Uint8Array(12 + length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, length, true);
    bytes.fill(0x20, 12);
    expect(() => parseNpy(bytes)).toThrow(UnsupportedError);
    expect(() => parseNpy(bytes)).toThrow(
      `parseNpy: the .npy header is ${length} bytes long; headers of more than 65536 bytes are not supported`,
    );
    // A truncated file claiming one is still "truncated".
    expect(() => parseNpy(bytes.subarray(0, 100))).toThrow(/truncated inside its header/);
  });
});
