import { type AnyTypedArray, FormatError, type NdArray, shapeSize } from '@cellshape/core';

/**
 * Reading optimizer states that come either as plain objects (our own
 * `stateDict()`, possibly after a JSON round trip) or as `Map`s (unpickled from a `.pt` file).
 */

/** `container[key]` for a `Map` or a plain object; `undefined` when absent. */
export function field(container: unknown, key: string | number): unknown {
  if (container instanceof Map) {
    if (container.has(key)) return container.get(key);
    return typeof key === 'number' ? container.get(String(key)) : undefined;
  }
  if (typeof container === 'object' && container !== null)
    return (container as Record<string, unknown>)[String(key)];
  return undefined;
}

/** The entries of a `Map` or plain object. */
export function entriesOf(container: unknown): Array<[unknown, unknown]> {
  if (container instanceof Map) return [...container.entries()];
  if (typeof container === 'object' && container !== null && !Array.isArray(container))
    return Object.entries(container);
  return [];
}

/** A finite number from a number, bigint or one-element array (a 0-d tensor such as `step`). */
export function numberOf(value: unknown, fn: string, what: string): number {
  let v: unknown = value;
  if (typeof v === 'object' && v !== null && ArrayBuffer.isView((v as NdArray).data)) {
    const data = (v as NdArray<AnyTypedArray>).data;
    if (data.length !== 1) v = undefined;
    else v = data[0];
  }
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new FormatError(`${fn}: ${what} must be a finite number, got ${String(value)}`, { fn });
  return v;
}

/** A float32 copy of an array given as `{ data, shape }` (any numeric typed array). */
export function float32Of(value: unknown, fn: string, what: string): NdArray<Float32Array> {
  const { data, shape } = (typeof value === 'object' && value !== null ? value : {}) as Partial<
    NdArray<AnyTypedArray>
  >;
  if (!ArrayBuffer.isView(data) || !Array.isArray(shape) || shapeSize(shape) !== data.length)
    throw new FormatError(`${fn}: ${what} must be an array { data, shape }`, { fn });
  const copy =
    data instanceof Float32Array
      ? data.slice()
      : Float32Array.from(data as ArrayLike<number>, Number);
  return { data: copy, shape: [...shape] };
}
