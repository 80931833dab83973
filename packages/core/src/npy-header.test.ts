import { describe, expect, it } from 'vitest';
import { FormatError, UnsupportedError } from './errors.js';
import { parseNpyHeader } from './npy-header.js';

/** Each expectation is what NumPy 1.24's `np.load` makes of a version-1 file with the header. */
const read = (header: string, pythonTwoLongs = true) =>
  parseNpyHeader(header, 'parseNpy', pythonTwoLongs);

describe('parseNpyHeader reads the header as ast.literal_eval and NumPy do', () => {
  it("reads NumPy's own headers, padding and all", () => {
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (20, 3), }${' '.repeat(50)}\n`;
    expect(read(header)).toEqual({ descr: '<f4', fortranOrder: false, shape: [20, 3] });
    expect(read("{'descr': '|b1', 'fortran_order': True, 'shape': (), }").shape).toEqual([]);
    expect(read("{'descr': '<u2', 'fortran_order': False, 'shape': (7,), }").shape).toEqual([7]);
  });

  it('reads any Python integer literal and sign, and comments', () => {
    const shape = (text: string) =>
      read(`{'descr': '<f4', 'fortran_order': False, 'shape': ${text}}`).shape;
    expect(shape('(0x10, 0o7, 0b11, 1_000, +2, -0)')).toEqual([16, 7, 3, 1000, 2, 0]);
    expect(shape('(2, # a comment\n 3)')).toEqual([2, 3]);
    expect(read("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} # tail").shape).toEqual([
      2,
    ]);
  });

  it("reads u'…' strings (Python 2's unicode literals)", () => {
    expect(read("{u'descr': u'<f4', 'fortran_order': False, 'shape': (2,)}").descr).toBe('<f4');
  });

  it('keeps the last value of a repeated key, whatever the earlier one was', () => {
    const header = "{'descr': '|b1', 'fortran_order': 99, 'shape': (5,), 'fortran_order': False}";
    expect(read(header).fortranOrder).toBe(false);
  });

  it("drops Python 2's L after a number in versions 1 and 2 only", () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3 L), }";
    expect(read(header).shape).toEqual([2, 3]);
    expect(() => read(header, false)).toThrow(FormatError);
  });

  it.each([
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1.0)}", /not a size/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", /the shape is not a tuple/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", /the shape is not a tuple/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", /not a size/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (05,)}", /unexpected text/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\0", /text after the dict/],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", /fortran_order is not True or False/],
    ["{'descr': 5, 'fortran_order': False, 'shape': (2,)}", /descr is not a string/],
    ["{'descr': '<f4', 'shape': (2,)}", /its keys are \["descr","shape"\]/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", /its keys are/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}", /unexpected text/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3abc)}", /unexpected text/],
    ["{'descr': b'<f4', 'fortran_order': False, 'shape': (2,)}", /unexpected text/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", /expected ',' or '}'/],
  ])('refuses %s', (header, why) => {
    expect(() => read(header)).toThrow(FormatError);
    expect(() => read(header)).toThrow(why);
  });

  it("refuses more dimensions than NumPy's 32", () => {
    const shape = (n: number) => `(${'1, '.repeat(n)})`;
    const header = (n: number) => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape(n)}}`;
    expect(read(header(32)).shape).toHaveLength(32);
    expect(() => read(header(33))).toThrow(/the shape has 33 dimensions, NumPy's most is 32/);
  });

  it('names a structured dtype unsupported', () => {
    const header = "{'descr': [('x', '<f4'), ('y', '<i2')], 'fortran_order': False, 'shape': (2,)}";
    expect(() => read(header)).toThrow(UnsupportedError);
    expect(() => read(header)).toThrow(/^parseNpy: structured dtypes are not supported/);
  });

  it('bounds the nesting (a 64 KiB header of brackets must not overflow the stack)', () => {
    const deep = `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(30_000)}}`;
    expect(() => read(deep)).toThrow(/nested more than 32 deep/);
  });
});
