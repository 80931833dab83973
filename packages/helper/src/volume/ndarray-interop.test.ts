import ndarray from 'ndarray';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Volume } from '../types.js';
import { fromNdarray, type NdarrayView, toNdarray, volumeFromNdarray } from './ndarray-interop.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('toNdarray', () => {
  it('views a volume without copying, indexed (z, y, x)', () => {
    const volume: Volume<Float32Array> = { data: iota(24), shape: [2, 3, 4] };
    const view = toNdarray(volume);
    expect(view.shape).toEqual([2, 3, 4]);
    expect(view.data).toBe(volume.data);
    expect(view.get(1, 2, 3)).toBe(23);
    view.set(0, 1, 2, -5);
    expect(volume.data[6]).toBe(-5);
    expect(view.shape).not.toBe(volume.shape);
  });
  it('views an NdArray of any rank', () => {
    const view = toNdarray({ data: new Int16Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] });
    expect(view.get(2, 1)).toBe(6);
    expect(view.dtype).toBe('int16');
  });
});

describe('NdarrayView', () => {
  it("is interchangeable with ndarray's own NdArray type, both ways (checked by tsc)", () => {
    const scijs = ndarray(new Float32Array(6), [2, 3]);
    expectTypeOf(scijs).toExtend<NdarrayView<Float32Array>>();
    expectTypeOf<NdarrayView<Float32Array>>().toExtend<ndarray.NdArray<Float32Array>>();
    expectTypeOf<NdarrayView<Uint8Array>>().toExtend<ndarray.NdArray<Uint8Array>>();
    expectTypeOf<NdarrayView<number[]>>().toExtend<ndarray.NdArray<number[]>>();
    expectTypeOf(toNdarray({ data: new Uint8Array(1), shape: [1] }).dtype).toEqualTypeOf<'uint8'>();
    expect(toNdarray({ data: new Uint8Array(1), shape: [1] }).dtype).toBe('uint8');
    expect(scijs.dtype).toBe('float32');
  });
});

describe('fromNdarray', () => {
  it('returns a C-ordered copy of a transposed view', () => {
    const view = ndarray(iota(6), [2, 3]).transpose(1, 0);
    const out = fromNdarray(view);
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.data)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data).not.toBe(view.data);
  });
  it('honours offsets and steps of lo/hi/step/pick views, including negative steps', () => {
    const base = ndarray(iota(60), [3, 4, 5]);
    const cut = fromNdarray(base.lo(1, 1, 1).hi(2, 2, 3).step(1, 1, 2));
    expect(cut.shape).toEqual([2, 2, 2]);
    // Elements (z, y, x) for z ∈ {1, 2}, y ∈ {1, 2}, x ∈ {1, 3}: 20z + 5y + x.
    expect(Array.from(cut.data)).toEqual([26, 28, 31, 33, 46, 48, 51, 53]);
    const reversed = fromNdarray(base.pick(0, 0, null).step(-1));
    expect(Array.from(reversed.data)).toEqual([4, 3, 2, 1, 0]);
    const plane = fromNdarray(base.pick(null, 2, null));
    expect(plane.shape).toEqual([3, 5]);
    expect(plane.data[5]).toBe(30);
    expect(Array.from(fromNdarray(base.pick(2, 3, 4)).data)).toEqual([59]);
  });
  it('copies plain-array views to Float64Array and empty views to empty arrays', () => {
    const out = fromNdarray(ndarray([1, 2, 3, 4], [2, 2]).transpose(1, 0));
    expect(out.data).toEqual(new Float64Array([1, 3, 2, 4]));
    expect(fromNdarray(ndarray(new Uint8Array(0), [0, 3])).data).toHaveLength(0);
  });
  it('round-trips with toNdarray', () => {
    const array = { data: new Uint16Array([5, 6, 7, 8]), shape: [2, 2] };
    expect(fromNdarray(toNdarray(array))).toEqual(array);
  });
});

describe('volumeFromNdarray', () => {
  it('makes 2-D views [1, y, x] and copies 3-D ones, with spacing', () => {
    const image = volumeFromNdarray(
      ndarray(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3]).transpose(1, 0),
    );
    expect(image.shape).toEqual([1, 3, 2]);
    expect(Array.from(image.data)).toEqual([1, 4, 2, 5, 3, 6]);
    const spacing: [number, number, number] = [2, 1, 1];
    const stack = volumeFromNdarray(ndarray(iota(8), [2, 2, 2]), spacing);
    expect(stack.shape).toEqual([2, 2, 2]);
    expect(stack.spacing).toEqual([2, 1, 1]);
    expect(stack.spacing).not.toBe(spacing);
  });
});

describe('ndarray interop: invalid input', () => {
  it('toNdarray rejects non-arrays and inconsistent shapes', () => {
    expect(() => toNdarray(null as never)).toThrow(/toNdarray: 'array' must be an object/);
    expect(() => toNdarray({ data: [1, 2] as never, shape: [2] })).toThrow(/'array.data'/);
    expect(() => toNdarray({ data: new Uint8Array(3), shape: [2, 2] })).toThrow(
      /'array.shape' must be non-negative integers whose product is data.length \(3\)/,
    );
  });
  it('fromNdarray and volumeFromNdarray reject non-ndarrays, wrong ranks and bad spacing', () => {
    expect(() => fromNdarray({ data: new Uint8Array(2), shape: [2] } as never)).toThrow(
      /fromNdarray: 'nd' must be an ndarray/,
    );
    expect(() => fromNdarray({ data: 'ab', shape: [2], stride: [1], offset: 0 } as never)).toThrow(
      /'nd.data'/,
    );
    expect(() => volumeFromNdarray(ndarray(iota(4), [4]))).toThrow(
      /volumeFromNdarray: 'nd.shape' must be 2-D \[y, x\] or 3-D \[z, y, x\], got \[4\]/,
    );
    expect(() => volumeFromNdarray(ndarray(iota(0), [0, 2]))).toThrow(/'nd.shape'/);
    expect(() => volumeFromNdarray(ndarray(iota(4), [2, 2]), [1, -1, 1])).toThrow(/'spacing'/);
  });
});
